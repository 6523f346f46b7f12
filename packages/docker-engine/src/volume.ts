/**
 * The usage of the file system that holds a folder (the engine's data root), as `df` counts it: used =
 * blocks in use, total = used + what this user may still write (blocks reserved for root do not count).
 */
import { statfs } from 'node:fs/promises';
import type { VolumeUsage } from '@regsweep/core';

export async function volumeUsage(path: string): Promise<VolumeUsage | undefined> {
  try {
    const s = await statfs(path);
    const used = (s.blocks - s.bfree) * s.bsize;
    return { path, usedBytes: used, totalBytes: used + s.bavail * s.bsize };
  } catch {
    // Not on this machine (an engine over tcp, a data root this user cannot see): unknown.
    return undefined;
  }
}
