/**
 * Builds OCI layouts with deterministic content, for tests and the demo. Writes as it goes: every call
 * stores its blobs and rewrites index.json atomically. Layers are real gzip'ed tar archives, so skopeo
 * and other tools can copy the result. Like skopeo, an index's children are not listed in index.json.
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  SerialQueue,
  blobPath,
  checkLayout,
  makeEntry,
  readIndex,
  removeTag,
  writeFileAtomic,
  writeIndex,
  type IndexDocument,
} from './layout-files.js';
import { MediaTypes, digestOf, isRecord, type Descriptor, type Platform } from './media-types.js';
import { tarOneFile } from './tar.js';

export interface ImageSpec {
  /** Tags for the image; none = one untagged index.json entry. */
  tags?: string[];
  /** Image config labels (`config.Labels`). */
  labels?: Record<string, string>;
  /** Image config `created`; default 2024-01-01T00:00:00Z. */
  created?: Date | string;
  /** Default linux/amd64. */
  platform?: Platform;
  /** Manifest annotations. */
  annotations?: Record<string, string>;
  /** Content of the one file in the layer; images with the same text share the layer blob. */
  layerText?: string;
}

export interface IndexSpec {
  tags?: string[];
  /** Digests of manifests already written; their untagged index.json entries are removed. */
  children: string[];
  annotations?: Record<string, string>;
}

export interface SignatureSpec {
  /** Default `sha256-<hex>.<kind>` (cosign's tag schema). */
  tag?: string;
  /** Default 'sig'. */
  kind?: 'sig' | 'att' | 'sbom';
}

export interface ReferrerSpec {
  artifactType: string;
  annotations?: Record<string, string>;
  /** Content of the artifact's one layer (vary it to get distinct referrers of one type). */
  content?: string;
}

export interface WrittenManifest {
  digest: string;
  mediaType: string;
  size: number;
}

export interface WrittenImage extends WrittenManifest {
  configDigest: string;
  layerDigest: string;
}

export const DEFAULT_CREATED = '2024-01-01T00:00:00Z';
const EMPTY_JSON = Buffer.from('{}');
const COSIGN_LAYER_TYPES = {
  sig: MediaTypes.cosignSimpleSigning,
  att: 'application/vnd.dsse.envelope.v1+json',
  sbom: 'text/spdx+json',
} as const;

/** cosign's tag for an attachment of `subject`: `sha256-<hex>.sig`. */
export function cosignTag(subject: string, kind: 'sig' | 'att' | 'sbom' = 'sig'): string {
  return `${subject.replace(':', '-')}.${kind}`;
}

export class LayoutWriter {
  private readonly queue = new SerialQueue();

  private constructor(
    readonly dir: string,
    private index: IndexDocument,
  ) {}

