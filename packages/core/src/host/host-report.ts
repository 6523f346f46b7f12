/** A host plan and what removing did, in the run's report (the same shape as a registry cleanup's). */
import type { HostContainer } from '../ports.js';
import type { DeletionCause, Reason, ReasonName } from '../plan/types.js';
import type { Report, ReportProblem, RepositoryTotals } from '../report/report.js';
import type { HostKeepReason, HostPlan, HostRemoval, HostStep, VolumeUsage } from './types.js';

export interface RemovalResult {
  removal: HostRemoval;
  status: 'removed' | 'gone' | 'skipped' | 'failed' | 'not-attempted';
  message?: string;
  containers: Array<{ container: HostContainer; status: 'removed' | 'gone' }>;
}

const CAUSE: Record<HostStep, { cause: DeletionCause; rule: string }> = {
  'registry-sync': { cause: 'registry-sync', rule: 'registry sync' },
  leftover: { cause: 'leftover', rule: '--safety-window' },
  'over-threshold': { cause: 'over-threshold', rule: '--allowed-volume-usage' },
  purge: { cause: 'host-purge', rule: 'host purge' },
};

const RULE: Record<HostKeepReason, string> = {
  'in-use': 'containers', recent: '--safety-window', 'in-registry': 'registry sync', 'space-left': '--allowed-volume-usage',
};

function totalsFor(report: Report, repository: string): RepositoryTotals {
  let t = report.repositories.find((r) => r.repository === repository);
  if (!t) {
    t = { repository, kept: 0, deleted: 0, tagsRemoved: 0, failed: 0, skipped: 0, notAttempted: 0, keptByReason: {}, keptByAnyReason: {}, stats: { images: 0, refs: 0, selectedRefs: 0, commitsRead: 0, commitsVisited: 0 } };
    report.repositories.push(t);
  }
  return t;
}

export function addHostPlanToReport(report: Report, plan: HostPlan, results: readonly RemovalResult[] | undefined,
  run: { volume: VolumeUsage | undefined; after: VolumeUsage | undefined; layers?: { before: number; after: number }; settings: { allowedVolumeUsage: number; allowedVolumeUsageMargin: number } }): void {
  for (const k of plan.kept) {
    const t = totalsFor(report, k.repository);
    const details: Reason[] = k.reasons.map((r) => ({ reason: r.reason as ReasonName, rule: RULE[r.reason], detail: r.detail }));
    const names = [...new Set(details.map((d) => d.reason))];
    t.kept += 1;
    t.stats.images += 1;
    const first = names[0];
    if (first) t.keptByReason[first] = (t.keptByReason[first] ?? 0) + 1;
    for (const n of names) t.keptByAnyReason[n] = (t.keptByAnyReason[n] ?? 0) + 1;
    report.kept.push({ repository: k.repository, digest: k.id, tags: k.tags, kind: k.tags.length > 0 ? 'image' : 'dangling', reasons: names, details });
  }
  const host = {
    engine: plan.engine, allowedVolumeUsage: run.settings.allowedVolumeUsage, allowedVolumeUsageMargin: run.settings.allowedVolumeUsageMargin,
    freedBytes: 0, freedBy: 'images' as 'layers' | 'images', untouchedImages: plan.untouched, containersRemoved: [] as NonNullable<Report['host']>['containersRemoved'],
    ...(run.volume ? { volumeBefore: run.volume } : {}), ...(run.after ? { volumeAfter: run.after } : {}),
  };
  const list = results ?? plan.remove.map((removal): RemovalResult => ({ removal, status: 'removed', containers: [] }));
  for (const r of list) {
    const d = r.removal;
    const t = totalsFor(report, d.repository);
    t.stats.images += 1;
    const problem: ReportProblem = { repository: d.repository, digest: d.id, tags: d.tags, message: r.message ?? r.status };
    if (r.status === 'failed') (t.failed += 1, report.failed.push(problem));
    else if (r.status === 'skipped') (t.skipped += 1, report.skipped.push(problem));
    else if (r.status === 'not-attempted') (t.notAttempted += 1, report.notAttempted.push(problem));
    else {
      t.deleted += 1;
      host.freedBytes += r.status === 'removed' ? d.uniqueSize : 0;
      report.deleted.push({
        repository: d.repository, digest: d.id, tags: d.tags, kind: d.tags.length > 0 ? 'image' : 'dangling', why: d.why,
        decision: { ...CAUSE[d.step], ageMs: Math.max(0, Date.parse(report.now) - d.created.getTime()) },
        status: !results ? 'would-delete' : r.status === 'removed' ? 'deleted' : 'gone',
        size: d.size, builtAt: d.created.toISOString(),
      });
    }
    const containers = results ? r.containers : d.containers.map((container) => ({ container, status: 'would-remove' as const }));
    for (const c of containers) host.containersRemoved.push({ id: c.container.id, name: c.container.name, image: d.id, status: c.status });
  }
  if (run.layers) {
    host.freedBytes = Math.max(0, run.layers.before - run.layers.after);
    host.freedBy = 'layers';
  }
  report.host = host;
  report.warnings.push(...plan.warnings);
  if (plan.threshold && !plan.threshold.reached) {
    report.warnings.push(`${plan.engine}: the volume stays above ${plan.threshold.allowedPercent - plan.threshold.marginPercent}% after removing every image host cleanup may remove`);
  }
}
