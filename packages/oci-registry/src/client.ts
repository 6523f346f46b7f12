/**
 * An OCI Distribution API client for one repository (`HOST[:PORT]/NAME`). Handles anonymous, Basic and
 * Bearer-token auth (tokens cached per action until they expire), retries 429/5xx/connection failures
 * with backoff honouring `Retry-After`, and follows tag-list pagination. The clock and the waiting are
 * injected (`now`, `sleep`) so retry behaviour is testable. Credentials never appear in messages.
 */
import { InputError, MANIFEST_ACCEPT, RegistryError, type DeleteOutcome, type Digest, type RawManifest } from '@regsweep/core';
import {
  describeErrorBody,
  isDigest,
  isLoopbackHost,
  matchesDigest,
  nextLink,
  parseChallenge,
  parseRepositoryRef,
  retryAfterMs,
  sha256Digest,
  type Challenge,
} from './http-util.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface OciRegistryClientOptions {
  /** Use http:// (always the case for localhost and 127.0.0.1). */
  plainHttp?: boolean;
  credentials?: Credentials;
  /** Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Waits between retries; tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch (token expiry, `Retry-After` dates). */
  now?: () => number;
  /** Attempts per request for transient failures (default 5). */
  maxAttempts?: number;
  /** First backoff delay, doubled per attempt (default 500 ms), capped at `maxBackoffMs` (default 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A `Retry-After` longer than this fails the request instead of waiting (default 5 min). */
  maxRetryAfterMs?: number;
  /** Tags per page asked of the registry (default 1000). */
  pageSize?: number;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
  /** How to pass credentials, shown when the registry rejects the request (default names --username). */
  credentialsHint?: string;
  /** Told every Bearer token the registry's token service hands out, before it is used (for redaction). */
  onSecret?: (secret: string) => void;
}

export type Action = 'pull' | 'push' | 'delete';

/** A descriptor in an index (referrers answers, referrers fallback-tag indexes). */
export interface Descriptor {
  digest: Digest;
  mediaType: string;
  size?: number;
  artifactType?: string;
}

/** What a `DELETE /v2/<name>/manifests/<tag>` did: `unsupported` = the registry cannot remove a tag alone. */
export type TagDeleteAnswer = 'deleted' | 'gone' | 'unsupported';

export interface ManifestHead {
  digest: Digest;
  mediaType: string;
  size?: number;
}

interface Token {
  value: string;
  expiresAt: number;
}

interface RequestSpec {
  method: 'GET' | 'HEAD' | 'DELETE' | 'PUT' | 'POST';
  url: string;
  action: Action;
  /** For messages: `read manifest sha256:…`. */
  what: string;
  accept?: string;
  body?: Buffer;
  contentType?: string;
}

const DEFAULT_HINT = 'pass --username USER and set REGSWEEP_REGISTRY_PASSWORD (or REGSWEEP_REGISTRY_USERNAME) to a password or token with pull and delete rights (and push, to remove single tags)';

export class OciRegistryClient {
  /** `HOST[:PORT]/NAME`. */
  readonly name: string;
  readonly host: string;
  readonly repository: string;
  /** `https://HOST[:PORT]` or `http://…`. */
  readonly baseUrl: string;
  private readonly credentials: Credentials | undefined;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly pageSize: number;
  private readonly timeoutMs: number;
  private readonly hint: string;
  private readonly onSecret: ((secret: string) => void) | undefined;
  /** The registry asked for Basic auth. */
  private useBasic = false;
  /** The registry asked for Bearer tokens from this realm. */
  private bearer: { realm: string; service: string | undefined } | undefined;
  private readonly scopes = new Map<Action, string>();
  private readonly tokens = new Map<Action, Token>();

  constructor(ref: string, options: OciRegistryClientOptions = {}) {
    const { host, name } = parseRepositoryRef(ref);
    this.host = host;
    this.repository = name;
    this.name = `${host}/${name}`;
    const plain = options.plainHttp === true || isLoopbackHost(host);
    this.baseUrl = `${plain ? 'http' : 'https'}://${host}`;
    this.credentials = options.credentials;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.backoffMs = options.backoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 300_000;
    this.pageSize = Math.max(1, options.pageSize ?? 1000);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.hint = options.credentialsHint ?? DEFAULT_HINT;
    this.onSecret = options.onSecret;
  }

