/** The summary a person reads in ten seconds, as plain text (CLI, job logs). */
import { formatAge } from '../plan/reasons.js';
import { REASON_ORDER } from '../plan/types.js';
import type { Report } from './report.js';

const MAX_LISTED = 20;

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u += 1;
  }
  return `${v < 10 && u > 0 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

const shortDigest = (d: string): string => d.replace(/^sha256:/, '').slice(0, 12);

/** `policy: werf.yaml (cleanup section)`, `policy: .regsweep.yml`, `policy: default (why)`. */
function policyLine(report: Report): string {
  const source = report.policySource;
  if (report.policyNote) return `policy: ${source} (${report.policyNote})`;
  return `policy: ${source}${/(^|\/)werf\.ya?ml$/.test(source) ? ' (cleanup section)' : ''}`;
}

/** Oldest first (unknown build times last), each with its tags, age and why; the bytes freed as an estimate. */
function deletionLines(report: Report): string[] {
  const freed = report.repositories.reduce<number | undefined>((sum, r) => (r.stats.freedBytes === undefined ? sum : (sum ?? 0) + r.stats.freedBytes), undefined);
  const estimate = freed !== undefined && freed > 0
    ? `; about ${formatBytes(freed)} of configs and layers no kept image uses (estimated from the manifests)`
    : '';
  const lines = [`${report.dryRun ? 'Would delete' : 'Deleted'} ${report.deleted.length} image(s), oldest first${estimate}:`];
  const time = (d: Report['deleted'][number]): number => (d.builtAt ? Date.parse(d.builtAt) : Number.POSITIVE_INFINITY);
  const ordered = [...report.deleted].sort((a, b) => time(a) - time(b) || (a.digest < b.digest ? -1 : 1));
  for (const d of ordered.slice(0, MAX_LISTED)) {
    const age = d.builtAt ? `, ${formatAge(Date.parse(report.now) - Date.parse(d.builtAt))} old` : '';
    lines.push(`  - ${d.tags.length ? d.tags.join(', ') : '(untagged)'}${age} (${shortDigest(d.digest)}) — ${d.why}`);
  }
  if (report.deleted.length > MAX_LISTED) lines.push(`  … and ${report.deleted.length - MAX_LISTED} more (see the JSON report)`);
  return lines;
}

const usage = (v: { path: string; usedBytes: number; totalBytes: number }): string => (v.totalBytes > 0 ? `${((v.usedBytes / v.totalBytes) * 100).toFixed(1)}%` : 'unknown');

/** Host cleanup: the engine, the volume before and after, what was freed, what was never touched. */
function hostLines(report: Report, host: NonNullable<Report['host']>): string[] {
  const before = host.volumeBefore;
  const volume = before
    ? `volume ${before.path} ${usage(before)} used${host.volumeAfter ? `, now ${usage(host.volumeAfter)}` : ''}` +
      (report.command === 'host cleanup' ? ` (allowed ${host.allowedVolumeUsage}%, margin ${host.allowedVolumeUsageMargin})` : '')
    : 'volume usage unknown (threshold step off)';
  const containers = host.containersRemoved.length > 0 ? `; ${report.dryRun ? 'would remove' : 'removed'} ${host.containersRemoved.length} stopped container(s)` : '';
  return [
    `  engine ${host.engine}: ${volume}`,
    `  ${report.dryRun ? 'would free' : 'freed'} ${host.freedBy === 'layers' ? `${formatBytes(host.freedBytes)} (the engine's stored layers, before and after)` : `about ${formatBytes(host.freedBytes)} (the images' own sizes; layers they shared not counted)`}; ` +
      `${host.untouchedImages} image(s) of other repositories untouched${containers}`,
  ];
}

/** The summary of a report a person reads: per repository what was kept (by reason) and deleted, then problems. */
export function renderSummary(report: Report): string {
  const lines: string[] = [];
  const verb = report.dryRun ? 'would delete' : 'deleted';
  lines.push(`regsweep ${report.command}${report.dryRun ? ' (dry run: nothing was changed)' : ''}`);
  if (report.policySource !== 'none') lines.push(`  ${policyLine(report)}`);
  for (const r of report.repositories) {
    const reasons = REASON_ORDER.filter((n) => r.keptByReason[n]).map((n) => `${n} ${r.keptByReason[n]}`).join(', ');
    const left = r.notAttempted ? `${report.dryRun ? ' (budget)' : ''}; ${r.notAttempted} more next run` : '';
    lines.push(`  ${r.repository}: kept ${r.kept}${reasons ? ` (${reasons})` : ''}, ${verb} ${r.deleted}${left}` +
      (r.failed ? `, failed ${r.failed}` : '') + (r.skipped ? `, skipped ${r.skipped}` : ''));
  }
  for (const u of report.untouched ?? []) lines.push(`  ${u.repository}: untouched (${u.why})`);
  if (report.host) lines.push(...hostLines(report, report.host));
  const inUse = report.kept.filter((k) => k.reasons.includes('in-use'));
  if (inUse.length > 0) {
    lines.push(`In use ${inUse.length} (kept while a workload runs them):`);
    for (const k of inUse.slice(0, MAX_LISTED)) {
      // A workload in a cluster names where it runs; a host's container says it in its detail.
      const where = k.details.filter((d) => d.reason === 'in-use').map((d) => (d.where ? `${d.where.kind} ${d.where.namespace}/${d.where.name} in ${d.where.context}` : d.detail));
      lines.push(`  - ${shortDigest(k.digest)} ${k.tags.length ? k.tags.join(', ') : '(untagged)'} — ${where.slice(0, 3).join('; ')}${where.length > 3 ? ` and ${where.length - 3} more` : ''}`);
    }
    if (inUse.length > MAX_LISTED) lines.push(`  … and ${inUse.length - MAX_LISTED} more (see the JSON report)`);
  }
  if (report.deleted.length > 0) lines.push(...deletionLines(report));
  if (report.tagsRemoved.length > 0) {
    lines.push(`${report.dryRun ? 'Would remove' : 'Removed'} ${report.tagsRemoved.length} stale tag(s), keeping their images:`);
    for (const t of report.tagsRemoved.slice(0, MAX_LISTED)) lines.push(`  - ${t.tag} (${shortDigest(t.digest)}) — ${t.why}`);
    if (report.tagsRemoved.length > MAX_LISTED) lines.push(`  … and ${report.tagsRemoved.length - MAX_LISTED} more (see the JSON report)`);
  }
  const leftTitle = report.dryRun ? 'Would be left for the next run' : 'Left for the next run';
  for (const [title, list] of [['Failed', report.failed], ['Skipped', report.skipped], [leftTitle, report.notAttempted]] as const) {
    if (list.length === 0) continue;
    lines.push(`${title} ${list.length}:`);
    for (const f of list.slice(0, MAX_LISTED)) lines.push(`  - ${shortDigest(f.digest)} ${f.tags.join(', ') || '(untagged)'}: ${f.message}`);
    if (list.length > MAX_LISTED) lines.push(`  … and ${list.length - MAX_LISTED} more (see the JSON report)`);
  }
  for (const n of report.notes ?? []) lines.push(`note: ${n}`);
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  // The error itself is printed once, by the front end (stderr, an annotation, the job log): here one line.
  if (report.error) {
    const code = report.error.exitCode;
    lines.push(`failed: the run stopped with an error (exit ${code}${code === 2 ? ': bad input, nothing was touched' : ''}); the error message says what to fix`);
  }
  return lines.join('\n');
}
