/**
 * The host run every front end calls (`regsweep host cleanup|purge`): read the engine (images,
 * containers) and the configured repositories' registries, measure the volume, plan (host-plan.ts),
 * then — unless a dry run — remove in plan order under the deletion budget, re-reading each image right
 * before removing it. Every outcome lands in the report; an engine or registry that cannot be read
 * stops the run before anything is removed (exit 1), bad input is exit 2.
 */
import { describeError, InputError } from '../errors.js';
import { DeletionBudget } from '../pipeline/budget.js';
import type { Clock, HostEngine, HostImage } from '../ports.js';
import type { Report } from '../report/report.js';
import { splitTagRef } from './host-refs.js';
import { planHostCleanup, type HostRepository, type LeftoverLabel } from './host-plan.js';
import { addHostPlanToReport, type RemovalResult } from './host-report.js';
import type { HostPlan, HostRemoval, VolumeUsage } from './types.js';

export interface HostRunSettings {
  mode: 'cleanup' | 'purge';
  dryRun: boolean;
  maxDeletions?: number;
  safetyWindowMs: number;
  removeStoppedContainers: boolean;
  allowedVolumeUsage: number;
  allowedVolumeUsageMargin: number;
  leftoverLabels: readonly LeftoverLabel[];
  fixIndent?: string;
}

export interface HostRunPorts {
  clock: Clock;
  engine(): Promise<HostEngine>;
  /** The configured repositories, with what each registry has now where registry sync reads it. */
  repositories(): Promise<HostRepository[]>;
  /** The volume holding the engine's data (absent or undefined: unknown, the threshold step does not run). */
  volume?(engine: HostEngine): Promise<VolumeUsage | undefined>;
  progress?(message: string): void;
}

export async function runHostCleanup(settings: HostRunSettings, ports: HostRunPorts, report: Report): Promise<HostPlan | undefined> {
  report.dryRun = settings.dryRun;
  let plan: HostPlan | undefined;
  try {
    const engine = await ports.engine();
    const repositories = await ports.repositories();
    ports.progress?.(`${engine.name}: listing images and containers`);
    const [images, containers] = await Promise.all([engine.images(), engine.containers()]);
    const volume = await ports.volume?.(engine);
    plan = planHostCleanup({
      mode: settings.mode, engine: engine.name, repositories, images: await withLastTagTimes(engine, images, repositories), containers,
      now: ports.clock.now(), safetyWindowMs: settings.safetyWindowMs, removeStoppedContainers: settings.removeStoppedContainers,
      leftoverLabels: settings.leftoverLabels, allowedVolumeUsage: settings.allowedVolumeUsage, allowedVolumeUsageMargin: settings.allowedVolumeUsageMargin,
      ...(volume ? { volume } : {}),
    });
    ports.progress?.(`${engine.name}: ${plan.remove.length} image(s) to remove, ${plan.kept.length} kept, ${plan.untouched} of other repositories untouched`);
    const results = settings.dryRun ? undefined : await removeAll(engine, plan.remove, new DeletionBudget(settings.maxDeletions), ports.progress);
    const after = settings.dryRun ? undefined : await ports.volume?.(engine);
    addHostPlanToReport(report, plan, results, { volume, after, settings });
  } catch (error) {
    report.error = { message: describeError(error, settings.fixIndent ?? ''), exitCode: error instanceof InputError ? 2 : 1 };
  }
  report.exitCode = report.error ? report.error.exitCode : report.failed.length > 0 ? 1 : 0;
  return plan;
}

/**
 * Each tagged image of the configured repositories with its last tag or pull time, which only an
 * image's inspect gives: the threshold step orders by it, and the re-check before removing compares it.
 */
async function withLastTagTimes(engine: HostEngine, images: HostImage[], repositories: readonly HostRepository[]): Promise<HostImage[]> {
  const names = new Set(repositories.map((r) => r.name));
  const out: HostImage[] = [];
  for (const image of images) {
    const ours = image.repoTags.some((t) => names.has(splitTagRef(t)?.repository ?? ''));
    const fresh = ours ? await engine.image(image.id) : undefined;
    out.push(fresh?.lastTagTime ? { ...image, lastTagTime: fresh.lastTagTime } : image);
  }
  return out;
}

/** Removes in plan order; each image re-read first and left alone when it changed since the plan. */
async function removeAll(engine: HostEngine, removals: readonly HostRemoval[], budget: DeletionBudget, progress?: (m: string) => void): Promise<RemovalResult[]> {
  const results: RemovalResult[] = [];
  for (const r of removals) {
    if (!budget.take()) {
      results.push({ removal: r, status: 'not-attempted', message: budget.message, containers: [] });
      continue;
    }
    try {
      results.push(await removeOne(engine, r));
    } catch (error) {
      results.push({ removal: r, status: 'failed', message: describeError(error), containers: [] });
    }
    if (results.length % 50 === 0) progress?.(`${engine.name}: ${results.length} of ${removals.length} removals done`);
  }
  return results;
}

const sameTags = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

async function removeOne(engine: HostEngine, r: HostRemoval): Promise<RemovalResult> {
  const containers: RemovalResult['containers'] = [];
  const fresh = await engine.image(r.id);
  if (!fresh) return { removal: r, status: 'gone', containers };
  // The werf#7819 race: a build that tagged (or re-pulled) the image since the plan may be using it.
  if (!sameTags(fresh.repoTags, r.tags)) {
    return { removal: r, status: 'skipped', message: `its tags changed since it was planned (now ${fresh.repoTags.join(', ') || 'none'}): a build may be using it; left for the next run`, containers };
  }
  if (fresh.lastTagTime && r.lastTagTime && fresh.lastTagTime.getTime() > r.lastTagTime.getTime()) {
    return { removal: r, status: 'skipped', message: `it was tagged or pulled again at ${fresh.lastTagTime.toISOString()}, after it was planned: a build may be using it; left for the next run`, containers };
  }
  for (const c of r.containers) containers.push({ container: c, status: await engine.removeContainer(c.id) });
  for (const ref of r.tags.length > 0 ? r.tags : [r.id]) {
    const outcome = await engine.removeImage(ref);
    if (outcome === 'in-use') return { removal: r, status: 'skipped', message: `the engine refused to remove ${ref}: a container uses it (409); not forced`, containers };
  }
  return { removal: r, status: 'removed', containers };
}
