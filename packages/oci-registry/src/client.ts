/**
 * An OCI Distribution API client for one repository (`HOST[:PORT]/NAME`): the API calls regsweep makes.
 * Authentication (anonymous, Basic, Bearer tokens) is `RegistryAuth`'s; retries with backoff honouring
 * `Retry-After` are `RegistryHttp`'s. The clock and the waiting are injected (`now`, `sleep`) so retry
 * behaviour is testable. Credentials never appear in messages.
 */
import { InputError, RegistryError, type DeleteOutcome, type Digest, type RawManifest } from '@regsweep/core';
import { MANIFEST_ACCEPT } from '@regsweep/core/internal';
import {
  describeErrorBody,
  isDigest,
  isLoopbackHost,
  matchesDigest,
  nextLink,
  parseRepositoryRef,
  sha256Digest,
} from './http-util.js';
import { indexDescriptors, toRawManifest, type Descriptor } from './manifest-body.js';
import { RegistryAuth, type Credentials } from './registry-auth.js';
import { DEFAULT_HINT, type ManifestHead, type OciRegistryClientOptions, type TagDeleteAnswer } from './client-options.js';
import { discard, RegistryHttp } from './registry-http.js';
import { deletionDisabledError } from './registry-errors.js';

export { indexDescriptors, toRawManifest, type Descriptor } from './manifest-body.js';
export type { Action, Credentials } from './registry-auth.js';
export type { ManifestHead, OciRegistryClientOptions, TagDeleteAnswer } from './client-options.js';

export class OciRegistryClient {
  /** `HOST[:PORT]/NAME`. */
  readonly name: string;
  readonly host: string;
  readonly repository: string;
  /** `https://HOST[:PORT]` or `http://…`. */
  readonly baseUrl: string;
  private readonly pageSize: number;
  private readonly http: RegistryHttp;
  private readonly auth: RegistryAuth;

  constructor(ref: string, options: OciRegistryClientOptions = {}) {
    const { host, name } = parseRepositoryRef(ref);
    this.host = host;
    this.repository = name;
    this.name = `${host}/${name}`;
    const plain = options.plainHttp === true || isLoopbackHost(host);
    this.baseUrl = `${plain ? 'http' : 'https'}://${host}`;
    this.pageSize = Math.max(1, options.pageSize ?? 1000);
    this.http = new RegistryHttp({
      name: this.name,
      fetch: options.fetch ?? globalThis.fetch,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now: options.now ?? Date.now,
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      backoffMs: options.backoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 300_000,
      timeoutMs: options.timeoutMs ?? 60_000,
      hint: options.credentialsHint ?? DEFAULT_HINT,
    });
    this.auth = new RegistryAuth(this.http, name, options.credentials, options.onSecret);
  }

  /** `GET /v2/`: the registry answers and accepts our credentials (or needs none). */
  async ping(): Promise<void> {
    const res = await this.auth.request({ method: 'GET', url: `${this.baseUrl}/v2/`, action: 'pull', what: 'check the API (/v2/)' });
    if (res.ok) return void (await discard(res));
    if (res.status === 404) {
      await discard(res);
      throw new InputError(`${this.name}: ${this.baseUrl}/v2/ answered 404: not an OCI distribution registry`,
        'check the host name and port of --registry');
    }
    throw await this.http.statusError(res, 'check the API (/v2/)');
  }

  /** Every tag of the repository, following `Link` pagination. A repository that does not exist is bad input. */
  async listTags(): Promise<string[]> {
    const tags = new Set<string>();
    const visited = new Set<string>();
    let url: string | undefined = `${this.repoUrl()}/tags/list?n=${this.pageSize}`;
    while (url !== undefined && !visited.has(url)) {
      visited.add(url);
      const res = await this.auth.request({ method: 'GET', url, action: 'pull', what: 'list tags' });
      if (res.status === 404 && visited.size === 1) {
        await discard(res);
        throw new InputError(`${this.name}: the registry has no repository by that name (404 on the tag list)`,
          'check the --registry value (HOST[:PORT]/NAME) and that the credentials may read it; nothing was deleted');
      }
      if (!res.ok) throw await this.http.statusError(res, 'list tags');
      const body = await this.http.readJson(res, 'list tags');
      const page = typeof body === 'object' && body !== null && 'tags' in body ? body.tags : undefined;
      if (page !== null && page !== undefined && !Array.isArray(page)) {
        throw new RegistryError(`${this.name}: list tags: the answer's "tags" is not a list`);
      }
      let added = 0;
      for (const tag of page ?? []) {
        if (typeof tag === 'string' && !tags.has(tag)) {
          tags.add(tag);
          added++;
        }
      }
      // A registry that ignores `last` would serve the same page forever: stop when nothing is new.
      url = added === 0 ? undefined : nextLink(res.headers.get('link'), url);
    }
    return [...tags];
  }