  /** `GET /v2/`: the registry answers and accepts our credentials (or needs none). */
  async ping(): Promise<void> {
    const res = await this.request({ method: 'GET', url: `${this.baseUrl}/v2/`, action: 'pull', what: 'check the API (/v2/)' });
    if (res.ok) return void (await discard(res));
    if (res.status === 404) {
      await discard(res);
      throw new InputError(`${this.name}: ${this.baseUrl}/v2/ answered 404: not an OCI distribution registry`,
        'check the host name and port of --registry');
    }
    throw await this.statusError(res, 'check the API (/v2/)');
  }

  /** Every tag of the repository, following `Link` pagination. A repository that does not exist is bad input. */
  async listTags(): Promise<string[]> {
    const tags = new Set<string>();
    const visited = new Set<string>();
    let url: string | undefined = `${this.repoUrl()}/tags/list?n=${this.pageSize}`;
    while (url !== undefined && !visited.has(url)) {
      visited.add(url);
      const res = await this.request({ method: 'GET', url, action: 'pull', what: 'list tags' });
      if (res.status === 404 && visited.size === 1) {
        await discard(res);
        throw new InputError(`${this.name}: the registry has no repository by that name (404 on the tag list)`,
          'check the --registry value (HOST[:PORT]/NAME) and that the credentials may read it; nothing was deleted');
      }
      if (!res.ok) throw await this.statusError(res, 'list tags');
      const body = await this.readJson(res, 'list tags');
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
    const res = await this.request({ method: 'HEAD', url: this.manifestUrl(reference), action: 'pull', what, accept: MANIFEST_ACCEPT });
    await discard(res);
    if (res.status === 404) return undefined;
    if (!res.ok) throw await this.statusError(res, what);
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
    const res = await this.request({ method: 'GET', url: `${this.repoUrl()}/blobs/${digest}`, action: 'pull', what });
    if (res.status === 404) {
      await discard(res);
      throw new RegistryError(`${this.name}: blob ${digest} not found`, { status: 404 });
    }
    if (!res.ok) throw await this.statusError(res, what);
    const bytes = await this.readBytes(res, what);
    if (!matchesDigest(bytes, digest)) throw new RegistryError(`${this.name}: blob ${digest} is corrupt: its content does not match its digest`);
    return bytes;
  }

  /** Deletes a manifest by digest (and with it every tag pointing at it). 'gone' when already absent. */
  async deleteManifest(digest: Digest): Promise<DeleteOutcome> {
    this.checkDigest(digest);
    const what = `delete ${digest}`;
    const res = await this.request({ method: 'DELETE', url: this.manifestUrl(digest), action: 'delete', what });
    if (res.status === 200 || res.status === 202 || res.status === 204 || res.status === 404) {
      await discard(res);
      return res.status === 404 ? 'gone' : 'deleted';
    }
    if (res.status === 405) throw this.deletionDisabled(await res.text().catch(() => ''));
    throw await this.statusError(res, what);
  }

  /**
   * Asks whether deletes are possible without deleting anything: `DELETE` of a digest no manifest has
   * (64 zeros). 404 = deletion is on; 405 = off (the clear error `deleteManifest` gives); 401/403 = the
   * credentials lack delete rights. Other answers are not conclusive and pass (the real delete reports).
   */
  async checkDeletable(): Promise<void> {
    const what = 'check that deletion is enabled';
    const res = await this.request({ method: 'DELETE', url: this.manifestUrl(`sha256:${'0'.repeat(64)}`), action: 'delete', what });
    if (res.status === 405) throw this.deletionDisabled(await res.text().catch(() => ''));
    if (res.status === 403 || res.status >= 500) throw await this.statusError(res, what);
    await discard(res);
  }

  /** OCI 1.1 tag delete, `DELETE /v2/<name>/manifests/<tag>`; `unsupported` on 400 DIGEST_INVALID, 405, 501. */
  async deleteTagReference(tag: string): Promise<TagDeleteAnswer> {
    const what = `delete tag ${tag}`;
    const res = await this.request({ method: 'DELETE', url: this.manifestUrl(tag), action: 'delete', what });
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
    throw await this.statusError(res, what);
  }

  /** `HEAD` a blob: does the repository hold it? */
  async blobExists(digest: Digest): Promise<boolean> {
    this.checkDigest(digest);
    const what = `check blob ${digest}`;
    const res = await this.request({ method: 'HEAD', url: `${this.repoUrl()}/blobs/${digest}`, action: 'pull', what });
    await discard(res);
    if (res.status === 404) return false;
    if (!res.ok) throw await this.statusError(res, what);
    return true;
  }

  /** Uploads a small blob in one go (POST, then PUT with the digest); returns its digest. */
  async uploadBlob(bytes: Buffer): Promise<Digest> {
    const digest = sha256Digest(bytes);
    const what = `upload blob ${digest}`;
    const start = await this.request({ method: 'POST', url: `${this.repoUrl()}/blobs/uploads/`, action: 'push', what });
    if (start.status !== 202) throw await this.statusError(start, what);
    await discard(start);
    const location = start.headers.get('location');
    if (location === null) throw new RegistryError(`${this.name}: ${what}: the answer has no Location`);
    const target = new URL(location, this.baseUrl);
    target.searchParams.set('digest', digest);
    const put = await this.request({ method: 'PUT', url: target.toString(), action: 'push', what, body: bytes, contentType: 'application/octet-stream' });
    if (put.status !== 201 && put.status !== 204) throw await this.statusError(put, what);
    await discard(put);
    return digest;
  }

  /** PUTs a manifest under a tag or its digest; returns the digest of the bytes. */
  async putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<Digest> {
    const digest = sha256Digest(bytes);
    const what = `push manifest ${digest} as ${reference}`;
    const res = await this.request({ method: 'PUT', url: this.manifestUrl(reference), action: 'push', what, body: bytes, contentType: mediaType });
    if (res.status !== 201 && res.status !== 200 && res.status !== 204) throw await this.statusError(res, what);
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
      const res = await this.request({ method: 'GET', url, action: 'pull', what, accept: 'application/vnd.oci.image.index.v1+json' });
      if (visited.size === 1 && (res.status === 404 || res.status === 405 || res.status === 501)) return discard(res);
      if (!res.ok) throw await this.statusError(res, what);
      out.push(...indexDescriptors(await this.readJson(res, what)));
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
    const res = await this.request({ method: 'GET', url: this.manifestUrl(reference), action: 'pull', what, accept: MANIFEST_ACCEPT });
    if (res.status === 404) return discard(res);
    if (!res.ok) throw await this.statusError(res, what);
    const mediaType = res.headers.get('content-type') ?? '';
    const bytes = await this.readBytes(res, what);
    if (isDigest(reference)) {
      if (!matchesDigest(bytes, reference)) throw new RegistryError(`${this.name}: manifest ${reference} is corrupt: its content does not match its digest`);
      return { digest: reference, mediaType, bytes };
    }
    const header = res.headers.get('docker-content-digest');
    return { digest: header !== null && isDigest(header) ? header : sha256Digest(bytes), mediaType, bytes };
  }

  private deletionDisabled(body: string): RegistryError {
    const detail = describeErrorBody(body);
    return new RegistryError(
      `${this.name}: deletion is disabled on this registry (405${detail ? ` ${detail}` : ''}); ` +
        'enable it in the registry configuration (storage.delete.enabled: true, or REGISTRY_STORAGE_DELETE_ENABLED=true for the distribution registry) and restart it',
      { status: 405 },
    );
  }

  /** One request with auth: on a 401 authenticates as the challenge says and tries once more. */
  private async request(spec: RequestSpec): Promise<Response> {
    for (let round = 0; ; round++) {
      const headers: Record<string, string> = { 'User-Agent': 'regsweep' };
      if (spec.accept !== undefined) headers['Accept'] = spec.accept;
      if (spec.contentType !== undefined) headers['Content-Type'] = spec.contentType;
      const authorization = await this.authorization(spec.action);
      if (authorization !== undefined) headers['Authorization'] = authorization;
      const init: RequestInit = { method: spec.method, headers, ...(spec.body !== undefined ? { body: spec.body } : {}) };
      const res = await this.exchange(spec.url, init, spec.what);
      if (res.status !== 401) return res;
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      await discard(res);
      if (round > 0) throw this.authError();
      await this.authenticate(challenge, spec.action);
    }
  }

  private async authorization(action: Action): Promise<string | undefined> {
    if (this.bearer !== undefined) {
      const token = this.tokens.get(action);
      if (token !== undefined && token.expiresAt > this.now()) return `Bearer ${token.value}`;
      return `Bearer ${await this.fetchToken(action)}`;
    }
    if (this.useBasic && this.credentials !== undefined) return basicAuth(this.credentials);
    return undefined;
  }

  private async authenticate(challenge: Challenge | undefined, action: Action): Promise<void> {
    const realm = challenge?.params['realm'];
    if (challenge?.scheme === 'bearer' && realm !== undefined && realm !== '') {
      this.bearer = { realm, service: challenge.params['service'] };
      const scope = challenge.params['scope'];
      if (scope !== undefined && scope !== '') this.scopes.set(action, scope);
      this.tokens.delete(action);
      return;
    }
    if (this.credentials === undefined || this.useBasic) throw this.authError();
    this.useBasic = true;
  }

  private async fetchToken(action: Action): Promise<string> {
    const bearer = this.bearer;
    if (bearer === undefined) throw new Error('no bearer realm');
    const url = new URL(bearer.realm);
    if (bearer.service !== undefined) url.searchParams.set('service', bearer.service);
    url.searchParams.set('scope', this.scopes.get(action) ?? `repository:${this.repository}:${action === 'push' ? 'pull,push' : action}`);
    const headers: Record<string, string> = { 'User-Agent': 'regsweep', Accept: 'application/json' };
    if (this.credentials !== undefined) headers['Authorization'] = basicAuth(this.credentials);
    const what = `get a ${action} token from ${url.origin}${url.pathname}`;
    const res = await this.exchange(url.toString(), { method: 'GET', headers }, what);
    if (res.status === 401 || res.status === 403) {
      await discard(res);
      throw this.authError();
    }
    if (!res.ok) throw await this.statusError(res, what);
    const body = await this.readJson(res, what);
    const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const value = typeof record['token'] === 'string' ? record['token'] : record['access_token'];
    if (typeof value !== 'string' || value === '') throw new RegistryError(`${this.name}: ${what}: the answer holds no token`);
    this.onSecret?.(value);
    const expiresIn = typeof record['expires_in'] === 'number' && record['expires_in'] > 0 ? record['expires_in'] : 60;
    // Renew a little early so a token does not expire in flight.
    this.tokens.set(action, { value, expiresAt: this.now() + Math.max(1, expiresIn - 10) * 1000 });
    return value;
  }

  private authError(): InputError {
    return this.credentials === undefined
      ? new InputError(`registry ${this.name} requires authentication (401 Unauthorized) and no credentials were given`, this.hint)
      : new InputError(`registry ${this.name} rejected the credentials of user ${JSON.stringify(this.credentials.username)} (401 Unauthorized)`, this.hint);
  }

  /** fetch with retries on connection failures, 429 and 5xx (honouring Retry-After). */
  private async exchange(url: string, init: RequestInit, what: string): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchImpl(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (error) {
        const reason = errorText(error);
        if (attempt >= this.maxAttempts) {
          throw new RegistryError(`${this.name}: ${what}: cannot reach ${new URL(url).origin} after ${attempt} attempts: ${reason}`, { transient: true, cause: error });
        }
        await this.sleep(this.backoff(attempt));
        continue;
      }
      if (res.status !== 429 && !(res.status >= 500 && res.status !== 501 && res.status !== 505)) return res;
      const wait = retryAfterMs(res.headers.get('retry-after'), this.now()) ?? this.backoff(attempt);
      if (attempt >= this.maxAttempts || wait > this.maxRetryAfterMs) {
        const base = await this.statusError(res, what);
        const why = attempt >= this.maxAttempts ? `after ${attempt} attempts` : `the registry asks to wait ${Math.ceil(wait / 1000)} s`;
        throw new RegistryError(`${base.message} (${why})`, { transient: true, status: res.status });
      }
      await discard(res);
      await this.sleep(wait);
    }
  }

