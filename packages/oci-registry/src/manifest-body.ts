/** Reading manifest bodies: the media type a manifest declares, and the descriptors of an index. */
import type { Digest, RawManifest } from '@regsweep/core';
import { isDigest } from './http-util.js';
import { parseJson } from './registry-http.js';

/** A descriptor in an index (referrers answers, referrers fallback-tag indexes). */
export interface Descriptor {
  digest: Digest;
  mediaType: string;
  size?: number;
  artifactType?: string;
}

/** A manifest's parsed body with its own `mediaType`, else the media type it was served (or stored) with. */
export function toRawManifest(bytes: Buffer, servedMediaType: string, context: string): RawManifest {
  const body = parseJson(bytes, context);
  const own = typeof body === 'object' && body !== null && 'mediaType' in body && typeof body.mediaType === 'string' ? body.mediaType : undefined;
  return { mediaType: own ?? servedMediaType, body };
}

/** The `manifests` descriptors of an index body (digests validated; anything else skipped). */
export function indexDescriptors(body: unknown): Descriptor[] {
  const list = typeof body === 'object' && body !== null && 'manifests' in body && Array.isArray(body.manifests) ? (body.manifests as unknown[]) : [];
  const out: Descriptor[] = [];
  for (const m of list) {
    if (typeof m !== 'object' || m === null) continue;
    const d = m as Record<string, unknown>;
    if (typeof d['digest'] !== 'string' || !isDigest(d['digest'])) continue;
    out.push({
      digest: d['digest'],
      mediaType: typeof d['mediaType'] === 'string' ? d['mediaType'] : '',
      ...(typeof d['size'] === 'number' ? { size: d['size'] } : {}),
      ...(typeof d['artifactType'] === 'string' ? { artifactType: d['artifactType'] } : {}),
    });
  }
  return out;
}
