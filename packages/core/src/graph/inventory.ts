/**
 * Reads what the planner needs from a registry through the `Registry` port: the listing, then the
 * manifests of listed digests and of index children, then the image configs. Fails closed: any read
 * that fails makes the inventory incomplete and throws.
 */
import { IncompleteInputError, InputError } from '../errors.js';
import type { Digest, ListedImage, Registry } from '../ports.js';
import { mapLimit } from '../util/pool.js';
import { attachmentTagSubject, buildGraph, type ImageGraph, type ReadFacts } from './graph.js';
import { parseConfig, parseManifest, type ManifestFacts } from './manifest.js';

export interface InventoryOptions {
  revisionKeys: readonly string[];
  /** Reads in flight at once. */
  concurrency: number;
  onProgress?: (done: number, total: number, what: string) => void;
}

export interface Inventory {
  listing: ListedImage[];
  graph: ImageGraph;
  /** Reads made through the port (a caching adapter may answer some from disk). */
  reads: { manifests: number; configs: number };
}

/**
 * Whether a listed digest's manifest is needed: not for a cosign-style attachment (every tag is
 * `sha256-<hex>.sig|.att|.sbom` or the referrers fallback tag): its subject is in its tag, and it
 * follows that subject (§3).
 */
function needsManifest(item: ListedImage): boolean {
  return item.tags.length === 0 || !item.tags.every((t) => attachmentTagSubject(t) !== undefined);
}

/**
 * Whether an index's children must be read: to map it through their labels (no revision annotation
 * of its own, §3.1) or to learn when it was built (the registry reports no push time).
 */
function needsChildren(m: ManifestFacts, item: ListedImage | undefined, revisionKeys: readonly string[]): boolean {
  const annotated = revisionKeys.some((k) => m.annotations[k] !== undefined);
  return !annotated || item?.pushedAt === undefined;
}

async function readAll<T>(
  registry: Registry,
  what: string,
  digests: Digest[],
  options: InventoryOptions,
  read: (d: Digest) => Promise<T>,
): Promise<Map<Digest, T>> {
  const out = new Map<Digest, T>();
  let done = 0;
  await mapLimit(digests, options.concurrency, async (d) => {
    try {
      out.set(d, await read(d));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new IncompleteInputError(`registry ${registry.name}`, `could not read ${what} ${d}: ${message}`,
        'nothing was deleted; run again when the registry answers', err);
    }
    done += 1;
    options.onProgress?.(done, digests.length, what);
  });
  return out;
}

export async function readInventory(registry: Registry, options: InventoryOptions): Promise<Inventory> {
  let listing: ListedImage[];
  try {
    listing = await registry.list();
  } catch (err) {
    if (err instanceof IncompleteInputError || err instanceof InputError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new IncompleteInputError(`registry ${registry.name}`, `could not list images: ${message}`,
      'nothing was deleted; check the registry address and credentials', err);
  }
  const manifests = new Map<Digest, ManifestFacts>();
  const byDigest = new Map<Digest, ListedImage>(listing.map((l) => [l.digest, l]));
  const knownChildren = new Set<Digest>();
  let manifestReads = 0;
  // Tagged digests first; then the untagged ones no index read so far lists as a child (an untagged
  // child of a tagged index is known from the index: on GHCR each read of it would count as a download).
  let pending = [...new Set(listing.filter((l) => l.tags.length > 0 && needsManifest(l)).map((l) => l.digest))];
  let untaggedQueued = false;
  while (pending.length > 0 || !untaggedQueued) {
    if (pending.length === 0) {
      untaggedQueued = true;
      pending = listing.filter((l) => l.tags.length === 0 && !manifests.has(l.digest) && !knownChildren.has(l.digest)).map((l) => l.digest);
      continue;
    }
    const read = await readAll(registry, 'manifest', pending, options, async (d) => parseManifest(await registry.getManifest(d)));
    manifestReads += read.size;
    const next = new Set<Digest>();
    for (const [d, m] of read) {
      manifests.set(d, m);
      for (const c of m.children) knownChildren.add(c.digest);
      if (m.children.length === 0 || !needsChildren(m, byDigest.get(d), options.revisionKeys)) continue;
      for (const c of m.children) if (!manifests.has(c.digest) && !read.has(c.digest)) next.add(c.digest);
    }
    pending = [...next].filter((d) => !manifests.has(d));
  }
  const configDigests = [...new Set([...manifests.values()].flatMap((m) => (m.configDigest ? [m.configDigest] : [])))];
  const configs = await readAll(registry, 'config', configDigests, options, async (d) => parseConfig(await registry.getBlobJson(d)));
  const facts: ReadFacts = { manifests, configs };
  return { listing, graph: buildGraph(listing, facts, options.revisionKeys), reads: { manifests: manifestReads, configs: configs.size } };
}
