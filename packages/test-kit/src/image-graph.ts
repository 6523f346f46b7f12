/** Builds image graphs for planner tests (core's and the adapters') without a registry: images, indexes, attachments. */
import { createHash } from 'node:crypto';
import { type ListedImage } from '@regsweep/core';
import { buildGraph, type ConfigFacts, type ImageGraph, type ManifestFacts } from '@regsweep/core/internal';

export const digestOf = (name: string): string => `sha256:${createHash('sha256').update(name).digest('hex')}`;

export interface ImageSpec {
  name: string;
  tags?: string[];
  revision?: string;
  created?: string;
  pushedAt?: string;
  /** Not listed by the registry (an index child on an OCI registry). */
  unlisted?: boolean;
}

export class GraphBuilder {
  private readonly listing: ListedImage[] = [];
  private readonly manifests = new Map<string, ManifestFacts>();
  private readonly configs = new Map<string, ConfigFacts>();

  image(spec: ImageSpec): string {
    const digest = digestOf(spec.name);
    const configDigest = digestOf(`${spec.name}-config`);
    this.manifests.set(digest, { kind: 'image', mediaType: 'application/vnd.oci.image.manifest.v1+json', configDigest, children: [], annotations: {} });
    this.configs.set(configDigest, {
      labels: spec.revision ? { 'org.opencontainers.image.revision': spec.revision } : {},
      ...(spec.created ? { created: new Date(spec.created) } : {}),
    });
    if (!spec.unlisted) this.list(digest, spec.tags ?? [], spec.pushedAt);
    return digest;
  }

  index(spec: { name: string; tags?: string[]; children: string[]; revision?: string; pushedAt?: string }): string {
    const digest = digestOf(spec.name);
    this.manifests.set(digest, {
      kind: 'index', mediaType: 'application/vnd.oci.image.index.v1+json',
      children: spec.children.map((d) => ({ digest: d, mediaType: 'application/vnd.oci.image.manifest.v1+json' })),
      annotations: spec.revision ? { 'org.opencontainers.image.revision': spec.revision } : {},
    });
    this.list(digest, spec.tags ?? [], spec.pushedAt);
    return digest;
  }

  /** A cosign-style signature tag `sha256-<hex>.sig`. */
  signature(subject: string, suffix = 'sig'): string {
    const digest = digestOf(`sig-of-${subject}-${suffix}`);
    this.manifests.set(digest, { kind: 'image', mediaType: 'application/vnd.oci.image.manifest.v1+json', children: [], annotations: {} });
    this.list(digest, [`${subject.replace(':', '-')}.${suffix}`]);
    return digest;
  }

  /** An OCI 1.1 referrer (manifest `subject`), untagged. */
  referrer(subject: string, name: string): string {
    const digest = digestOf(name);
    this.manifests.set(digest, { kind: 'image', mediaType: 'application/vnd.oci.image.manifest.v1+json', children: [], annotations: {}, subject });
    this.list(digest, []);
    return digest;
  }

  private list(digest: string, tags: string[], pushedAt?: string): void {
    this.listing.push({ digest, tags, ...(pushedAt ? { pushedAt: new Date(pushedAt) } : {}) });
  }

  build(): ImageGraph {
    return buildGraph(this.listing, { manifests: this.manifests, configs: this.configs }, ['org.opencontainers.image.revision']);
  }
}