  /** Waits the retry backoff of `attempt` (1, 2, …): what the listing check waits before asking again. */
  pause(attempt: number): Promise<void> {
    return this.sleep(this.backoff(attempt));
  }

  private backoff(attempt: number): number {
    return Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1));
  }

  private async statusError(res: Response, what: string): Promise<RegistryError> {
    const detail = describeErrorBody(await res.text().catch(() => ''));
    const status = `HTTP ${res.status}${detail ? ` ${detail}` : ''}`;
    const transient = res.status === 429 || res.status >= 500;
    const hint = res.status === 403 ? ` (the credentials lack the rights for this; ${this.hint})` : '';
    return new RegistryError(`${this.name}: ${what}: ${status}${hint}`, { status: res.status, transient });
  }

  private async readBytes(res: Response, what: string): Promise<Buffer> {
    try {
      return Buffer.from(await res.arrayBuffer());
    } catch (error) {
      throw new RegistryError(`${this.name}: ${what}: the connection broke while reading: ${errorText(error)}`, { transient: true, cause: error });
    }
  }

  private async readJson(res: Response, what: string): Promise<unknown> {
    return parseJson(await this.readBytes(res, what), `${this.name}: ${what}`);
  }
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

function parseJson(bytes: Buffer, context: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    throw new RegistryError(`${context}: the answer is not JSON`, { cause: error });
  }
}

function basicAuth(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

async function discard(res: Response): Promise<undefined> {
  try {
    await res.body?.cancel();
  } catch {
    // already consumed or closed
  }
  return undefined;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
