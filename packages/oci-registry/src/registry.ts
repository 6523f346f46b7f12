/**
 * The core `Registry` port over the OCI Distribution API. `list()` reads every tag, resolves each to its
 * digest with a HEAD (bounded concurrency) and groups tags by digest. The API cannot list untagged
 * manifests, and removing a single tag portably needs a throw-away push, so both capabilities are off.
 */
import {
  mapLimit,
  RegistryError,
  type DeleteOutcome,
  type Digest,
  type ListedImage,
  type RawManifest,
  type Registry,
  type RegistryCapabilities,
} from '@regsweep/core';
import { OciRegistryClient, type OciRegistryClientOptions } from './client.js';

export interface OciRegistryOptions extends OciRegistryClientOptions {
  /** HEAD requests in flight while listing (default 8). */
  concurrency?: number;
}

/** Opens `HOST[:PORT]/NAME` and checks that the registry answers and accepts the credentials. */
export async function openOciRegistry(ref: string, options: OciRegistryOptions = {}): Promise<OciRegistry> {
  const registry = new OciRegistry(new OciRegistryClient(ref, options), options.concurrency ?? 8);
  await registry.client.ping();
  return registry;
}

export class OciRegistry implements Registry {
  readonly name: string;
  readonly imageReference: string;
  readonly capabilities: RegistryCapabilities = { listsUntagged: false, deletesTagAlone: false };

  constructor(readonly client: OciRegistryClient, private readonly concurrency = 8) {
    this.name = client.name;
    this.imageReference = client.name;
  }

  async list(): Promise<ListedImage[]> {
    const tags = await this.client.listTags();
    const heads = await mapLimit(tags, this.concurrency, (tag) => this.client.headManifest(tag));
    const byDigest = new Map<Digest, ListedImage>();
    tags.forEach((tag, i) => {
      const head = heads[i];
      if (head === undefined) return; // deleted between listing and HEAD
      let image = byDigest.get(head.digest);
      if (image === undefined) {
        image = { digest: head.digest, tags: [] };
        if (head.mediaType !== '') image.mediaType = head.mediaType;
        if (head.size !== undefined) image.size = head.size;
        byDigest.set(head.digest, image);
      }
      image.tags.push(tag);
    });
    for (const image of byDigest.values()) image.tags.sort();
    return [...byDigest.values()];
  }

  getManifest(digest: Digest): Promise<RawManifest> {
    return this.client.getManifest(digest);
  }

  async getBlobJson(digest: Digest): Promise<unknown> {
    const bytes = await this.client.getBlob(digest);
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch (error) {
      throw new RegistryError(`${this.name}: blob ${digest} is not JSON`, { cause: error });
    }
  }

  deleteImage(image: ListedImage): Promise<DeleteOutcome> {
    return this.client.deleteManifest(image.digest);
  }
}
