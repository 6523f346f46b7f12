/**
 * The job summary ($GITHUB_STEP_SUMMARY) a person reads in ten seconds: one row per package (kept by
 * reason, deleted, skipped, failed, left for the next run), the largest deletions, what was skipped or
 * failed and why, the warnings, then a collapsed list of every decision. Markdown from the JSON report
 * alone, so it always agrees with it.
 */
import { REASON_ORDER, type Report, type ReportProblem } from '@regsweep/core';
import { formatBytes } from '@regsweep/core/internal';

/** Rows of the collapsed list at most (GitHub takes up to 1 MiB of summary per step). */
export const MAX_DECISIONS = 1000;
const MAX_LARGEST = 10;
const MAX_PROBLEMS = 50;

export interface SummaryContext {
  /** `owner/name` of the repository whose git references drove the policy. */
  repository: string;
  /** Where the JSON report was written (the `report` output). */
  reportPath: string;
}

/** Text for a table cell: one line, pipes escaped, HTML-sensitive characters neutralised. */
export function cell(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const short = (digest: string): string => `\`${digest.replace(/^sha256:/, '').slice(0, 12)}\``;
const tagList = (tags: readonly string[]): string => (tags.length === 0 ? '_untagged_' : cell(tags.join(', ')));
const pkg = (repository: string): string => `\`${cell(repository)}\``;

function overview(report: Report): string[] {
  const verb = report.dryRun ? 'would delete' : 'deleted';
  const lines = [
    `| package | kept | kept by reason | ${verb} | skipped | failed | left for next run |`,
    '| --- | ---: | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of report.repositories) {
    const reasons = REASON_ORDER.filter((n) => r.keptByReason[n]).map((n) => `${n} ${r.keptByReason[n]}`).join(', ');
    lines.push(`| ${pkg(r.repository)} | ${r.kept} | ${reasons || '—'} | ${r.deleted} | ${r.skipped} | ${r.failed} | ${r.notAttempted} |`);
  }
  return lines;
}

function largest(report: Report): string[] {
  if (report.deleted.length === 0) return [];
  const sized = report.deleted.some((d) => d.size !== undefined);
  const list = [...report.deleted].sort((a, b) => (b.size ?? -1) - (a.size ?? -1)).slice(0, MAX_LARGEST);
  const title = sized ? `Largest ${report.dryRun ? 'planned deletions' : 'deletions'}` : `${report.dryRun ? 'Planned deletions' : 'Deletions'} (GitHub reports no sizes; the first ${list.length})`;
  const lines = ['', `#### ${title}`, '', '| package | image | tags | size | why |', '| --- | --- | --- | ---: | --- |'];
  for (const d of list) lines.push(`| ${pkg(d.repository)} | ${short(d.digest)} | ${tagList(d.tags)} | ${d.size !== undefined ? formatBytes(d.size) : '—'} | ${cell(d.why)} |`);
  if (report.deleted.length > list.length) lines.push('', `…and ${report.deleted.length - list.length} more in the list of every decision below.`);
  return lines;
}

function problems(title: string, list: readonly ReportProblem[]): string[] {
  if (list.length === 0) return [];
  const lines = ['', `#### ${title} (${list.length})`, ''];
  for (const p of list.slice(0, MAX_PROBLEMS)) lines.push(`- ${pkg(p.repository)} ${short(p.digest)} ${tagList(p.tags)}: ${cell(p.message)}`);
  if (list.length > MAX_PROBLEMS) lines.push(`- …and ${list.length - MAX_PROBLEMS} more (see the JSON report)`);
  return lines;
}

/** Every kept image and every deletion, one row each, in the report's order. */
function decisions(report: Report): string[] {
  const rows: string[] = [];
  for (const k of report.kept) {
    const why = k.details.map((d) => d.detail).join('; ');
    rows.push(`| ${pkg(k.repository)} | ${short(k.digest)} | ${tagList(k.tags)} | kept: ${k.reasons.join(', ')} | ${cell(why)} |`);
  }
  const status: Record<string, string> = { deleted: 'deleted', gone: 'already gone', 'would-delete': 'would delete' };
  for (const d of report.deleted) rows.push(`| ${pkg(d.repository)} | ${short(d.digest)} | ${tagList(d.tags)} | ${status[d.status] ?? d.status} | ${cell(d.why)} |`);
  for (const t of report.tagsRemoved) rows.push(`| ${pkg(t.repository)} | ${short(t.digest)} | ${cell(t.tag)} | tag ${t.status} | ${cell(t.why)} |`);
  for (const [label, list] of [['failed', report.failed], ['skipped', report.skipped], ['left for next run', report.notAttempted]] as const) {
    for (const p of list) rows.push(`| ${pkg(p.repository)} | ${short(p.digest)} | ${tagList(p.tags)} | ${label} | ${cell(p.message)} |`);
  }
  if (rows.length === 0) return [];
  const shown = rows.slice(0, MAX_DECISIONS);
  return [
    '', `<details><summary>Every decision (${rows.length})</summary>`, '',
    '| package | image | tags | decision | why |', '| --- | --- | --- | --- | --- |', ...shown,
    ...(rows.length > shown.length ? ['', `…and ${rows.length - shown.length} more in the JSON report.`] : []),
    '', '</details>',
  ];
}

export function renderJobSummary(report: Report, context: SummaryContext): string {
  const deleted = report.deleted.length;
  const verb = report.dryRun ? 'would delete' : 'deleted';
  const lines = [`### regsweep ${report.command} for ${cell(context.repository)}: kept ${report.kept.length}, ${verb} ${deleted}`, ''];
  if (report.dryRun) lines.push('> Dry run: nothing was changed.', '');
  if (report.error) lines.push(`> **Stopped:** ${cell(report.error.message)}`, '');
  if (report.notAttempted.length > 0) {
    lines.push(`> **${report.notAttempted.length} left for the next run:** ${cell(report.notAttempted[0]?.message ?? '')}`, '');
  }
  if (report.repositories.length > 0) lines.push(...overview(report));
  lines.push(...largest(report));
  lines.push(...problems('Skipped', report.skipped));
  lines.push(...problems('Failed', report.failed));
  lines.push(...problems('Left for the next run', report.notAttempted));
  if (report.warnings.length > 0) {
    lines.push('', `#### Warnings (${report.warnings.length})`, '');
    for (const w of report.warnings) lines.push(`- ${cell(w)}`);
  }
  lines.push(...decisions(report));
  lines.push('', `<sub>Policy: ${cell(report.policySource)} · JSON report: \`${cell(context.reportPath)}\` (output \`report\`)</sub>`, '');
  return lines.join('\n');
}
