import { createHash } from 'node:crypto';

/** Media types an OCI layout holds. */
export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  cosignSimpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
} as const;

/** The annotation an index.json entry carries its tag in. */
export const REF_NAME = 'org.opencontainers.image.ref.name';

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaTypes.ociIndex || mediaType === MediaTypes.dockerManifestList;
}

export function isManifestMediaType(mediaType: string | undefined): boolean {
  return (
    mediaType === MediaTypes.ociManifest ||
    mediaType === MediaTypes.dockerManifest ||
    mediaType === 'application/vnd.oci.artifact.manifest.v1+json' ||
    isIndexMediaType(mediaType)
  );
}

/** Guesses a manifest's media type from its shape when neither it nor its descriptor says. */
export function guessManifestMediaType(body: unknown): string {
  if (isRecord(body) && Array.isArray(body['manifests'])) return MediaTypes.ociIndex;
  return MediaTypes.ociManifest;
}

const HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

/** `sha256:<hex>` split into algorithm and hex, or undefined when it is not a digest this layout can store. */
export function parseDigest(digest: string): { algorithm: string; hex: string } | undefined {
  const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(digest);
  if (!m) return undefined;
  const algorithm = m[1] ?? '';
  const hex = m[2] ?? '';
  if (HEX_LENGTH[algorithm] !== hex.length) return undefined;
  return { algorithm, hex };
}

export function digestOf(bytes: Uint8Array, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A content descriptor as far as this package needs it. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
  data?: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Reads `{ digest }` out of an unknown descriptor-like value. */
export function descriptorDigest(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const digest = value['digest'];
  return typeof digest === 'string' ? digest : undefined;
}