  /** Creates the layout in `dir` (made if missing), or continues an existing one. */
  static async create(dir: string): Promise<LayoutWriter> {
    await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    const exists = await access(join(dir, 'oci-layout')).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await writeFile(join(dir, 'oci-layout'), `${JSON.stringify({ imageLayoutVersion: '1.0.0' })}\n`);
      const empty: IndexDocument = { doc: { schemaVersion: 2, mediaType: MediaTypes.ociIndex }, entries: [] };
      await writeIndex(dir, empty);
    }
    await checkLayout(dir);
    return new LayoutWriter(dir, await readIndex(dir));
  }

  addImage(spec: ImageSpec = {}): Promise<WrittenImage> {
    return this.queue.run(async () => {
      const tar = tarOneFile('regsweep.txt', Buffer.from(spec.layerText ?? 'regsweep test layer\n'));
      const layer = await this.putBlob(MediaTypes.ociLayerGzip, gzipSync(tar));
      const created = spec.created instanceof Date ? spec.created.toISOString() : (spec.created ?? DEFAULT_CREATED);
      const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
      const config = await this.putJson(MediaTypes.ociConfig, {
        created,
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant !== undefined ? { variant: platform.variant } : {}),
        config: spec.labels !== undefined ? { Labels: spec.labels } : {},
        rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
        history: [{ created, created_by: 'regsweep LayoutWriter' }],
      });
      const manifest = await this.putJson(MediaTypes.ociManifest, {
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        config,
        layers: [layer],
        ...(spec.annotations !== undefined ? { annotations: spec.annotations } : {}),
      });
      await this.list(manifest, spec.tags);
      return { ...manifest, configDigest: config.digest, layerDigest: layer.digest };
    });
  }

  addIndex(spec: IndexSpec): Promise<WrittenManifest> {
    return this.queue.run(async () => {
      const children: Descriptor[] = [];
      for (const digest of spec.children) {
        const { descriptor, body } = await this.readManifest(digest);
        const config = isRecord(body) && isRecord(body['config']) ? body['config']['digest'] : undefined;
        if (typeof config === 'string') {
          const c = JSON.parse(await readFile(this.path(config), 'utf8')) as unknown;
          if (isRecord(c) && typeof c['os'] === 'string' && typeof c['architecture'] === 'string') {
            descriptor.platform = { architecture: c['architecture'], os: c['os'] };
            if (typeof c['variant'] === 'string') descriptor.platform.variant = c['variant'];
          }
        }
        children.push(descriptor);
      }
      const index = await this.putJson(MediaTypes.ociIndex, {
        schemaVersion: 2,
        mediaType: MediaTypes.ociIndex,
        manifests: children,
        ...(spec.annotations !== undefined ? { annotations: spec.annotations } : {}),
      });
      const childSet = new Set(spec.children);
      this.index.entries = this.index.entries.filter((e) => e.tag !== undefined || !childSet.has(e.digest));
      await this.list(index, spec.tags);
      return index;
    });
  }

  /** A cosign-style attachment of `subject`: a small OCI manifest tagged `sha256-<hex>.sig` (or .att/.sbom). */
  addSignature(subject: string, spec: SignatureSpec = {}): Promise<WrittenManifest & { tag: string }> {
    return this.queue.run(async () => {
      const kind = spec.kind ?? 'sig';
      const tag = spec.tag ?? cosignTag(subject, kind);
      const payload = {
        critical: {
          identity: { 'docker-reference': 'regsweep.test/app' },
          image: { 'docker-manifest-digest': subject },
          type: 'cosign container image signature',
        },
        optional: null,
      };
      const layer = await this.putJson(COSIGN_LAYER_TYPES[kind], payload);
      layer.annotations = {
        'dev.cosignproject.cosign/signature': Buffer.from(`fake-${kind}-${subject}`).toString('base64'),
      };
      const config = await this.putJson(MediaTypes.ociConfig, {
        architecture: '',
        created: '0001-01-01T00:00:00Z',
        history: [{ created: '0001-01-01T00:00:00Z' }],
        os: '',
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
        config: {},
      });
      const manifest = await this.putJson(MediaTypes.ociManifest, {
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        config,
        layers: [layer],
      });
      await this.list(manifest, [tag]);
      return { ...manifest, tag };
    });
  }

  /** An OCI 1.1 artifact manifest whose `subject` is `subject`, listed as an untagged index.json entry. */
  addReferrer(subject: string, spec: ReferrerSpec): Promise<WrittenManifest> {
    return this.queue.run(async () => {
      const { descriptor: subjectDescriptor } = await this.readManifest(subject);
      const config = await this.putBlob(MediaTypes.ociEmpty, EMPTY_JSON);
      const content = spec.content ?? JSON.stringify({ artifactType: spec.artifactType, subject });
      const layer = await this.putBlob('application/json', Buffer.from(content));
      const manifest = await this.putJson(MediaTypes.ociManifest, {
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        artifactType: spec.artifactType,
        config: { ...config, data: EMPTY_JSON.toString('base64') },
        layers: [layer],
        subject: subjectDescriptor,
        ...(spec.annotations !== undefined ? { annotations: spec.annotations } : {}),
      });
      await this.list(manifest, []);
      const entry = this.index.entries.find((e) => e.digest === manifest.digest && e.tag === undefined);
      if (entry !== undefined) entry.raw['artifactType'] = spec.artifactType;
      await this.flush();
      return manifest;
    });
  }

  /** Points `tag` at `digest` (a manifest already written). The digest it pointed at before stays, untagged. */
  tag(digest: string, tag: string): Promise<void> {
    return this.queue.run(async () => {
      const { descriptor } = await this.readManifest(digest);
      await this.list(descriptor, [tag]);
    });
  }

  /** Removes `tag`; its digest stays as an untagged entry when no other tag points at it. */
  untag(tag: string): Promise<void> {
    return this.queue.run(async () => {
      const entries = removeTag(this.index.entries, tag);
      if (entries === undefined) throw new Error(`${this.dir}: no tag "${tag}"`);
      this.index.entries = entries;
      await this.flush();
    });
  }

  /** Kept for callers that expect an explicit write; the writer already writes as it goes. */
  write(): Promise<void> {
    return this.queue.run(() => this.flush());
  }

  /** Lists a manifest in index.json: one entry per tag (moving tags that exist), or one untagged entry. */
  private async list(descriptor: Descriptor, tags: readonly string[] | undefined): Promise<void> {
    const plain = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
    let entries = this.index.entries;
    if (tags === undefined || tags.length === 0) {
      if (!entries.some((e) => e.digest === plain.digest)) entries = [...entries, makeEntry(plain, undefined)];
    } else {
      for (const tag of tags) {
        entries = removeTag(entries, tag) ?? entries;
        entries = entries.filter((e) => e.digest !== plain.digest || e.tag !== undefined);
        entries.push(makeEntry(plain, tag));
      }
    }
    this.index.entries = entries;
    await this.flush();
  }

  private flush(): Promise<void> {
    return writeIndex(this.dir, this.index);
  }

  private path(digest: string): string {
    const path = blobPath(this.dir, digest);
    if (path === undefined) throw new Error(`not a digest: ${digest}`);
    return path;
  }

  private async putBlob(mediaType: string, bytes: Uint8Array): Promise<Descriptor> {
    const digest = digestOf(bytes);
    const path = this.path(digest);
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    if (!exists) await writeFileAtomic(path, bytes);
    return { mediaType, digest, size: bytes.length };
  }

  private putJson(mediaType: string, value: unknown): Promise<Descriptor> {
    return this.putBlob(mediaType, Buffer.from(JSON.stringify(value)));
  }

  private async readManifest(digest: string): Promise<{ descriptor: Descriptor; body: unknown }> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path(digest));
    } catch (error) {
      throw new Error(`${this.dir}: no manifest ${digest}`, { cause: error });
    }
    const body = JSON.parse(bytes.toString('utf8')) as unknown;
    const mediaType = isRecord(body) && typeof body['mediaType'] === 'string' ? body['mediaType'] : MediaTypes.ociManifest;
    return { descriptor: { mediaType, digest, size: bytes.length }, body };
  }
}
