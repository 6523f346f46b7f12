/**
 * Pushes test images to a registry over the Distribution HTTP API (monolithic POST + PUT uploads):
 * images with revision labels and created times, multi-arch indexes, cosign-style signature tags.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const run = promisify(execFile);

export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  cosignSig: 'application/vnd.dev.cosign.simplesigning.v1+json',
} as const;

export interface PushedManifest {
  digest: string;
  mediaType: string;
  size: number;
}

export interface PushedImage extends PushedManifest {
  configDigest: string;
}

export interface ImageSpec {
  tags?: string[];
  revision?: string;
  labels?: Record<string, string>;
  created?: string;
  architecture?: string;
}

const digestOf = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export class Pusher {
  /** `url` = `http://127.0.0.1:PORT`, `name` = repository. */
  constructor(readonly url: string, readonly name: string, private readonly auth?: { username: string; password: string }) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.auth) h['Authorization'] = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
    return h;
  }

  async pushBlob(bytes: Uint8Array): Promise<string> {
    const digest = digestOf(bytes);
    const start = await fetch(`${this.url}/v2/${this.name}/blobs/uploads/`, { method: 'POST', headers: this.headers() });
    await start.body?.cancel();
    const location = start.headers.get('location');
    if (start.status !== 202 || location === null) throw new Error(`upload start: HTTP ${start.status}`);
    const target = new URL(location, this.url);
    target.searchParams.set('digest', digest);
    const put = await fetch(target, {
      method: 'PUT',
      headers: this.headers({ 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) }),
      body: bytes,
    });
    const text = await put.text();
    if (put.status !== 201) throw new Error(`upload ${digest}: HTTP ${put.status} ${text}`);
    return digest;
  }

  /** PUTs a manifest under `reference` (tag or its own digest). */
  async putManifest(body: object, mediaType: string, reference?: string): Promise<PushedManifest> {
    const bytes = Buffer.from(JSON.stringify(body));
    const digest = digestOf(bytes);
    const res = await fetch(`${this.url}/v2/${this.name}/manifests/${reference ?? digest}`, {
      method: 'PUT',
      headers: this.headers({ 'Content-Type': mediaType }),
      body: bytes,
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`put manifest ${reference ?? digest}: HTTP ${res.status} ${text}`);
    return { digest, mediaType, size: bytes.length };
  }

  /** Pushes a manifest by digest, then under each tag. */
  async tagManifest(body: object, mediaType: string, tags: readonly string[]): Promise<PushedManifest> {
    const pushed = await this.putManifest(body, mediaType);
    for (const tag of tags) await this.putManifest(body, mediaType, tag);
    return pushed;
  }

  async pushImage(spec: ImageSpec = {}): Promise<PushedImage> {
    const tar = Buffer.alloc(1024); // an empty tar archive
    const layer = gzipSync(tar);
    const layerDigest = await this.pushBlob(layer);
    const labels = { ...(spec.revision ? { 'org.opencontainers.image.revision': spec.revision } : {}), ...spec.labels };
    const config = Buffer.from(JSON.stringify({
      created: spec.created ?? '2024-01-01T00:00:00Z',
      architecture: spec.architecture ?? 'amd64',
      os: 'linux',
      config: { Labels: labels },
      rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
    }));
    const configDigest = await this.pushBlob(config);
    const manifest = {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: { mediaType: MT.ociConfig, digest: configDigest, size: config.length },
      layers: [{ mediaType: MT.layer, digest: layerDigest, size: layer.length }],
    };
    return { ...(await this.tagManifest(manifest, MT.ociManifest, spec.tags ?? [])), configDigest };
  }

  async pushIndex(children: readonly PushedImage[], tags: readonly string[], architectures: readonly string[]): Promise<PushedManifest> {
    const index = {
      schemaVersion: 2,
      mediaType: MT.ociIndex,
      manifests: children.map((c, i) => ({
        mediaType: c.mediaType, digest: c.digest, size: c.size, platform: { os: 'linux', architecture: architectures[i] ?? 'amd64' },
      })),
    };
    return this.tagManifest(index, MT.ociIndex, tags);
  }

  /**
   * An OCI 1.1 artifact (an SBOM) whose `subject` is `subject`. With `fallbackTag` (the default) it is
   * also added to the index under the referrers fallback tag `sha256-<hex>`, as oras and cosign do where
   * the registry has no referrers API.
   */
  async pushReferrer(subject: PushedManifest, artifactType = 'application/spdx+json', fallbackTag = true): Promise<PushedManifest> {
    const emptyDigest = await this.pushBlob(Buffer.from('{}'));
    const payload = Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: `sbom-${Math.random()}` }));
    const payloadDigest = await this.pushBlob(payload);
    const manifest = {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      artifactType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 },
      layers: [{ mediaType: artifactType, digest: payloadDigest, size: payload.length }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    };
    const pushed = await this.putManifest(manifest, MT.ociManifest);
    if (fallbackTag) {
      const tag = subject.digest.replace(':', '-');
      const res = await fetch(`${this.url}/v2/${this.name}/manifests/${tag}`, { headers: this.headers({ Accept: MT.ociIndex }) });
      const current = res.status === 200 ? ((await res.json()) as { manifests: object[] }).manifests : [];
      if (res.status !== 200) await res.body?.cancel();
      const index = { schemaVersion: 2, mediaType: MT.ociIndex, manifests: [...current, { mediaType: MT.ociManifest, digest: pushed.digest, size: pushed.size, artifactType }] };
      await this.putManifest(index, MT.ociIndex, tag);
    }
    return pushed;
  }

  /** A cosign-style signature under `sha256-<hex>.sig`. */
  async pushSignature(subject: string): Promise<PushedManifest & { tag: string }> {
    const payload = Buffer.from(JSON.stringify({ critical: { image: { 'docker-manifest-digest': subject } } }));
    const payloadDigest = await this.pushBlob(payload);
    const config = Buffer.from('{}');
    const configDigest = await this.pushBlob(config);
    const tag = `${subject.replace(':', '-')}.sig`;
    const manifest = {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: MT.cosignSig, digest: payloadDigest, size: payload.length, annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ' } }],
    };
    return { ...(await this.tagManifest(manifest, MT.ociManifest, [tag])), tag };
  }
}

/** `skopeo inspect` of `host/name:tag` over plain HTTP (proves the registry serves a real image). */
export async function skopeoInspect(host: string, name: string, tag: string, raw = false): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'regsweep-policy-'));
  try {
    const policy = join(dir, 'policy.json');
    await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    const args = ['--policy', policy, 'inspect', '--tls-verify=false', ...(raw ? ['--raw'] : []), `docker://${host}/${name}:${tag}`];
    const { stdout } = await run('/usr/bin/skopeo', args, { maxBuffer: 4 * 1024 * 1024 });
    return JSON.parse(stdout) as unknown;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
