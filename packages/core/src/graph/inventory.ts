/**
 * Reads what the planner needs from a registry through the `Registry` port: the listing, then the
 * manifests and configs the plan can depend on (docs/cleanup-semantics.md §3.4, reads by need), and
 * nothing else: on GHCR every manifest read counts as a package download. Fails closed: any read that
 * fails makes the inventory incomplete and throws.
 */
import { IncompleteInputError, InputError } from '../errors.js';
import type { Digest, ListedImage, Registry } from '../ports.js';
import { mapLimit } from '../util/pool.js';
import { attachmentTagSubject, buildGraph, isReferrersTag, type ImageGraph, type ReadFacts } from './graph.js';
import { MEDIA, parseConfig, parseManifest, type ManifestFacts } from './manifest.js';

export interface InventoryOptions {
  revisionKeys: readonly string[];
  /** Reads in flight at once. */
  concurrency: number;
  onProgress?: (done: number, total: number, what: string) => void;
  /**
   * Whether an untagged digest that no read index lists needs its manifest read. Absent: every one
   * (its manifest may make it an attachment or an index). The pipeline passes `untaggedNeedsRead`.
   */
  untaggedNeedsRead?: (item: ListedImage) => boolean;
}

export interface Inventory {
  listing: ListedImage[];
  graph: ImageGraph;
  /** Reads made through the port (a caching adapter may answer some from disk). */
  reads: { manifests: number; configs: number };
}

const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA.ociIndex, MEDIA.dockerList]);

/**
 * Whether a listed digest's manifest is needed: not for a cosign-style attachment (every tag is
 * `sha256-<hex>.sig|.att|.sbom`): its subject is in its tag, and it follows that subject (§3). A
 * referrers index (the bare `sha256-<hex>` fallback tag) is read: its children are the subject's
 * referrers, untagged versions that only it names, kept with the subject (§3.4, §5).
 */
function needsManifest(item: ListedImage): boolean {
  if (item.tags.length === 0 || item.tags.some((t) => isReferrersTag(t))) return true;
  return !item.tags.every((t) => attachmentTagSubject(t) !== undefined);
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
  await mapLimit(digests, registry.readConcurrency ?? options.concurrency, async (d) => {
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
  const listing = await listImages(registry);
  const byDigest = new Map<Digest, ListedImage>(listing.map((l) => [l.digest, l]));
  const { manifests, reads, needConfig } = await readManifests(registry, listing, byDigest, options);
  const configDigests = [...new Set([...needConfig].flatMap((d) => manifests.get(d)?.configDigest ?? []))];
  const configs = await readAll(registry, 'config', configDigests, options, async (d) => parseConfig(await registry.getBlobJson(d)));
  const facts: ReadFacts = { manifests, configs };
  return { listing, graph: buildGraph(listing, facts, options.revisionKeys), reads: { manifests: reads, configs: configs.size } };
}

async function listImages(registry: Registry): Promise<ListedImage[]> {
  try {
    return await registry.list();
  } catch (err) {
    if (err instanceof IncompleteInputError || err instanceof InputError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new IncompleteInputError(`registry ${registry.name}`, `could not list images: ${message}`,
      'nothing was deleted; check the registry address and credentials', err);
  }
}

/**
 * Manifests by need (§3.4): every tagged digest but cosign-style attachments (their subject is in the
 * tag); the children of an index whose own manifest does not decide it (no revision annotation, or no
 * push time); an untagged digest that no read index lists only where `untaggedNeedsRead` says its
 * manifest can change its fate. `needConfig`: the read manifests whose config can: tagged images and
 * children (their labels), and any image without a push time (its build time).
 */
async function readManifests(registry: Registry, listing: readonly ListedImage[], byDigest: ReadonlyMap<Digest, ListedImage>, options: InventoryOptions):
  Promise<{ manifests: Map<Digest, ManifestFacts>; reads: number; needConfig: Set<Digest> }> {
  const manifests = new Map<Digest, ManifestFacts>();
  const needConfig = new Set<Digest>();
  const knownChildren = new Set<Digest>();
  // A repository that uses the referrers tag schema may hold referrers no current referrers index lists
  // (two pushes racing to update the tag): there every untagged digest is read, as it may be one.
  const usesReferrersTags = listing.some((l) => l.tags.some((t) => isReferrersTag(t)));
  const untaggedNeedsRead = usesReferrersTags ? (): boolean => true : options.untaggedNeedsRead ?? ((): boolean => true);
  let reads = 0;
  // Tagged digests first; then the untagged ones no index read so far lists as a child (an untagged
  // child of a tagged index is known from the index: on GHCR each read of it would count as a download).
  let pending = [...new Set(listing.filter((l) => l.tags.length > 0 && needsManifest(l)).map((l) => l.digest))];
  let untaggedQueued = false;
  // The round of untagged digests: their push time dates them, so their configs are not needed.
  let untaggedRound = false;
  while (pending.length > 0 || !untaggedQueued) {
    if (pending.length === 0) {
      untaggedQueued = true;
      pending = listing.filter((l) => l.tags.length === 0 && !manifests.has(l.digest) && !knownChildren.has(l.digest) && untaggedNeedsRead(l)).map((l) => l.digest);
      untaggedRound = true;
      continue;
    }
    const read = await readAll(registry, 'manifest', pending, options, async (d) => parseManifest(await registry.getManifest(d)));
    reads += read.size;
    const next = new Set<Digest>();
    for (const [d, m] of read) {
      manifests.set(d, m);
      if (!untaggedRound || byDigest.get(d)?.pushedAt === undefined) needConfig.add(d);
      for (const c of m.children) knownChildren.add(c.digest);
      // A child that is an index itself is always read: its own children are known only from it.
      const all = m.children.length > 0 && needsChildren(m, byDigest.get(d), options.revisionKeys);
      for (const c of m.children) {
        if ((all || INDEX_TYPES.has(c.mediaType)) && !manifests.has(c.digest) && !read.has(c.digest)) next.add(c.digest);
      }
    }
    pending = [...next].filter((d) => !manifests.has(d));
    untaggedRound = false;
  }
  return { manifests, reads, needConfig };
}
