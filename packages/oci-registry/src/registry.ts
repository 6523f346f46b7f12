/**
 * The core `Registry` port over the OCI Distribution API. `list()` reads every tag, resolves each to its
 * digest with a HEAD (bounded concurrency) and groups tags by digest. The API cannot list untagged
 * manifests; the exception is referrers: the children of a referrers fallback-tag index (`sha256-<hex>`,
 * what clients push where the registry has no referrers API) are listed untagged, so they can go with
 * their subject. Single tags are removed with `deleteTag` (OCI tag delete, else a throw-away push).
 * Deletion being disabled is detected once, before the first delete, by a harmless probe.
 */
import { RegistryError, type DeleteOutcome, type Digest, type ListedImage, type RawManifest, type Registry, type RegistryCapabilities } from '@regsweep/core';
import { mapLimit, resolveBracketed } from '@regsweep/core/internal';
import { indexDescriptors, OciRegistryClient, type Descriptor, type OciRegistryClientOptions } from './client.js';
import { TagDeleter, type TagDeleteMethod } from './tag-delete.js';

export interface OciRegistryOptions extends OciRegistryClientOptions {
  /** HEAD requests in flight while listing (default 8). */
  concurrency?: number;
  /**
   * Also ask the OCI 1.1 referrers API about every listed digest (one request each, only where the
   * registry has the API) and list the referrers it names as untagged images. Default false: only the
   * referrers fallback tags are expanded, which costs one manifest read per such tag.
   */
  listReferrers?: boolean;
  /**
   * How single tags are removed. Default `throw-away` (push a unique manifest to the tag, delete it):
   * safe everywhere. `learn` tries the OCI tag delete first; a registry that answers it by deleting the
   * whole manifest would take a kept digest with it on that first try, so it is opt-in.
   */
  tagDelete?: 'throw-away' | 'learn';
  /** Told when the tag list changed while it was read and the listing is read again. */
  onListingRetry?: (why: string) => void;
}

/** Reads a manifest by digest; the digest cache passes its own so `list()` reads through the cache. */
export type ManifestReader = (digest: Digest) => Promise<RawManifest>;

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

/** The referrers fallback tag of a digest: `sha256-<hex>` (OCI distribution-spec 1.1). */
export function referrersTag(digest: Digest): string {
  const [algorithm = '', hex = ''] = digest.split(':');
  return `${algorithm}-${hex}`.slice(0, 128);
}

const REFERRERS_TAG = /^sha(?:256-[0-9a-f]{64}|512-[0-9a-f]{128})$/;

/** Opens `HOST[:PORT]/NAME` and checks that the registry answers and accepts the credentials. */
export async function openOciRegistry(ref: string, options: OciRegistryOptions = {}): Promise<OciRegistry> {
  const registry = new OciRegistry(new OciRegistryClient(ref, options), options.concurrency ?? 8, options);
  await registry.client.ping();
  return registry;
}

export class OciRegistry implements Registry {
  readonly name: string;
  readonly imageReference: string;
  /**
   * Tags can always be removed alone where deletes work at all (the throw-away method needs only push
   * and delete rights); where deletion is disabled the first delete stops the run with a clear error.
   */
  readonly capabilities: RegistryCapabilities = { listsUntagged: false, deletesTagAlone: true };
  readonly afterDeleting =
    'a registry frees the layers of deleted images, and drops the untagged children of deleted multi-arch indexes, only when its garbage ' +
    'collector runs: for CNCF distribution, `registry garbage-collect --delete-untagged /etc/docker/registry/config.yml` with the registry stopped or read-only';
  private readonly listReferrers: boolean;
  private readonly onListingRetry: ((why: string) => void) | undefined;
  private readonly tags: TagDeleter;
  private deletable: Promise<void> | undefined;
  /** Whether the registry has the referrers API, once known. */
  private referrersApi: boolean | undefined;

  constructor(readonly client: OciRegistryClient, private readonly concurrency = 8, options: Pick<OciRegistryOptions, 'listReferrers' | 'tagDelete' | 'onListingRetry'> = {}) {
    this.name = client.name;
    this.imageReference = client.name;
    this.listReferrers = options.listReferrers ?? false;
    this.onListingRetry = options.onListingRetry;
    this.tags = new TagDeleter(client, undefined, options.tagDelete === 'learn' ? undefined : 'throw-away');
  }

