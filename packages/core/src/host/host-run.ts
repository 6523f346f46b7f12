/**
 * The host run every front end calls (`regsweep host cleanup|purge`): read the engine (images,
 * containers) and the configured repositories' registries, measure the volume, plan (host-plan.ts),
 * then — unless a dry run — remove in plan order under the deletion budget, re-reading each image right
 * before removing it. Every outcome lands in the report; an engine or registry that cannot be read
 * stops the run before anything is removed (exit 1), bad input is exit 2.
 */
import { describeError, InputError } from '../errors.js';
import { DeletionBudget } from '../pipeline/budget.js';
import { removeAll } from './host-remove.js';
import type { Clock, HostEngine, HostImage } from '../ports.js';
import type { Report } from '../report/report.js';
import { planHostCleanup, referencedRepositories, type HostRepository, type LeftoverLabel } from './host-plan.js';
import { addHostPlanToReport } from './host-report.js';
import type { HostPlan, VolumeUsage } from './types.js';

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
    // The engine first, then the registries: an image pushed meanwhile is in the registry's listing.
    ports.progress?.(`${engine.name}: listing images and containers`);
    const [images, containers] = await Promise.all([engine.images(), engine.containers()]);
    const repositories = await ports.repositories();
    const volume = await ports.volume?.(engine);
    plan = planHostCleanup({
      mode: settings.mode, engine: engine.name, repositories, images: await withLastTagTimes(engine, images, repositories), containers,
      now: ports.clock.now(), safetyWindowMs: settings.safetyWindowMs, removeStoppedContainers: settings.removeStoppedContainers,
      leftoverLabels: settings.leftoverLabels, allowedVolumeUsage: settings.allowedVolumeUsage, allowedVolumeUsageMargin: settings.allowedVolumeUsageMargin,
      ...(volume ? { volume } : {}),
    });
    ports.progress?.(`${engine.name}: ${plan.remove.length} image(s) to remove, ${plan.kept.length} kept, ${plan.untouched} of other repositories untouched`);
    const layersBefore = settings.dryRun ? undefined : await engine.layersSize?.();
    const results = settings.dryRun ? undefined : await removeAll(engine, plan.remove, new DeletionBudget(settings.maxDeletions), ports.progress);
    // What was removed is reported whatever happens next.
    let after: VolumeUsage | undefined;
    let layersAfter: number | undefined;
    if (!settings.dryRun) {
      try {
        after = await ports.volume?.(engine);
        layersAfter = layersBefore === undefined ? undefined : await engine.layersSize?.();
      } catch (error) {
        report.warnings.push(`${engine.name}: the disk could not be measured after the run: ${describeError(error)}`);
      }
    }
    const layers = layersBefore !== undefined && layersAfter !== undefined ? { before: layersBefore, after: layersAfter } : undefined;
    addHostPlanToReport(report, plan, results, { volume, after, settings, ...(layers ? { layers } : {}) });
  } catch (error) {
    report.error = { message: describeError(error, settings.fixIndent ?? ''), exitCode: error instanceof InputError ? 2 : 1 };
  }
  report.exitCode = report.error ? report.error.exitCode : report.failed.length > 0 ? 1 : 0;
  return plan;
}

/**
 * Each image that names a configured repository (by tag or by digest) with its last tag or pull time,
 * which only an image's inspect gives: the safety window and the threshold step use it, and the
 * re-check before removing compares it.
 */
async function withLastTagTimes(engine: HostEngine, images: HostImage[], repositories: readonly HostRepository[]): Promise<HostImage[]> {
  const names = new Set(repositories.map((r) => r.name));
  const out: HostImage[] = [];
  for (const image of images) {
    const ours = [...referencedRepositories(image)].some((r) => names.has(r));
    const fresh = ours ? await engine.image(image.id) : undefined;
    out.push(fresh?.lastTagTime ? { ...image, lastTagTime: fresh.lastTagTime } : image);
  }
  return out;
}
