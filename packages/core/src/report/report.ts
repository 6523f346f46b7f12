/** The JSON report (a machine reads it) — one shape for the CLI, the Action and the GitLab job. */
import type { ItemResult, TagResult } from '../execute/executor.js';
import type { DeletionDecision, DeletionItem, Plan, Reason, ReasonName } from '../plan/types.js';

/** A kept image in the JSON report. */
export interface ReportKept {
  repository: string;
  digest: string;
  tags: string[];
  kind: string;
  reasons: ReasonName[];
  /** Every reason that holds, with its rule as data (dates are ISO 8601 strings in the JSON). */
  details: Reason[];
  commits?: { ids: string[]; via: string };
}

/** A deleted (or, in a dry run, would-be deleted) image in the JSON report. */
export interface ReportDeleted {
  repository: string;
  digest: string;
  tags: string[];
  kind: string;
  why: string;
  /** The rule that let it go, as data (git-history: each keep policy's nearest miss). */
  decision: DeletionDecision;
  /** `deleted`, or `gone` (already absent); in a dry run `would-delete`. */
  status: 'deleted' | 'gone' | 'would-delete';
  size?: number;
  /** The newest of its build and push time (ISO 8601), where known. */
  builtAt?: string;
}

/** A stale tag removed alone (its digest stays) in the JSON report. */
export interface ReportTagRemoval {
  repository: string;
  digest: string;
  tag: string;
  why: string;
  /** `removed`, `gone` (already absent), or in a dry run `would-remove`. */
  status: 'removed' | 'gone' | 'would-remove';
}

/** An image that failed, was skipped or was left for the next run, with the message. */
export interface ReportProblem {
  repository: string;
  digest: string;
  tags: string[];
  message: string;
}

/** One repository's counts in the JSON report. */
export interface RepositoryTotals {
  repository: string;
  kept: number;
  deleted: number;
  /** Stale tags removed alone (their digests stay). */
  tagsRemoved: number;
  failed: number;
  skipped: number;
  notAttempted: number;
  /** Kept images by their first reason (REASON_ORDER), so the numbers add up to `kept`. */
  keptByReason: Partial<Record<ReasonName, number>>;
  /** Kept images by every reason that holds (an image kept for two reasons counts in both). */
  keptByAnyReason: Partial<Record<ReasonName, number>>;
  stats: Plan['stats'];
}

/**
 * The JSON report of a run — one shape for the CLI's `--report`, the Action's `report` output and the
 * GitLab job's artifact. `exitCode`: 0 done, 1 a repository or a deletion failed, 2 bad input.
 */
export interface Report {
  tool: 'regsweep';
  version: 1;
  command: 'cleanup' | 'purge' | 'host cleanup' | 'host purge';
  dryRun: boolean;
  now: string;
  startedAt: string;
  finishedAt: string;
  /** Where the policy came from: a file path, or `default`. */
  policySource: string;
  /** Why the default policy applies although a file was read (werf.yaml without cleanup:), or none was found. */
  policyNote?: string;
  repositories: RepositoryTotals[];
  /** Repositories the run named but does not touch (werf's secondary role), and why. */
  untouched: { repository: string; why: string }[];
  kept: ReportKept[];
  deleted: ReportDeleted[];
  tagsRemoved: ReportTagRemoval[];
  failed: ReportProblem[];
  /** Refused by the platform for a reason the user can act on, or blocked by a failed item. */
  skipped: ReportProblem[];
  /** Left for the next run (a budget ran out). */
  notAttempted: ReportProblem[];
  warnings: string[];
  /** What the user may want to do next (a registry's garbage collector after deletes). */
  notes: string[];
  /** Host cleanup: the engine, the volume before and after, what was freed, the containers removed. */
  host?: HostReport;
  /** Set when the run stopped on an error; nothing after it happened. */
  error?: { message: string; exitCode: number };
  exitCode: number;
}

/** Host cleanup's part of the report (docs/host-cleanup.md). */
export interface HostReport {
  engine: string;
  /** The volume holding the engine's data, before the run and after it (measured; absent: unknown). */
  volumeBefore?: { path: string; usedBytes: number; totalBytes: number };
  volumeAfter?: { path: string; usedBytes: number; totalBytes: number };
  allowedVolumeUsage: number;
  allowedVolumeUsageMargin: number;
  /**
   * Bytes freed. `layers`: the engine's total of stored layers before minus after (shared layers
   * counted once); `images`: what only the removed images held, by their sizes (a lower bound: layers
   * they shared among themselves are not counted) — where the engine gives no layer total, and in a dry run.
   */
  freedBytes: number;
  freedBy: 'layers' | 'images';
  /** Images of repositories regsweep was not told about: never touched. */
  untouchedImages: number;
  containersRemoved: Array<{ id: string; name: string; image: string; status: 'removed' | 'gone' | 'would-remove' }>;
}

