/**
 * Manifest and config reads for a forge's registry whose listing and deletes go through the forge's
 * own API (GHCR's Packages API, GitLab's REST): an `OciRegistryClient` for the reads, counted by kind
 * (token, manifest, blob requests), behind the digest cache when one is given.
 */
import { RegistryError, type Digest, type RawManifest } from '@regsweep/core';
import { OciRegistryClient, type OciRegistryClientOptions } from './client.js';
import { withDigestCache, type CacheStats, type DigestCache } from './digest-cache.js';

export interface ManifestReads {
  getManifest(digest: Digest): Promise<RawManifest>;
  getBlobJson(digest: Digest): Promise<unknown>;
  /** Requests sent so far. */
  counts(): { tokens: number; manifests: number; blobs: number };
  cacheStats(): CacheStats | undefined;
}

export interface ManifestReaderOptions extends OciRegistryClientOptions {
  /** `HOST[:PORT]/NAME`, also the name in messages. */
  repository: string;
  cache?: { cache: DigestCache; readOnly: boolean };
}

export function createManifestReader(options: ManifestReaderOptions): ManifestReads {
  const { repository, cache, ...clientOptions } = options;
  const counts = { tokens: 0, manifests: 0, blobs: 0 };
  const base = clientOptions.fetch ?? globalThis.fetch;
  const counting: typeof globalThis.fetch = (input, init) => {
    const path = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).pathname;
    if (path.includes('/manifests/')) counts.manifests += 1;
    else if (path.includes('/blobs/')) counts.blobs += 1;
    else counts.tokens += 1;
    return base(input, init);
  };
  const client = new OciRegistryClient(repository, { ...clientOptions, fetch: counting });
  const getBlobJson = async (d: Digest): Promise<unknown> => {
    try {
      return JSON.parse((await client.getBlob(d)).toString('utf8')) as unknown;
    } catch (error) {
      if (error instanceof SyntaxError) throw new RegistryError(`${repository}: blob ${d} is not JSON`, { cause: error });
      throw error;
    }
  };
  if (cache === undefined) {
    return { getManifest: (d) => client.getManifest(d), getBlobJson, counts: () => ({ ...counts }), cacheStats: () => undefined };
  }
  const unsupported = (): never => {
    throw new RegistryError(`${repository}: the manifest reader does not list or delete`);
  };
  const cached = withDigestCache({
    name: repository,
    capabilities: { listsUntagged: false, deletesTagAlone: false },
    list: async () => unsupported(),
    getManifest: (d) => client.getManifest(d),
    getBlobJson,
    getManifestBytes: (d) => client.getManifestBytes(d),
    getBlob: (d) => client.getBlob(d),
    deleteImage: async () => unsupported(),
  }, cache.cache, { readOnly: cache.readOnly });
  return { getManifest: (d) => cached.getManifest(d), getBlobJson: (d) => cached.getBlobJson(d), counts: () => ({ ...counts }), cacheStats: () => cached.stats() };
}
