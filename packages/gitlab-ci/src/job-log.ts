/**
 * The end of the job log: the ten-second summary (core's `renderSummary`) in an open section, then
 * one collapsed section per list of decisions (kept with the reasons, deleted with why, stale tags
 * removed, skipped, failed, left for the next run), each from the JSON report alone.
 *
 * GitLab's collapsible sections are marker lines the job log viewer folds:
 * `ESC[0Ksection_start:<unix seconds>:<name>[collapsed=true]\rESC[0K<header>` ... `ESC[0Ksection_end:<unix seconds>:<name>\rESC[0K`.
 */
import { renderSummary, type Report } from '@regsweep/core';

/** Rows per section at most; the JSON report has all of them. */
export const MAX_SECTION_ROWS = 1000;

const ESC = '\u001b';
const BOLD = `${ESC}[1m`;
const RESET = `${ESC}[0m`;

export interface SectionOptions {
  /** Unix seconds stamped on the markers (GitLab shows the section's duration from them). */
  at: number;
  collapsed?: boolean;
}

/** A section name GitLab accepts: letters, digits, `_`, `.` and `-`. */
export const sectionName = (text: string): string => text.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 100);

export function section(name: string, header: string, body: readonly string[], o: SectionOptions): string[] {
  const id = sectionName(name);
  return [
    `${ESC}[0Ksection_start:${o.at}:${id}${o.collapsed ? '[collapsed=true]' : ''}\r${ESC}[0K${BOLD}${header}${RESET}`,
    ...body,
    `${ESC}[0Ksection_end:${o.at}:${id}\r${ESC}[0K`,
  ];
}

/**
 * The run's named phases as collapsed sections while it runs: each repository's phase opens one,
 * closed by the next phase or the end of the run; progress lines land inside.
 */
export function phaseSections(say: (line: string) => void, now: () => number): { phase(repository: string, phase: string): void; close(): void } {
  let open: string | undefined;
  let n = 0;
  const close = (): void => {
    if (open !== undefined) say(`${ESC}[0Ksection_end:${now()}:${open}\r${ESC}[0K`);
    open = undefined;
  };
  return {
    phase: (repository, phase) => {
      close();
      open = sectionName(`regsweep_phase_${++n}_${phase}`);
      say(`${ESC}[0Ksection_start:${now()}:${open}[collapsed=true]\r${ESC}[0K${BOLD}regsweep: ${repository}: ${phase}${RESET}`);
    },
    close,
  };
}

const short = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12);
const tags = (list: readonly string[]): string => (list.length === 0 ? '(untagged)' : list.join(', '));

function capped<T>(list: readonly T[], row: (item: T) => string): string[] {
  const rows = list.slice(0, MAX_SECTION_ROWS).map(row);
  if (list.length > MAX_SECTION_ROWS) rows.push(`  … and ${list.length - MAX_SECTION_ROWS} more in regsweep-report.json`);
  return rows;
}

export function renderJobLog(report: Report, at: number): string[] {
  const lines = section('regsweep_summary', 'regsweep summary', renderSummary(report).split('\n'), { at });
  const verb = report.dryRun ? 'would delete' : 'deleted';
  const lists: Array<[string, string, string[]]> = [
    ['regsweep_kept', `kept: ${report.kept.length} image(s), and why`,
      capped(report.kept, (k) => `  ${k.repository} ${short(k.digest)} ${tags(k.tags)} — ${k.details.map((d) => d.detail).join('; ') || k.reasons.join(', ')}`)],
    ['regsweep_deleted', `${verb}: ${report.deleted.length} image(s), and why`,
      capped(report.deleted, (d) => `  ${d.repository} ${short(d.digest)} ${tags(d.tags)} — ${d.why}${d.status === 'gone' ? ' (already gone)' : ''}`)],
    ['regsweep_tags_removed', `stale tags ${report.dryRun ? 'to remove' : 'removed'}: ${report.tagsRemoved.length}`,
      capped(report.tagsRemoved, (t) => `  ${t.repository} ${t.tag} (${short(t.digest)}) — ${t.why}`)],
  ];
  for (const [name, title, list] of [['regsweep_skipped', 'skipped', report.skipped], ['regsweep_failed', 'failed', report.failed], ['regsweep_left', 'left for the next run', report.notAttempted]] as const) {
    lists.push([name, `${title}: ${list.length}`, capped(list, (p) => `  ${p.repository} ${short(p.digest)} ${tags(p.tags)}: ${p.message}`)]);
  }
  for (const [name, title, rows] of lists) {
    if (rows.length > 0) lines.push(...section(name, title, rows, { at, collapsed: true }));
  }
  return lines;
}

/** The dotenv report (`artifacts:reports:dotenv`): later jobs of the pipeline get these variables. */
export function renderDotenv(report: Report): string {
  const values: Record<string, number> = {
    REGSWEEP_DELETED: report.deleted.length, REGSWEEP_KEPT: report.kept.length, REGSWEEP_FAILED: report.failed.length,
    REGSWEEP_SKIPPED: report.skipped.length, REGSWEEP_TAGS_REMOVED: report.tagsRemoved.length,
    REGSWEEP_LEFT_FOR_NEXT_RUN: report.notAttempted.length, REGSWEEP_EXIT_CODE: report.exitCode,
  };
  return `${Object.entries(values).map(([k, v]) => `${k}=${v}`).join('\n')}\nREGSWEEP_DRY_RUN=${report.dryRun}\n`;
}
