/**
 * Removing one tag without touching its digest (cleanup-semantics.md §5.1): OCI 1.1
 * `DELETE /v2/<name>/manifests/<tag>` where the registry has it, else the portable throw-away method:
 * push a tiny unique manifest to the tag (so the tag no longer points at the kept digest), then delete
 * that manifest by digest, which takes the tag with it. The method that works is remembered.
 *
 * The first OCI tag delete is checked: the digest the tag pointed at must still exist afterwards. A
 * registry that deleted the whole manifest is reported (it cannot be undone) and never asked again.
 */
import { randomUUID } from 'node:crypto';
import { DeleteSkipped, InputError, RegistryError, type DeleteOutcome, type Digest } from '@regsweep/core';
import type { OciRegistryClient } from './client.js';

export type TagDeleteMethod = 'oci' | 'throw-away';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** OCI image-spec 1.1 "empty descriptor": the two-byte blob `{}`. */
const EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
const EMPTY_BYTES = Buffer.from('{}');
const EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
/** Annotation carried by every throw-away manifest (so one left behind by a crash can be recognised). */
export const THROW_AWAY_ANNOTATION = 'dev.regsweep.tag-removal';

export class TagDeleter {
  private method: TagDeleteMethod | undefined;
  /** The first OCI attempt in flight; other callers wait for it to learn the method. */
  private learning: Promise<unknown> | undefined;
  private emptyBlob: Promise<void> | undefined;
  /** Throw-away manifests pushed by this run (a retry after a failed delete finds its own one). */
  private readonly pushed = new Set<Digest>();

  constructor(private readonly client: OciRegistryClient, private readonly unique: () => string = randomUUID, start?: TagDeleteMethod) {
    this.method = start;
  }

  /** The method in use once known. */
  get current(): TagDeleteMethod | undefined {
    return this.method;
  }

  async deleteTag(tag: string): Promise<DeleteOutcome> {
    while (this.method === undefined && this.learning !== undefined) await this.learning.catch(() => undefined);
    if (this.method === 'throw-away') return this.throwAway(tag);
    if (this.method === 'oci') return this.ociDelete(tag);
    const attempt = this.firstOciDelete(tag);
    this.learning = attempt;
    try {
      return await attempt;
    } finally {
      this.learning = undefined;
    }
  }

  private async firstOciDelete(tag: string): Promise<DeleteOutcome> {
    const before = await this.client.headManifest(tag);
    if (before === undefined) return 'gone';
    const answer = await this.client.deleteTagReference(tag);
    if (answer === 'unsupported') {
      this.method = 'throw-away';
      return this.throwAway(tag);
    }
    if (answer === 'deleted' && (await this.client.headManifest(before.digest)) === undefined) {
      this.method = 'throw-away';
      throw new RegistryError(
        `${this.client.name}: deleting tag ${tag} alone also deleted the manifest ${before.digest} it pointed at ` +
          '(this registry treats a tag delete as a manifest delete); its other tags are gone with it. ' +
          'The other tag removals of this run use the throw-away method instead.',
      );
    }
    this.method = 'oci';
    return answer;
  }

  private async ociDelete(tag: string): Promise<DeleteOutcome> {
    const answer = await this.client.deleteTagReference(tag);
    if (answer !== 'unsupported') return answer;
    this.method = 'throw-away';
    return this.throwAway(tag);
  }

  private async throwAway(tag: string): Promise<DeleteOutcome> {
    const current = await this.client.headManifest(tag);
    if (current === undefined) return 'gone';
    let digest = current.digest;
    if (!this.pushed.has(digest)) {
      try {
        await this.ensureEmptyBlob();
        digest = await this.client.putManifest(tag, OCI_MANIFEST, this.throwAwayManifest(tag));
      } catch (error) {
        throw this.refusal(tag, error);
      }
      this.pushed.add(digest);
    }
    try {
      await this.client.deleteManifest(digest);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new RegistryError(
        `${this.client.name}: tag ${tag} now points at the throw-away manifest ${digest}, which could not be deleted (${message}); ` +
          `run again, or delete ${digest} by hand (the image the tag pointed at is untouched)`,
        { transient: error instanceof RegistryError ? error.transient : true, cause: error, ...(error instanceof RegistryError && error.status !== undefined ? { status: error.status } : {}) },
      );
    }
    this.pushed.delete(digest);
    return 'deleted';
  }

  private throwAwayManifest(tag: string): Buffer {
    const empty = { mediaType: EMPTY_MEDIA_TYPE, digest: EMPTY_DIGEST, size: EMPTY_BYTES.length, data: EMPTY_BYTES.toString('base64') };
    return Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: empty,
      layers: [empty],
      annotations: { [THROW_AWAY_ANNOTATION]: `${tag} ${this.unique()}` },
    }));
  }

  private ensureEmptyBlob(): Promise<void> {
    this.emptyBlob ??= (async () => {
      if (!(await this.client.blobExists(EMPTY_DIGEST))) await this.client.uploadBlob(EMPTY_BYTES);
    })().catch((error: unknown) => {
      this.emptyBlob = undefined;
      throw error;
    });
    return this.emptyBlob;
  }

  /** A refused throw-away push leaves the tag as it was: report why (transient failures are retried). */
  private refusal(tag: string, error: unknown): unknown {
    if (error instanceof RegistryError && error.transient) return error;
    const why = error instanceof InputError ? `${error.message}${error.hint ? `; ${error.hint}` : ''}` : error instanceof Error ? error.message : String(error);
    return new DeleteSkipped(
      `${this.client.name}: tag ${tag} was left in place: this registry cannot delete a tag alone (no OCI tag delete) and refused the ` +
        `throw-away manifest that removes it portably (${why}); it needs push rights and mutable tags`,
    );
  }
}
