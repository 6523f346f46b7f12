/**
 * The threshold step (werf's host cleanup): when the volume holding the engine's data is used above
 * `allowedVolumeUsage` percent, the least recently used images are removed until the plan's sizes say
 * usage is `margin` points below it. "Least recently used" is what the engine can tell: the later of
 * the build time and the last tag or pull (Docker keeps it; podman does not), oldest first, ties by id.
 * The engine records no last run of an image (moby#4237); an image a container uses is kept anyway.
 */
import type { HostImage } from '../ports.js';
import { formatBytes } from '../report/summary.js';
import type { HostPlan, VolumeUsage } from './types.js';

export interface ThresholdSettings {
  /** Percent of the volume (default 70). */
  allowedVolumeUsage: number;
  /** Percentage points below it to free down to (default 5). */
  allowedVolumeUsageMargin: number;
  volume?: VolumeUsage;
}

export interface ThresholdStep {
  remove: HostImage[];
  threshold?: HostPlan['threshold'];
  /** Why the images it leaves stay. */
  keptDetail: string;
  removeDetail(image: HostImage): string;
}

/** When the image was last brought to this host: the later of its build time and its last tag or pull. */
export function lastUsedMs(i: HostImage): number {
  const tagged = i.lastTagTime?.getTime();
  const created = i.created.getTime();
  return tagged !== undefined && Number.isFinite(tagged) && tagged > created ? tagged : created;
}

const percent = (used: number, total: number): string => `${((used / total) * 100).toFixed(1)}%`;

/** The bytes an image frees: what it does not share with other images (the whole size where the engine does not say). */
export const uniqueBytes = (i: HostImage): number => Math.max(0, i.size - (i.sharedSize ?? 0));

/** Which of `candidates` go, given the bytes earlier steps free already (`plannedFree`). */
export function planThreshold(candidates: readonly HostImage[], plannedFree: number, s: ThresholdSettings): ThresholdStep {
  const v = s.volume;
  const limit = `--allowed-volume-usage ${s.allowedVolumeUsage}%`;
  if (!v || v.totalBytes <= 0) return { remove: [], keptDetail: 'the volume usage is unknown, so the threshold step did not run', removeDetail: () => '' };
  const allowed = (s.allowedVolumeUsage / 100) * v.totalBytes;
  const after = v.usedBytes - plannedFree;
  if (v.usedBytes <= allowed || after <= allowed) {
    const at = v.usedBytes <= allowed ? `the volume ${v.path} is at ${percent(v.usedBytes, v.totalBytes)}` : `the earlier steps bring ${v.path} to about ${percent(after, v.totalBytes)}`;
    return { remove: [], keptDetail: `${at}, within ${limit}`, removeDetail: () => '' };
  }
  const targetBytes = (Math.max(0, s.allowedVolumeUsage - s.allowedVolumeUsageMargin) / 100) * v.totalBytes;
  const order = [...candidates].sort((a, b) => lastUsedMs(a) - lastUsedMs(b) || (a.id < b.id ? -1 : 1));
  const remove: HostImage[] = [];
  let free = plannedFree;
  for (const image of order) {
    if (v.usedBytes - free <= targetBytes) break;
    remove.push(image);
    free += uniqueBytes(image);
  }
  const reached = v.usedBytes - free <= targetBytes;
  const before = percent(v.usedBytes, v.totalBytes);
  const target = `${s.allowedVolumeUsage - s.allowedVolumeUsageMargin}%`;
  return {
    remove,
    threshold: { allowedPercent: s.allowedVolumeUsage, marginPercent: s.allowedVolumeUsageMargin, before: v, targetBytes, plannedFreeBytes: free, reached },
    keptDetail: reached ? `more recently used than the images removed to bring ${v.path} from ${before} to ${target}` : `the volume stays above ${target} after the removals (nothing else of the configured repositories may go)`,
    removeDetail: (image) => `least recently used (${new Date(lastUsedMs(image)).toISOString().slice(0, 10)}) while ${v.path} is at ${before}, above ${limit}; ` +
      `removed down to ${target} (margin ${s.allowedVolumeUsageMargin}), frees about ${formatBytes(uniqueBytes(image))}`,
  };
}