  async list(readManifest: ManifestReader = (d) => this.getManifest(d)): Promise<ListedImage[]> {
    // Tags listed, resolved, listed again; a listed tag that does not resolve stops the run (listing-check.ts).
    const heads = await resolveBracketed({
      input: `registry ${this.name} listing`,
      listNames: () => this.client.listTags(),
      resolve: (tag) => this.client.headManifest(tag),
      concurrency: this.concurrency,
      pause: (attempt) => this.client.pause(attempt),
      ...(this.onListingRetry ? { onRetry: this.onListingRetry } : {}),
    });
    const byDigest = new Map<Digest, ListedImage>();
    for (const [tag, head] of heads) {
      let image = byDigest.get(head.digest);
      if (image === undefined) {
        image = { digest: head.digest, tags: [] };
        if (head.mediaType !== '') image.mediaType = head.mediaType;
        if (head.size !== undefined) image.size = head.size;
        byDigest.set(head.digest, image);
      }
      image.tags.push(tag);
    }
    for (const image of byDigest.values()) image.tags.sort();
    const tagged = [...byDigest.values()];
    // Referrers fallback indexes: their children are the referrers (signatures, SBOMs) of the subject.
    const fallbacks = tagged.filter((i) => i.tags.some((t) => REFERRERS_TAG.test(t)) && (i.mediaType === undefined || INDEX_TYPES.has(i.mediaType)));
    const indexes = await mapLimit(fallbacks, this.concurrency, (i) => readManifest(i.digest));
    for (const index of indexes) this.addUntagged(byDigest, indexDescriptors(index.body));
    if (this.listReferrers) await this.addApiReferrers(byDigest);
    return [...byDigest.values()];
  }

  getManifest(digest: Digest): Promise<RawManifest> {
    return this.client.getManifest(digest);
  }

  getManifestBytes(digest: Digest): Promise<{ mediaType: string; bytes: Buffer }> {
    return this.client.getManifestBytes(digest);
  }

  getBlob(digest: Digest): Promise<Buffer> {
    return this.client.getBlob(digest);
  }

  async getBlobJson(digest: Digest): Promise<unknown> {
    const bytes = await this.client.getBlob(digest);
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch (error) {
      throw new RegistryError(`${this.name}: blob ${digest} is not JSON`, { cause: error });
    }
  }

  /**
   * Throws the clear "deletion is disabled" error (405), or a permission error, before anything is
   * deleted. Sent at most once (again only after a transient failure); `deleteImage` and `deleteTag`
   * call it themselves, so a dry run, which deletes nothing, never sends it.
   */
  checkDeletable(): Promise<void> {
    this.deletable ??= this.client.checkDeletable().catch((error: unknown) => {
      if (error instanceof RegistryError && error.transient) this.deletable = undefined;
      throw error;
    });
    return this.deletable;
  }

  async deleteImage(image: ListedImage): Promise<DeleteOutcome> {
    await this.checkDeletable();
    return this.client.deleteManifest(image.digest);
  }

  /** Removes one tag and leaves its digest and other tags alone; 'gone' when the tag no longer exists. */
  async deleteTag(tag: string): Promise<DeleteOutcome> {
    await this.checkDeletable();
    return this.tags.deleteTag(tag);
  }

  /** How `deleteTag` removes tags here, once the first one has been removed. */
  get tagDeleteMethod(): TagDeleteMethod | undefined {
    return this.tags.current;
  }

  /**
   * Digests of the manifests whose `subject` is `digest`: the OCI 1.1 referrers API, or where the
   * registry has none (404), the index under the fallback tag `sha256-<hex>` ([] when that tag is absent).
   */
  async referrers(digest: Digest): Promise<Digest[]> {
    if (this.referrersApi !== false) {
      const found = await this.client.getReferrers(digest);
      this.referrersApi = found !== undefined;
      if (found !== undefined) return found.map((d) => d.digest);
    }
    const fallback = await this.client.getManifestByTag(referrersTag(digest));
    return fallback === undefined ? [] : indexDescriptors(fallback.manifest.body).map((d) => d.digest);
  }

  private addUntagged(byDigest: Map<Digest, ListedImage>, found: readonly Descriptor[]): Digest[] {
    const added: Digest[] = [];
    for (const d of found) {
      if (byDigest.has(d.digest)) continue;
      byDigest.set(d.digest, { digest: d.digest, tags: [], ...(d.mediaType !== '' ? { mediaType: d.mediaType } : {}), ...(d.size !== undefined ? { size: d.size } : {}) });
      added.push(d.digest);
    }
    return added;
  }

  /** Referrers through the API, level by level (referrers of referrers too); nothing where it is absent. */
  private async addApiReferrers(byDigest: Map<Digest, ListedImage>): Promise<void> {
    const asked = new Set<Digest>();
    let pending = [...byDigest.keys()];
    const first = pending[0];
    if (this.referrersApi === undefined && first !== undefined) {
      const found = await this.client.getReferrers(first);
      this.referrersApi = found !== undefined;
      if (found === undefined) return;
      asked.add(first);
      pending.push(...this.addUntagged(byDigest, found));
    }
    if (this.referrersApi === false) return;
    while (pending.length > 0) {
      const batch = [...new Set(pending)].filter((d) => !asked.has(d));
      for (const d of batch) asked.add(d);
      const answers = await mapLimit(batch, this.concurrency, (d) => this.client.getReferrers(d));
      pending = answers.flatMap((found) => this.addUntagged(byDigest, found ?? []));
    }
  }
}
