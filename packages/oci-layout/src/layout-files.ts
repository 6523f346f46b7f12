/**
 * The files of an OCI image layout (image-spec `image-layout.md`): `oci-layout`, `index.json` and
 * `blobs/<alg>/<hex>`. Shared by the registry adapter and the writer.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '@regsweep/core';
import { REF_NAME, descriptorDigest, isRecord, parseDigest } from './media-types.js';

export const LAYOUT_HINT =
  'expected a directory in the OCI image-layout format: an `oci-layout` file with "imageLayoutVersion", ' +
  'an `index.json` and `blobs/sha256/<hex>` (what `skopeo copy … oci:DIR:TAG` or ' +
  '`docker buildx build --output type=oci,tar=false,dest=DIR` writes)';

/** One entry of index.json: the descriptor as stored (unknown fields preserved) and what we read from it. */
export interface IndexEntry {
  raw: Record<string, unknown>;
  digest: string;
  /** The `org.opencontainers.image.ref.name` annotation, when present. */
  tag: string | undefined;
  mediaType: string | undefined;
  size: number | undefined;
}

/** index.json: its other top-level fields and its entries. */
export interface IndexDocument {
  doc: Record<string, unknown>;
  entries: IndexEntry[];
}

function errno(error: unknown): string | undefined {
  return isRecord(error) && typeof error['code'] === 'string' ? error['code'] : undefined;
}

/** Checks that `dir` is an OCI layout; throws InputError naming the path and what is expected. */
export async function checkLayout(dir: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    if (errno(error) === 'ENOENT') throw new InputError(`OCI layout ${dir} does not exist`, LAYOUT_HINT);
    throw new InputError(`OCI layout ${dir} cannot be read: ${String(error)}`, LAYOUT_HINT);
  }
  if (!info.isDirectory()) {
    throw new InputError(
      `OCI layout ${dir} is not a directory`,
      `${LAYOUT_HINT}; an OCI archive (.tar) must be extracted first`,
    );
  }
  const layoutFile = join(dir, 'oci-layout');
  const layout = await readJsonFile(layoutFile, 'the OCI layout marker');
  if (!isRecord(layout) || typeof layout['imageLayoutVersion'] !== 'string') {
    throw new InputError(`${layoutFile} has no "imageLayoutVersion" string`, LAYOUT_HINT);
  }
  await readIndex(dir);
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = errno(error) === 'ENOENT' ? 'is missing' : `cannot be read (${String(error)})`;
    throw new InputError(`${path} (${what}) ${reason}`, LAYOUT_HINT);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(`${path} (${what}) is not valid JSON: ${(error as Error).message}`, LAYOUT_HINT);
  }
}

/** Reads and validates index.json. */
export async function readIndex(dir: string): Promise<IndexDocument> {
  const path = join(dir, 'index.json');
  const doc = await readJsonFile(path, 'the layout index');
  if (!isRecord(doc) || !Array.isArray(doc['manifests'])) {
    throw new InputError(`${path} is not an OCI image index (expected an object with a "manifests" array)`, LAYOUT_HINT);
  }
  const entries: IndexEntry[] = doc['manifests'].map((raw: unknown, i: number) => {
    const digest = descriptorDigest(raw);
    if (!isRecord(raw) || digest === undefined || !parseDigest(digest)) {
      throw new InputError(`${path}: manifests[${i}] has no valid "digest" (expected sha256:<64 hex>)`, LAYOUT_HINT);
    }
    const annotations = raw['annotations'];
    const tag = isRecord(annotations) && typeof annotations[REF_NAME] === 'string' ? annotations[REF_NAME] : undefined;
    const mediaType = typeof raw['mediaType'] === 'string' ? raw['mediaType'] : undefined;
    const size = typeof raw['size'] === 'number' ? raw['size'] : undefined;
    return { raw, digest, tag, mediaType, size };
  });
  return { doc, entries };
}

/** Writes index.json atomically: a temporary file in the same directory, then a rename over it. */
export async function writeIndex(dir: string, index: IndexDocument): Promise<void> {
  const doc = { ...index.doc, manifests: index.entries.map((e) => e.raw) };
  await writeFileAtomic(join(dir, 'index.json'), `${JSON.stringify(doc)}\n`);
}

export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temp, content, { flush: true });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** A new index.json entry for `digest`, tagged or not. */
export function makeEntry(
  descriptor: { mediaType: string; digest: string; size: number },
  tag: string | undefined,
): IndexEntry {
  const raw: Record<string, unknown> = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
  if (tag !== undefined) raw['annotations'] = { [REF_NAME]: tag };
  return { raw, digest: descriptor.digest, tag, mediaType: descriptor.mediaType, size: descriptor.size };
}

/** The entry without its ref.name annotation (other annotations kept). */
export function withoutTag(entry: IndexEntry): IndexEntry {
  const raw = { ...entry.raw };
  const annotations = isRecord(raw['annotations']) ? { ...raw['annotations'] } : {};
  delete annotations[REF_NAME];
  if (Object.keys(annotations).length > 0) raw['annotations'] = annotations;
  else delete raw['annotations'];
  return { ...entry, raw, tag: undefined };
}

/**
 * Removes every entry tagged `tag`. A digest that loses its last entry that way stays as one untagged
 * entry (a tag delete never deletes the digest). Returns undefined when no entry carries the tag.
 */
export function removeTag(entries: readonly IndexEntry[], tag: string): IndexEntry[] | undefined {
  if (!entries.some((e) => e.tag === tag)) return undefined;
  const out: IndexEntry[] = [];
  for (const entry of entries) {
    if (entry.tag !== tag) {
      out.push(entry);
      continue;
    }
    const stillListed =
      entries.some((e) => e.digest === entry.digest && e.tag !== tag) || out.some((e) => e.digest === entry.digest);
    if (!stillListed) out.push(withoutTag(entry));
  }
  return out;
}

export function blobPath(dir: string, digest: string): string | undefined {
  const parsed = parseDigest(digest);
  return parsed ? join(dir, 'blobs', parsed.algorithm, parsed.hex) : undefined;
}

/** A promise queue: tasks run one after another, in call order, whatever their outcome. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export { errno };
