/** Pure parsing of manifests and image configs into the facts the planner needs. */
import type { Digest, RawManifest } from '../ports.js';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/** Accept header a registry client sends for manifests. */
export const MANIFEST_ACCEPT = [MEDIA.ociManifest, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.dockerList].join(', ');

export interface ChildRef {
  digest: Digest;
  mediaType: string;
  platform?: string;
}

/** A blob an image manifest names (its config or a layer) with the size the manifest gives. */
export interface BlobRef {
  digest: Digest;
  size: number;
}

export interface ManifestFacts {
  kind: 'image' | 'index' | 'unknown';
  mediaType: string;
  /** Image config digest when the config is an image config (not an artifact's). */
  configDigest?: Digest;
  artifactType?: string;
  children: ChildRef[];
  subject?: Digest;
  annotations: Record<string, string>;
  /** An image manifest's config and layers, where the descriptors give a size. */
  blobs?: BlobRef[];
}

export interface ConfigFacts {
  labels: Record<string, string>;
  created?: Date;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

function blobRefs(descriptors: readonly unknown[]): BlobRef[] {
  const out: BlobRef[] = [];
  for (const d of descriptors) {
    const digest = descriptorDigest(d);
    const size = isObject(d) ? d.size : undefined;
    if (digest && typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) out.push({ digest, size });
  }
  return out;
}

function descriptorDigest(v: unknown): Digest | undefined {
  return isObject(v) && typeof v.digest === 'string' ? v.digest : undefined;
}

export function parseManifest(raw: RawManifest): ManifestFacts {
  const body = isObject(raw.body) ? raw.body : {};
  const mediaType = typeof body.mediaType === 'string' ? body.mediaType : raw.mediaType;
  const annotations = stringRecord(body.annotations);
  const subject = descriptorDigest(body.subject);
  const artifactType = typeof body.artifactType === 'string' ? body.artifactType : undefined;
  const base = { mediaType, annotations, ...(subject ? { subject } : {}), ...(artifactType ? { artifactType } : {}) };
  if (Array.isArray(body.manifests) || mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList) {
    const children: ChildRef[] = [];
    for (const m of Array.isArray(body.manifests) ? body.manifests : []) {
      const digest = descriptorDigest(m);
      if (!digest || !isObject(m)) continue;
      const p = isObject(m.platform) ? m.platform : undefined;
      const platform = p && typeof p.os === 'string' && typeof p.architecture === 'string'
        ? `${p.os}/${p.architecture}${typeof p.variant === 'string' ? `/${p.variant}` : ''}` : undefined;
      children.push({ digest, mediaType: typeof m.mediaType === 'string' ? m.mediaType : '', ...(platform ? { platform } : {}) });
    }
    return { kind: 'index', children, ...base };
  }
  if (isObject(body.config)) {
    const configMedia = typeof body.config.mediaType === 'string' ? body.config.mediaType : '';
    const configDigest = descriptorDigest(body.config);
    const isImageConfig = configMedia === MEDIA.ociConfig || configMedia === MEDIA.dockerConfig;
    const blobs = blobRefs([body.config, ...(Array.isArray(body.layers) ? body.layers : [])]);
    return { kind: 'image', children: [], ...base, ...(isImageConfig && configDigest ? { configDigest } : {}), ...(blobs.length > 0 ? { blobs } : {}) };
  }
  return { kind: 'unknown', children: [], ...base };
}

export function parseConfig(body: unknown): ConfigFacts {
  const b = isObject(body) ? body : {};
  const config = isObject(b.config) ? b.config : isObject(b.Config) ? b.Config : {};
  const labels = stringRecord(config.Labels);
  const created = typeof b.created === 'string' ? new Date(b.created) : undefined;
  return { labels, ...(created && !Number.isNaN(created.getTime()) ? { created } : {}) };
}
