/**
 * A `Registry` over a directory in the OCI image-layout format (what `skopeo copy … oci:DIR:TAG` and
 * buildx `type=oci,tar=false` write). Tags are the `org.opencontainers.image.ref.name` annotations of
 * index.json entries; entries without one are untagged images. Deleting rewrites index.json atomically
 * and removes the blobs nothing remaining references. Writes are serialised per adapter instance.
 */
import { readFile } from 'node:fs/promises';
import {
  RegistryError,
  type DeleteOutcome,
  type Digest,
  type ListedImage,
  type RawManifest,
  type Registry,
  type RegistryCapabilities,
} from '@regsweep/core';
import { markReachable, sweep } from './gc.js';
import {
  SerialQueue,
  blobPath,
  checkLayout,
  errno,
  readIndex,
  removeTag,
  writeIndex,
  type IndexDocument,
  type IndexEntry,
} from './layout-files.js';
import { digestOf, guessManifestMediaType, isRecord, parseDigest } from './media-types.js';

const TRANSIENT_ERRNOS = new Set(['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR']);

/** Opens `dir` as an OCI layout. Throws InputError when it is missing or not a valid layout. */
export async function openOciLayout(dir: string): Promise<OciLayoutRegistry> {
  await checkLayout(dir);
  return new OciLayoutRegistry(dir);
}

export class OciLayoutRegistry implements Registry {
  readonly name: string;
  readonly capabilities: RegistryCapabilities = { listsUntagged: true, deletesTagAlone: true };
  private readonly queue = new SerialQueue();

  /** Use `openOciLayout`, which checks the directory first. */
  constructor(readonly dir: string) {
    this.name = `oci:${dir}`;
  }

  async list(): Promise<ListedImage[]> {
    const { entries } = await readIndex(this.dir);
    const byDigest = new Map<Digest, ListedImage>();
    for (const entry of entries) {
      let image = byDigest.get(entry.digest);
      if (image === undefined) {
        image = { digest: entry.digest, tags: [] };
        byDigest.set(entry.digest, image);
      }
      if (entry.tag !== undefined && !image.tags.includes(entry.tag)) image.tags.push(entry.tag);
      if (image.mediaType === undefined && entry.mediaType !== undefined) image.mediaType = entry.mediaType;
      if (image.size === undefined && entry.size !== undefined) image.size = entry.size;
    }
    return [...byDigest.values()];
  }

  async getManifest(digest: Digest): Promise<RawManifest> {
    const body = await this.readJsonBlob(digest, 'manifest');
    const own = isRecord(body) && typeof body['mediaType'] === 'string' ? body['mediaType'] : undefined;
    if (own !== undefined) return { mediaType: own, body };
    const listed = (await readIndex(this.dir)).entries.find((e) => e.digest === digest && e.mediaType !== undefined);
    return { mediaType: listed?.mediaType ?? guessManifestMediaType(body), body };
  }

  async getBlobJson(digest: Digest): Promise<unknown> {
    return this.readJsonBlob(digest, 'blob');
  }

  /** Removes every index.json entry of the digest, then the blobs nothing remaining references. */
  deleteImage(image: ListedImage): Promise<DeleteOutcome> {
    return this.queue.run(() =>
      this.rewrite((entries) => {
        const rest = entries.filter((e) => e.digest !== image.digest);
        return rest.length === entries.length ? undefined : rest;
      }),
    );
  }

  /**
   * Removes one tag. The digest stays: when no other tag points at it, its entry stays untagged.
   * 'gone' when no entry carries the tag.
   */
  deleteTag(tag: string): Promise<DeleteOutcome> {
    return this.queue.run(() => this.rewrite((entries) => removeTag(entries, tag)));
  }

  /** Applies `change` to index.json (undefined = nothing to do), writes it atomically, collects garbage. */
  private async rewrite(change: (entries: IndexEntry[]) => IndexEntry[] | undefined): Promise<DeleteOutcome> {
    const index = await readIndex(this.dir);
    const entries = change(index.entries);
    if (entries === undefined) return 'gone';
    const before = await markReachable(this.dir, index.entries);
    const next: IndexDocument = { doc: index.doc, entries };
    try {
      await writeIndex(this.dir, next);
    } catch (error) {
      throw this.ioError(`cannot write ${this.dir}/index.json`, error);
    }
    const after = await markReachable(this.dir, entries);
    try {
      await sweep(this.dir, before, after);
    } catch (error) {
      throw this.ioError('index.json was updated but unreferenced blobs could not be removed', error);
    }
    return 'deleted';
  }

  private async readJsonBlob(digest: Digest, what: string): Promise<unknown> {
    const parsed = parseDigest(digest);
    const path = blobPath(this.dir, digest);
    if (parsed === undefined || path === undefined) {
      throw new RegistryError(`${this.name}: "${digest}" is not a valid digest (expected sha256:<64 hex>)`, { status: 400 });
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if (errno(error) === 'ENOENT') {
        throw new RegistryError(`${this.name}: ${what} ${digest} not found (no ${path})`, { status: 404, cause: error });
      }
      throw this.ioError(`cannot read ${what} ${digest}`, error);
    }
    const actual = digestOf(bytes, parsed.algorithm);
    if (actual !== digest) {
      throw new RegistryError(`${this.name}: ${what} ${digest} is corrupt: its content hashes to ${actual}`);
    }
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch (error) {
      throw new RegistryError(`${this.name}: ${what} ${digest} is not JSON`, { cause: error });
    }
  }

  private ioError(message: string, error: unknown): RegistryError {
    const code = errno(error);
    return new RegistryError(`${this.name}: ${message}: ${String(error)}`, {
      transient: code !== undefined && TRANSIENT_ERRNOS.has(code),
      cause: error,
    });
  }
}