  /** `HEAD` a manifest by tag or digest; undefined when it does not exist. */
  async headManifest(reference: string): Promise<ManifestHead | undefined> {
    const what = `resolve ${reference}`;
    const res = await this.auth.request({ method: 'HEAD', url: this.manifestUrl(reference), action: 'pull', what, accept: MANIFEST_ACCEPT });
    await discard(res);
    if (res.status === 404) return undefined;
    if (!res.ok) throw await this.http.statusError(res, what);
    const digest = res.headers.get('docker-content-digest');
    const mediaType = res.headers.get('content-type') ?? '';
    const length = Number(res.headers.get('content-length') ?? 'NaN');
    const size = Number.isFinite(length) ? length : undefined;
    if (digest !== null && isDigest(digest)) return { digest, mediaType, ...(size !== undefined ? { size } : {}) };
    // No digest header (some proxies drop it): read the manifest and hash it.
    const got = await this.fetchManifest(reference);
    return got === undefined ? undefined : { digest: got.digest, mediaType: got.mediaType, size: got.bytes.length };
  }

  /** Reads a manifest by digest, checking its content against the digest. */
  async getManifest(digest: Digest): Promise<RawManifest> {
    const got = await this.getManifestBytes(digest);
    return toRawManifest(got.bytes, got.mediaType, `${this.name}: manifest ${digest}`);
  }

  /** The exact bytes of a manifest (checked against the digest) and the media type the registry served. */
  async getManifestBytes(digest: Digest): Promise<{ mediaType: string; bytes: Buffer }> {
    this.checkDigest(digest);
    const got = await this.fetchManifest(digest);
    if (got === undefined) throw new RegistryError(`${this.name}: manifest ${digest} not found`, { status: 404 });
    return { mediaType: got.mediaType, bytes: got.bytes };
  }

  /** Reads a manifest by tag (never cached: a tag moves); undefined when the tag does not exist. */
  async getManifestByTag(tag: string): Promise<{ digest: Digest; manifest: RawManifest } | undefined> {
    const got = await this.fetchManifest(tag);
    if (got === undefined) return undefined;
    return { digest: got.digest, manifest: toRawManifest(got.bytes, got.mediaType, `${this.name}: manifest ${tag}`) };
  }

  /** Reads a blob by digest, checking its content against the digest. */
  async getBlob(digest: Digest): Promise<Buffer> {
    this.checkDigest(digest);
    const what = `read blob ${digest}`;
    const res = await this.auth.request({ method: 'GET', url: `${this.repoUrl()}/blobs/${digest}`, action: 'pull', what });
    if (res.status === 404) {
      await discard(res);
      throw new RegistryError(`${this.name}: blob ${digest} not found`, { status: 404 });
    }
    if (!res.ok) throw await this.http.statusError(res, what);
    const bytes = await this.http.readBytes(res, what);
    if (!matchesDigest(bytes, digest)) throw new RegistryError(`${this.name}: blob ${digest} is corrupt: its content does not match its digest`);
    return bytes;
  }

  /** Deletes a manifest by digest (and with it every tag pointing at it). 'gone' when already absent. */
  async deleteManifest(digest: Digest): Promise<DeleteOutcome> {
    this.checkDigest(digest);
    const what = `delete ${digest}`;
    const res = await this.auth.request({ method: 'DELETE', url: this.manifestUrl(digest), action: 'delete', what });
    if (res.status === 200 || res.status === 202 || res.status === 204 || res.status === 404) {
      await discard(res);
      return res.status === 404 ? 'gone' : 'deleted';
    }
    if (res.status === 405) throw deletionDisabledError(this.name, await res.text().catch(() => ''));
    throw await this.http.statusError(res, what);
  }

  /**
   * Asks whether deletes are possible without deleting anything: `DELETE` of a digest no manifest has
   * (64 zeros). 404 = deletion is on; 405 = off (the clear error `deleteManifest` gives); 401/403 = the
   * credentials lack delete rights. Other answers are not conclusive and pass (the real delete reports).
   */
  async checkDeletable(): Promise<void> {
    const what = 'check that deletion is enabled';
    const res = await this.auth.request({ method: 'DELETE', url: this.manifestUrl(`sha256:${'0'.repeat(64)}`), action: 'delete', what });
    if (res.status === 405) throw deletionDisabledError(this.name, await res.text().catch(() => ''));
    if (res.status === 403 || res.status >= 500) throw await this.http.statusError(res, what);
    await discard(res);
  }

  /** OCI 1.1 tag delete, `DELETE /v2/<name>/manifests/<tag>`; `unsupported` on 400 DIGEST_INVALID, 405, 501. */
  async deleteTagReference(tag: string): Promise<TagDeleteAnswer> {
    const what = `delete tag ${tag}`;
    const res = await this.auth.request({ method: 'DELETE', url: this.manifestUrl(tag), action: 'delete', what });
    if (res.status === 200 || res.status === 202 || res.status === 204 || res.status === 404) {
      await discard(res);
      return res.status === 404 ? 'gone' : 'deleted';
    }
    if (res.status === 405 || res.status === 501) {
      await discard(res);
      return 'unsupported';
    }
    if (res.status === 400) {
      const text = await res.text().catch(() => '');
      // distribution 2.x parses the reference as a digest and answers DIGEST_INVALID (or a 400 naming it).
      if (/DIGEST_INVALID|UNSUPPORTED|digest/i.test(text)) return 'unsupported';
      const detail = describeErrorBody(text);
      throw new RegistryError(`${this.name}: ${what}: HTTP 400${detail ? ` ${detail}` : ''}`, { status: 400 });
    }
    throw await this.http.statusError(res, what);
  }

