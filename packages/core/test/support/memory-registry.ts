/** A registry in memory that serves what planRepository reads (listing, manifests, configs) and deletes. */
import type { DeleteOutcome, ListedImage, RawManifest, Registry } from '../../src/ports.js';
import { digestOf } from '@regsweep/test-kit/image-graph';

export class MemoryRegistry implements Registry {
  readonly capabilities = { listsUntagged: true, deletesTagAlone: false };
  /** Every digest deleted, in order. */
  readonly deleted: string[] = [];
  /** The image reference workloads pull by (for the in-use policy). */
  imageReference?: string;
  private listing: ListedImage[] = [];
  private readonly blobs = new Map<string, unknown>();
  constructor(readonly name: string) {}

  /** `layers`: blobs by name (the same name is the same blob) with their sizes. */
  image(spec: { name: string; tags: string[]; revision?: string; created: string; layers?: Array<{ name: string; size: number }> }): this {
    const config = { created: spec.created, config: { Labels: spec.revision ? { 'org.opencontainers.image.revision': spec.revision } : {} } };
    const configDigest = digestOf(`${spec.name}-config`);
    this.blobs.set(configDigest, config);
    const digest = digestOf(spec.name);
    this.blobs.set(digest, {
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: 1 },
      layers: (spec.layers ?? []).map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(`layer-${l.name}`), size: l.size })),
    });
    this.listing.push({ digest, tags: spec.tags });
    return this;
  }

  /** The tags still listed, sorted. */
  tags(): string[] {
    return this.listing.flatMap((l) => l.tags).sort();
  }

  async list(): Promise<ListedImage[]> {
    return this.listing.map((l) => ({ ...l, tags: [...l.tags] }));
  }

  async getManifest(digest: string): Promise<RawManifest> {
    const body = this.blobs.get(digest);
    if (body === undefined) throw new Error(`no manifest ${digest}`);
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', body };
  }

  async getBlobJson(digest: string): Promise<unknown> {
    return this.blobs.get(digest);
  }

  async deleteImage(image: ListedImage): Promise<DeleteOutcome> {
    const before = this.listing.length;
    this.listing = this.listing.filter((l) => l.digest !== image.digest);
    this.deleted.push(image.digest);
    return this.listing.length < before ? 'deleted' : 'gone';
  }
}
