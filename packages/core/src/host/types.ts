/** What host cleanup decides (docs/host-cleanup.md): the plan's types. */
import type { HostContainer } from '../ports.js';

/** Why an image of a configured repository stays on the host. */
export type HostKeepReason =
  /** A container uses it (running, or stopped without --remove-stopped-containers). */
  | 'in-use'
  /** Built less than the safety window ago. */
  | 'recent'
  /** The registry still has its digest or one of its tags. */
  | 'in-registry'
  /** The volume is below the threshold, or enough was freed before it was reached. */
  | 'space-left';

/** The step that removes an image, in the order they run. */
export type HostStep = 'registry-sync' | 'leftover' | 'over-threshold' | 'purge';

export interface HostKept {
  id: string;
  repository: string;
  tags: string[];
  reasons: Array<{ reason: HostKeepReason; detail: string }>;
}

export interface HostRemoval {
  id: string;
  repository: string;
  /** Its tags (`repo:tag`) as listed; removed one by one, and by id when it has none. */
  tags: string[];
  step: HostStep;
  why: string;
  /** Bytes, shared layers included, and the bytes only it holds (the engine's sizes). */
  size: number;
  uniqueSize: number;
  created: Date;
  /** Its last tag or pull time as planned, where the engine keeps it (a later one on the re-check means it was used since). */
  lastTagTime?: Date;
  /** Stopped containers removed first (with --remove-stopped-containers). */
  containers: HostContainer[];
}

/** The volume that holds the engine's data: bytes used and in all. */
export interface VolumeUsage {
  path: string;
  usedBytes: number;
  totalBytes: number;
}

export interface HostPlan {
  engine: string;
  kept: HostKept[];
  /** In removal order: registry sync, leftovers (children before parents), over the threshold (least recently used first). */
  remove: HostRemoval[];
  /** Images of repositories regsweep was not told about (never touched). */
  untouched: number;
  /** The threshold step: what it aimed at and how far the plan's sizes say it gets. */
  threshold?: { allowedPercent: number; marginPercent: number; before: VolumeUsage; targetBytes: number; plannedFreeBytes: number; reached: boolean };
  warnings: string[];
}