  /** `HEAD` a blob: does the repository hold it? */
  async blobExists(digest: Digest): Promise<boolean> {
    this.checkDigest(digest);
    const what = `check blob ${digest}`;
    const res = await this.auth.request({ method: 'HEAD', url: `${this.repoUrl()}/blobs/${digest}`, action: 'pull', what });
    await discard(res);
    if (res.status === 404) return false;
    if (!res.ok) throw await this.http.statusError(res, what);
    return true;
  }

  /** Uploads a small blob in one go (POST, then PUT with the digest); returns its digest. */
  async uploadBlob(bytes: Buffer): Promise<Digest> {
    const digest = sha256Digest(bytes);
    const what = `upload blob ${digest}`;
    const start = await this.auth.request({ method: 'POST', url: `${this.repoUrl()}/blobs/uploads/`, action: 'push', what });
    if (start.status !== 202) throw await this.http.statusError(start, what);
    await discard(start);
    const location = start.headers.get('location');
    if (location === null) throw new RegistryError(`${this.name}: ${what}: the answer has no Location`);
    const target = new URL(location, this.baseUrl);
    target.searchParams.set('digest', digest);
    const put = await this.auth.request({ method: 'PUT', url: target.toString(), action: 'push', what, body: bytes, contentType: 'application/octet-stream' });
    if (put.status !== 201 && put.status !== 204) throw await this.http.statusError(put, what);
    await discard(put);
    return digest;
  }

  /** PUTs a manifest under a tag or its digest; returns the digest of the bytes. */
  async putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<Digest> {
    const digest = sha256Digest(bytes);
    const what = `push manifest ${digest} as ${reference}`;
    const res = await this.auth.request({ method: 'PUT', url: this.manifestUrl(reference), action: 'push', what, body: bytes, contentType: mediaType });
    if (res.status !== 201 && res.status !== 200 && res.status !== 204) throw await this.http.statusError(res, what);
    await discard(res);
    return digest;
  }

  /**
   * OCI 1.1 referrers of a digest, following `Link` pages; undefined when the registry has no referrers
   * API (404, as distribution 2.8 answers; 405/501 from some proxies).
   */
  async getReferrers(digest: Digest): Promise<Descriptor[] | undefined> {
    this.checkDigest(digest);
    const what = `list referrers of ${digest}`;
    const out: Descriptor[] = [];
    const visited = new Set<string>();
    let url: string | undefined = `${this.repoUrl()}/referrers/${digest}`;
    while (url !== undefined && !visited.has(url)) {
      visited.add(url);
      const res = await this.auth.request({ method: 'GET', url, action: 'pull', what, accept: 'application/vnd.oci.image.index.v1+json' });
      if (visited.size === 1 && (res.status === 404 || res.status === 405 || res.status === 501)) return discard(res);
      if (!res.ok) throw await this.http.statusError(res, what);
      out.push(...indexDescriptors(await this.http.readJson(res, what)));
      url = nextLink(res.headers.get('link'), url);
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------------

  private repoUrl(): string {
    return `${this.baseUrl}/v2/${this.repository}`;
  }

  private manifestUrl(reference: string): string {
    return `${this.repoUrl()}/manifests/${encodeURIComponent(reference).replace(/%3A/gi, ':')}`;
  }

  private checkDigest(digest: string): void {
    if (!isDigest(digest)) throw new RegistryError(`${this.name}: "${digest}" is not a valid digest`, { status: 400 });
  }

  private async fetchManifest(reference: string): Promise<{ digest: Digest; mediaType: string; bytes: Buffer } | undefined> {
    const what = `read manifest ${reference}`;
    const res = await this.auth.request({ method: 'GET', url: this.manifestUrl(reference), action: 'pull', what, accept: MANIFEST_ACCEPT });
    if (res.status === 404) return discard(res);
    if (!res.ok) throw await this.http.statusError(res, what);
    const mediaType = res.headers.get('content-type') ?? '';
    const bytes = await this.http.readBytes(res, what);
    if (isDigest(reference)) {
      if (!matchesDigest(bytes, reference)) throw new RegistryError(`${this.name}: manifest ${reference} is corrupt: its content does not match its digest`);
      return { digest: reference, mediaType, bytes };
    }
    const header = res.headers.get('docker-content-digest');
    return { digest: header !== null && isDigest(header) ? header : sha256Digest(bytes), mediaType, bytes };
  }

  /** Waits the retry backoff of `attempt` (1, 2, …): what the listing check waits before asking again. */
  pause(attempt: number): Promise<void> {
    return this.http.pause(attempt);
  }
}
