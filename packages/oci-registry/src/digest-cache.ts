/**
 * A digest-keyed on-disk cache of manifests and image configs. Content addressed by digest never
 * changes, so a second run reads nothing it has read before (on GHCR every manifest GET counts as a
 * download). Entries are the exact bytes under `<dir>/<algorithm>/<hex>`, checked against the digest on
 * every read (a corrupt or truncated entry is ignored and rewritten); a manifest also has the media
 * type it was served with in `<hex>.media-type`. Writes are atomic (temporary file, then rename).
 * Nothing addressed by a tag is ever cached. A hit sets the entry's access time, so whoever keeps the
 * folder can drop entries no run uses any more (the Action does). In read-only mode (a dry run: "no
 * cache record") the cache is read but never written, created, repaired or marked.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { RegistryError, type DeleteOutcome, type Digest, type ListedImage, type RawManifest, type Registry } from '@regsweep/core';
import { makeFolders } from '@regsweep/node-host';
import { toRawManifest } from './client.js';
import { isDigest, matchesDigest } from './http-util.js';
import type { ManifestReader } from './registry.js';

/** `$XDG_CACHE_HOME/regsweep` when XDG_CACHE_HOME is an absolute path, else `<homedir>/.cache/regsweep`. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>, homedir: string): string {
  const xdg = env['XDG_CACHE_HOME'];
  return xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? join(xdg, 'regsweep') : join(homedir, '.cache', 'regsweep');
}

export class DigestCache {
  /** Entries found whose bytes did not match their digest (ignored). */
  corrupt = 0;
  private readonly made = new Set<string>();

  constructor(readonly dir: string) {}

  /** Where the bytes of `digest` live; throws on anything that is not a digest (no path tricks). */
  pathOf(digest: Digest): string {
    if (!isDigest(digest)) throw new RegistryError(`digest cache: "${digest}" is not a digest`);
    const [algorithm = '', hex = ''] = digest.split(':');
    return join(this.dir, algorithm, hex);
  }

  /** The cached bytes, or undefined when absent, unreadable or not matching the digest. */
  async read(digest: Digest): Promise<Buffer | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(digest));
    } catch {
      return undefined;
    }
    if (matchesDigest(bytes, digest)) return bytes;
    this.corrupt += 1;
    return undefined;
  }

  /** A cached manifest: its verified bytes and the media type it was served with. */
  async readManifest(digest: Digest): Promise<{ mediaType: string; bytes: Buffer } | undefined> {
    let mediaType: string;
    try {
      mediaType = (await readFile(`${this.pathOf(digest)}.media-type`, 'utf8')).trim();
    } catch {
      return undefined;
    }
    const bytes = await this.read(digest);
    return bytes === undefined ? undefined : { mediaType, bytes };
  }

  /**
   * Marks an entry used by this run: its access time becomes now, its modification time stays (so a
   * keeper of the folder, like the Action's, can drop what no run uses any more). Best effort.
   */
  async markUsed(digest: Digest): Promise<void> {
    const path = this.pathOf(digest);
    for (const file of [path, `${path}.media-type`]) {
      await stat(file).then((s) => utimes(file, new Date(), s.mtime)).catch(() => undefined);
    }
  }

  /** Stores bytes under their digest (refuses bytes that do not match it). */
  async write(digest: Digest, bytes: Uint8Array): Promise<void> {
    if (!matchesDigest(bytes, digest)) throw new RegistryError(`digest cache: the bytes given for ${digest} do not match it`);
    await this.atomicWrite(this.pathOf(digest), bytes);
  }

  /** Stores a manifest: the media type first, so bytes present means the media type is too. */
  async writeManifest(digest: Digest, mediaType: string, bytes: Uint8Array): Promise<void> {
    if (!matchesDigest(bytes, digest)) throw new RegistryError(`digest cache: the bytes given for ${digest} do not match it`);
    const path = this.pathOf(digest);
    await this.atomicWrite(`${path}.media-type`, Buffer.from(`${mediaType}\n`));
    await this.atomicWrite(path, bytes);
  }

  private async atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
    const dir = join(path, '..');
    if (!this.made.has(dir)) {
      // Not mkdir's recursive option: it never settles for a folder in /proc (a cache dir there would hang the run).
      await makeFolders(dir, 0o700);
      this.made.add(dir);
    }
    const temp = join(dir, `.${randomBytes(6).toString('hex')}.${process.pid}.tmp`);
    try {
      await writeFile(temp, bytes, { flag: 'wx', mode: 0o600 });
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  }
}

