/**
 * Blob garbage collection for an OCI layout. Marks from index.json entries: an index references its
 * `manifests`, a manifest its `config`, `layers` (and an artifact manifest's `blobs`). `subject` is a
 * weak reference: it does not keep its target alive.
 */
import { readFile, rm } from 'node:fs/promises';
import { blobPath, errno, type IndexEntry } from './layout-files.js';
import { descriptorDigest, isManifestMediaType, isRecord } from './media-types.js';

export interface Marked {
  reachable: Set<string>;
  /** False when a reachable manifest could not be read or parsed: its references are unknown. */
  complete: boolean;
}

export async function markReachable(dir: string, entries: readonly IndexEntry[]): Promise<Marked> {
  const reachable = new Set<string>();
  let complete = true;
  // Digests whose blob is a manifest or index to read for further references.
  const pending: string[] = [];
  const visit = (digest: string, isManifest: boolean): void => {
    if (reachable.has(digest)) return;
    reachable.add(digest);
    if (isManifest) pending.push(digest);
  };
  for (const entry of entries) visit(entry.digest, entry.mediaType === undefined || isManifestMediaType(entry.mediaType));

  for (let digest = pending.pop(); digest !== undefined; digest = pending.pop()) {
    const path = blobPath(dir, digest);
    if (path === undefined) continue;
    let body: unknown;
    try {
      body = JSON.parse(await readFile(path, 'utf8')) as unknown;
    } catch (error) {
      // A missing blob references nothing; anything else leaves its references unknown.
      if (errno(error) !== 'ENOENT') complete = false;
      continue;
    }
    if (!isRecord(body)) {
      complete = false;
      continue;
    }
    for (const child of arrayField(body, 'manifests')) {
      const d = descriptorDigest(child);
      if (d !== undefined) visit(d, true);
    }
    const config = descriptorDigest(body['config']);
    if (config !== undefined) visit(config, false);
    for (const field of ['layers', 'blobs']) {
      for (const item of arrayField(body, field)) {
        const d = descriptorDigest(item);
        if (d !== undefined) visit(d, false);
      }
    }
  }
  return { reachable, complete };
}

function arrayField(body: Record<string, unknown>, field: string): unknown[] {
  const value = body[field];
  return Array.isArray(value) ? value : [];
}

/**
 * Removes the blobs reachable from `before` that `after` no longer reaches. Only blobs that something
 * referenced before are candidates, so blobs another tool is writing right now are never touched.
 * Nothing is removed when the `after` marking was incomplete (an incomplete `before` only means fewer
 * candidates). Returns the removed digests.
 */
export async function sweep(dir: string, before: Marked, after: Marked): Promise<string[]> {
  if (!after.complete) return [];
  const removed: string[] = [];
  for (const digest of before.reachable) {
    if (after.reachable.has(digest)) continue;
    const path = blobPath(dir, digest);
    if (path === undefined) continue;
    await rm(path, { force: true });
    removed.push(digest);
  }
  return removed;
}