/** A report with nothing in it yet, for `runPipeline` to fill. */
export function emptyReport(fields: { command: Report['command']; dryRun: boolean; now: Date; startedAt: Date; policySource: string }): Report {
  return {
    tool: 'regsweep', version: 1, command: fields.command, dryRun: fields.dryRun, now: fields.now.toISOString(),
    startedAt: fields.startedAt.toISOString(), finishedAt: fields.startedAt.toISOString(), policySource: fields.policySource,
    repositories: [], untouched: [], kept: [], deleted: [], tagsRemoved: [], failed: [], skipped: [], notAttempted: [], warnings: [], notes: [], exitCode: 0,
  };
}

/** Adds one repository's plan and its execution results (in a dry run: the preview's) to the report. */
export function addToReport(report: Report, plan: Plan, results: readonly ItemResult[] | undefined, tagResults?: readonly TagResult[]): void {
  const repository = plan.registry;
  const keptByReason: Partial<Record<ReasonName, number>> = {};
  const keptByAnyReason: Partial<Record<ReasonName, number>> = {};
  for (const k of plan.kept) {
    const names = [...new Set(k.reasons.map((r) => r.reason))];
    for (const n of names) keptByAnyReason[n] = (keptByAnyReason[n] ?? 0) + 1;
    const first = names[0]; // reasons come in REASON_ORDER
    if (first !== undefined) keptByReason[first] = (keptByReason[first] ?? 0) + 1;
    report.kept.push({
      repository, digest: k.digest, tags: k.tags, kind: k.kind, reasons: names,
      details: k.reasons,
      ...(k.commits ? { commits: k.commits } : {}),
    });
  }
  const totals: RepositoryTotals = { repository, kept: plan.kept.length, deleted: 0, tagsRemoved: 0, failed: 0, skipped: 0, notAttempted: 0, keptByReason, keptByAnyReason, stats: plan.stats };
  const extra = (d: DeletionItem): Pick<ReportDeleted, 'size' | 'builtAt'> => ({
    ...(d.listed.size !== undefined ? { size: d.listed.size } : {}), ...(d.builtAt ? { builtAt: d.builtAt.toISOString() } : {}),
  });
  const entry = (i: { digest: string; tags: string[] }, message: string): ReportProblem => ({ repository, digest: i.digest, tags: i.tags, message });
  if (!results) {
    for (const d of plan.delete) {
      report.deleted.push({ repository, digest: d.digest, tags: d.tags, kind: d.kind, why: d.why, decision: d.decision, status: 'would-delete', ...extra(d) });
    }
    totals.deleted = plan.delete.length;
  } else {
    for (const r of results) {
      const d = r.item;
      if (r.status === 'deleted' || r.status === 'gone') {
        const status = report.dryRun ? 'would-delete' : r.status;
        report.deleted.push({ repository, digest: d.digest, tags: d.tags, kind: d.kind, why: d.why, decision: d.decision, status, ...extra(d) });
        totals.deleted += 1;
      } else if (r.status === 'failed') {
        report.failed.push(entry(d, r.message ?? 'failed'));
        totals.failed += 1;
      } else if (r.status === 'skipped') {
        report.skipped.push(entry(d, r.message ?? 'skipped'));
        totals.skipped += 1;
      } else {
        report.notAttempted.push(entry(d, r.message ?? 'not attempted'));
        totals.notAttempted += 1;
      }
    }
  }
  const untagEntry = (u: Plan['untag'][number], status: ReportTagRemoval['status']): ReportTagRemoval => ({ repository, digest: u.digest, tag: u.tag, why: u.why, status });
  if (!tagResults && report.dryRun) {
    for (const u of plan.untag) report.tagsRemoved.push(untagEntry(u, 'would-remove'));
    totals.tagsRemoved = plan.untag.length;
  } else {
    for (const r of tagResults ?? []) {
      const tagged = { digest: r.item.digest, tags: [r.item.tag] };
      if (r.status === 'deleted' || r.status === 'gone') {
        report.tagsRemoved.push(untagEntry(r.item, r.status === 'deleted' ? 'removed' : 'gone'));
        totals.tagsRemoved += 1;
      } else if (r.status === 'failed') {
        report.failed.push(entry(tagged, `removing the stale tag failed: ${r.message ?? ''}`));
        totals.failed += 1;
      } else {
        report.skipped.push(entry(tagged, `stale tag left in place: ${r.message ?? ''}`));
        totals.skipped += 1;
      }
    }
  }
  report.repositories.push(totals);
  report.warnings.push(...plan.warnings.map((w) => `${repository}: ${w}`));
}