export interface CacheStats {
  /** Manifest and config reads answered from the cache. */
  hits: number;
  /** Reads that went to the registry. */
  misses: number;
  /** Entries written (0 in read-only mode). */
  writes: number;
  /** Cached entries ignored because their bytes did not match the digest. */
  corrupt: number;
  /** Writes that failed (the run goes on; the cache is only an optimisation). */
  writeErrors: number;
  /** The first write failure's message. */
  firstWriteError?: string;
}

/** What the decorator needs beyond the port: the exact bytes, and a `list()` that reads through it. */
export interface CacheableRegistry extends Registry {
  getManifestBytes(digest: Digest): Promise<{ mediaType: string; bytes: Buffer }>;
  getBlob(digest: Digest): Promise<Buffer>;
  list(readManifest?: ManifestReader): Promise<ListedImage[]>;
  deleteTag?(tag: string): Promise<DeleteOutcome>;
}

export interface CachedRegistry extends Registry {
  stats(): CacheStats;
}

export interface DigestCacheOptions {
  /** Read the cache, never write it (a dry run). */
  readOnly: boolean;
}

/**
 * Answers `getManifest` and `getBlobJson` from the cache and fills it with what the registry returns.
 * Everything else passes through (a registry's `list()` reads its referrers fallback indexes through
 * the cache too).
 */
export function withDigestCache(registry: CacheableRegistry, cache: DigestCache, options: DigestCacheOptions): CachedRegistry {
  const counts = { hits: 0, misses: 0, writes: 0, writeErrors: 0 };
  let firstWriteError: string | undefined;
  const store = async (write: () => Promise<void>): Promise<void> => {
    if (options.readOnly) return;
    try {
      await write();
      counts.writes += 1;
    } catch (error) {
      counts.writeErrors += 1;
      firstWriteError ??= error instanceof Error ? error.message : String(error);
    }
  };
  const getManifest = async (digest: Digest): Promise<RawManifest> => {
    if (!isDigest(digest)) return registry.getManifest(digest); // a tag moves: never cached
    const hit = await cache.readManifest(digest);
    if (hit !== undefined) {
      counts.hits += 1;
      if (!options.readOnly) await cache.markUsed(digest);
      return toRawManifest(hit.bytes, hit.mediaType, `${registry.name}: cached manifest ${digest}`);
    }
    counts.misses += 1;
    const got = await registry.getManifestBytes(digest);
    const raw = toRawManifest(got.bytes, got.mediaType, `${registry.name}: manifest ${digest}`);
    await store(() => cache.writeManifest(digest, got.mediaType, got.bytes));
    return raw;
  };
  const getBlobJson = async (digest: Digest): Promise<unknown> => {
    if (!isDigest(digest)) return registry.getBlobJson(digest);
    const cachedBytes = await cache.read(digest);
    const hit = cachedBytes !== undefined;
    counts[hit ? 'hits' : 'misses'] += 1;
    if (hit && !options.readOnly) await cache.markUsed(digest);
    const bytes = cachedBytes ?? (await registry.getBlob(digest));
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8')) as unknown;
    } catch (error) {
      throw new RegistryError(`${registry.name}: blob ${digest} is not JSON`, { cause: error });
    }
    if (!hit) await store(() => cache.write(digest, bytes));
    return parsed;
  };
  const deleteTag = registry.deleteTag?.bind(registry);
  const checkDeletable = registry.checkDeletable?.bind(registry);
  const cached: CachedRegistry = {
    name: registry.name,
    ...(registry.imageReference !== undefined ? { imageReference: registry.imageReference } : {}),
    capabilities: registry.capabilities,
    ...(registry.readConcurrency !== undefined ? { readConcurrency: registry.readConcurrency } : {}),
    ...(registry.afterDeleting !== undefined ? { afterDeleting: registry.afterDeleting } : {}),
    readsFromCache: () => counts.hits,
    list: () => registry.list(getManifest),
    getManifest,
    getBlobJson,
    deleteImage: (image) => registry.deleteImage(image),
    ...(deleteTag !== undefined ? { deleteTag } : {}),
    ...(checkDeletable !== undefined ? { checkDeletable } : {}),
    stats: () => ({ ...counts, corrupt: cache.corrupt, ...(firstWriteError !== undefined ? { firstWriteError } : {}) }),
  };
  return cached;
}
