/**
 * The core `Registry` port over GitHub Packages (GHCR) — platform-facts.md §2:
 * - list(): the package's versions through REST (`/orgs|/user|/users/{owner}/packages/container/{name}/versions`),
 *   100 a page; once `Link rel="last"` tells the page count the rest are fetched in parallel (bounded).
 *   Every version is one digest with its tags; untagged versions are listed too.
 * - reads: manifests and configs through ghcr.io's OCI API (Bearer token from `<registry>/token`,
 *   Basic `user:token`), through the digest cache when given: every manifest GET counts as a download.
 * - deleteImage(): `DELETE …/versions/{id}` through the pacer (GitHub's secondary limits and hourly
 *   budget); GHCR's refusals (last tagged version, > 5000 downloads) become DeleteSkipped; a rate-limit
 *   answer pauses the pacer and the request is retried after the pause; a budget that would run out
 *   throws BudgetExhausted (the executor stops starting deletions; the next run continues).
 * ghcr.io cannot delete through the OCI API and has nothing harmless to probe, so there is no
 * `checkDeletable`; a token without delete rights fails the first delete and every later one at once.
 */
import { BudgetExhausted, DeleteSkipped, IncompleteInputError, InputError, RegistryError, type DeleteOutcome, type Digest, type ListedImage, type RawManifest, type Registry, type RegistryCapabilities } from '@regsweep/core';
import { listUntilAgreed, mapLimit } from '@regsweep/core/internal';
import { createManifestReader, type CacheStats, type DigestCache, type ManifestReads, type OciRegistryClientOptions } from '@regsweep/oci-registry';
import { errorMessage, fetchRequest, linkPage, octokitRequest, type GitHubResponse, type OctokitLike, type RequestLike } from './ghcr-http.js';
import { headerValue, Pacer, type HttpMethod, type PacerStats } from './pacer.js';
import { parseVersions, resolveOwner, TOKEN_HINT, type OwnerScope, type OwnerType } from './ghcr-owner.js';

export interface GhcrPackageOptions {
  /** The REST transport; else `octokit`; else a fetch client for `apiUrl` with `token`. */
  request?: RequestLike;
  octokit?: OctokitLike;
  /** Default https://api.github.com (only used without `request` and `octokit`). */
  apiUrl?: string;
  owner: string;
  /** Detected with `GET /users/{owner}` when absent. */
  ownerType?: OwnerType;
  /** The token's own login when known (skips `GET /user` for a user-owned package). */
  viewer?: string;
  /** The package name; nested names (`a/b`) are sent encoded (`a%2Fb`). */
  package: string;
  /** Default https://ghcr.io. */
  registryUrl?: string;
  token: string;
  /** User name for the registry's Basic auth (default the owner; GHCR checks only the token). */
  username?: string;
  /** Share one pacer between the packages of one token. Default: a pacer of its own. */
  pacer?: Pacer;
  /** Digest cache for manifest and config reads; `readOnly` in a dry run. */
  cache?: { cache: DigestCache; readOnly: boolean };
  /** Pages fetched in parallel once the last page is known (default 8). */
  pageConcurrency?: number;
  /** Told when two reads of the version list disagreed and it is read again. */
  onListingRetry?: (why: string) => void;
  /** Tries per request through rate-limit answers, 5xx and network failures (default 6). */
  attempts?: number;
  /** First pause after a 5xx or network failure, doubled per try (default 1000 ms). */
  backoffMs?: number;
  /** Passed to the OCI read client (fetch, sleep, now, timeouts). */
  oci?: Pick<OciRegistryClientOptions, 'fetch' | 'sleep' | 'now' | 'maxAttempts' | 'backoffMs' | 'timeoutMs' | 'onSecret'>;
}

export interface GhcrStats {
  /** REST requests sent, retries included, and OCI requests (token, manifest and blob GETs). */
  requests: { owner: number; viewer: number; pages: number; deletes: number; checks: number; tokens: number; manifests: number; blobs: number };
  /** 403/429 rate-limit answers received. */
  rateLimited: number;
  retries: number;
  pacer: PacerStats;
  cache?: CacheStats;
}

type Kind = 'owner' | 'viewer' | 'pages' | 'deletes' | 'checks';

export async function openGhcrPackage(options: GhcrPackageOptions): Promise<GhcrRegistry> {
  const registry = new GhcrRegistry(options);
  try {
    await registry.resolve();
  } catch (error) {
    throw registry.incomplete(error);
  }
  return registry;
}

/** Reads in flight on ghcr.io. */
export const GHCR_READ_CONCURRENCY = 32;

export class GhcrRegistry implements Registry {
  readonly name: string;
  readonly imageReference: string;
  readonly capabilities: RegistryCapabilities = { listsUntagged: true, deletesTagAlone: false, attachmentsByTag: true };
  /**
   * ghcr.io's read path (manifest and blob GETs, not the Packages API the pacer paces): 32 in flight,
   * well under GitHub's 100 concurrent requests; a 429 holds every read until its Retry-After.
   */
  readonly readConcurrency = GHCR_READ_CONCURRENCY;
  readonly pacer: Pacer;
  readonly owner: string;
  readonly packageName: string;
  private readonly request: RequestLike;
  private readonly options: GhcrPackageOptions;
  private readonly attempts: number;
  private readonly counts: Omit<GhcrStats['requests'], 'tokens' | 'manifests' | 'blobs'> = { owner: 0, viewer: 0, pages: 0, deletes: 0, checks: 0 };
  private rateLimited = 0;
  private retries = 0;
  private scope: OwnerScope | undefined;
  private readonly ids = new Map<Digest, string>();
  /** The first permission refusal of a delete: every later delete fails with it, unsent. */
  private denied: InputError | undefined;
  private reader: ManifestReads | undefined;

  constructor(options: GhcrPackageOptions) {
    if (options.owner === '' || options.package === '') throw new InputError('a GHCR package needs an owner and a package name', 'write it like ghcr.io/OWNER/NAME');
    this.options = options;
    this.owner = options.owner;
    this.packageName = options.package;
    const host = new URL(options.registryUrl ?? 'https://ghcr.io').host;
    this.name = `${host}/${options.owner.toLowerCase()}/${options.package}`;
    this.imageReference = this.name;
    this.pacer = options.pacer ?? new Pacer();
    this.attempts = Math.max(1, options.attempts ?? 6);
    this.request = options.request ?? (options.octokit !== undefined ? octokitRequest(options.octokit) : fetchRequest({ token: options.token, ...(options.apiUrl !== undefined ? { baseUrl: options.apiUrl } : {}) }));
  }

  /** Finds the owner's kind and the path prefix of its packages (once). */
  async resolve(): Promise<OwnerScope> {
    this.scope ??= await resolveOwner({
      owner: this.owner,
      ownerType: this.options.ownerType,
      viewer: this.options.viewer,
      send: (method, url, endpoint, kind) => this.send(method, url, endpoint, kind),
      fail: (res, what) => this.failure(res, what),
    });
    return this.scope;
  }

  private async versionsPath(): Promise<{ path: string; endpoint: string }> {
    const scope = await this.resolve();
    return { path: `${scope.path}/packages/container/${encodeURIComponent(this.packageName)}/versions`, endpoint: `${scope.endpoint}/packages/container/{package_name}/versions` };
  }

  async list(): Promise<ListedImage[]> {
    try {
      // Version pages shift under a concurrent push or delete: read twice, until two reads agree.
      return await listUntilAgreed(() => this.listVersions(), {
        input: `registry ${this.name} listing`,
        ...(this.options.onListingRetry ? { onRetry: this.options.onListingRetry } : {}),
      });
    } catch (error) {
      throw this.incomplete(error);
    }
  }

  /** @internal A budget that runs out while reading makes the listing incomplete (fail closed; nothing is deleted). */
  incomplete(error: unknown): unknown {
    if (!(error instanceof BudgetExhausted)) return error;
    return new IncompleteInputError(`${this.name} listing`, error.message.replace(/: deletions stop here.*$/, ''),
      'run again after the reset, or with a token that has a budget of its own', error);
  }

  private async listVersions(): Promise<ListedImage[]> {
    const { path, endpoint } = await this.versionsPath();
    const page = async (n: number): Promise<GitHubResponse> => {
      const res = await this.send('GET', path, `GET ${endpoint}`, 'pages', { per_page: 100, page: n });
      if (res.status === 404 && n === 1) {
        throw new InputError(`package ${this.packageName} of owner ${this.owner} not found (or the token cannot see it)`,
          `check the package name (the part after ghcr.io/${this.owner.toLowerCase()}/) and ${TOKEN_HINT}`);
      }
      if (res.status !== 200) throw this.failure(res, `list versions (page ${n})`);
      return res;
    };
    const first = await page(1);
    const answers = [first];
    const last = linkPage(headerValue(first.headers, 'link'), 'last');
    if (last !== undefined && last > 1) {
      const pages = Array.from({ length: last - 1 }, (_, i) => i + 2);
      answers.push(...(await mapLimit(pages, Math.max(1, this.options.pageConcurrency ?? 8), page)));
    }
    // Without `last` (or when versions were added meanwhile) follow `next` one page at a time.
    for (let next = linkPage(headerValue(answers.at(-1)?.headers, 'link'), 'next'); next !== undefined && next > answers.length; ) {
      const res = await page(next);
      answers.push(res);
      next = linkPage(headerValue(res.headers, 'link'), 'next');
    }
    const byId = new Map<string, ListedImage>();
    for (const res of answers) {
      for (const image of parseVersions(res.data, this.name)) byId.set(image.handle ?? image.digest, image);
    }
    const listed = [...byId.values()];
    for (const image of listed) if (image.handle !== undefined) this.ids.set(image.digest, image.handle);
    return listed;
  }

  async deleteImage(image: ListedImage): Promise<DeleteOutcome> {
    if (this.denied !== undefined) throw this.denied;
    const id = image.handle ?? this.ids.get(image.digest);
    if (id === undefined || !/^[0-9]+$/.test(id)) throw new RegistryError(`${this.name}: no package version id for ${image.digest} (list the package first)`);
    const { path, endpoint } = await this.versionsPath();
    const res = await this.send('DELETE', `${path}/${id}`, `DELETE ${endpoint}/{package_version_id}`, 'deletes');
    if (res.status === 204 || res.status === 200) return 'deleted';
    if (res.status === 404) return this.confirmGone(path, endpoint, id, image.digest);
    const message = errorMessage(res.data);
    if (res.status === 400 && /last tagged version|5,?000 downloads|cannot be deleted/i.test(message)) {
      throw new DeleteSkipped(`GHCR refuses to delete ${image.digest} (version ${id}${image.tags.length > 0 ? `, tags ${image.tags.join(', ')}` : ''}): ${message}`);
    }
    const error = this.failure(res, `delete version ${id} (${image.digest})`);
    if (error instanceof InputError) this.denied = error;
    throw error;
  }

  /** A 404 on a delete is "already gone" only if the version is really absent, not hidden from the token. */
  private async confirmGone(path: string, endpoint: string, id: string, digest: Digest): Promise<DeleteOutcome> {
    const res = await this.send('GET', `${path}/${id}`, `GET ${endpoint}/{package_version_id}`, 'checks');
    if (res.status === 404) return 'gone';
    if (res.status === 200) {
      this.denied = new InputError(`${this.name}: GitHub answered 404 to deleting version ${id} (${digest}), which the token can read: it may not delete it`, TOKEN_HINT);
      throw this.denied;
    }
    throw this.failure(res, `check version ${id}`);
  }

  /** Manifest and config reads answered by the digest cache so far (progress lines). */
  readsFromCache(): number {
    return this.reader?.cacheStats()?.hits ?? 0;
  }

  async getManifest(digest: Digest): Promise<RawManifest> {
    return this.oci().getManifest(digest);
  }

  async getBlobJson(digest: Digest): Promise<unknown> {
    return this.oci().getBlobJson(digest);
  }

  stats(): GhcrStats {
    const cache = this.reader?.cacheStats();
    return { requests: { ...this.counts, ...(this.reader?.counts() ?? { tokens: 0, manifests: 0, blobs: 0 }) }, rateLimited: this.rateLimited, retries: this.retries, pacer: this.pacer.stats(), ...(cache !== undefined ? { cache } : {}) };
  }

  private oci(): ManifestReads {
    if (this.reader !== undefined) return this.reader;
    const url = new URL(this.options.registryUrl ?? 'https://ghcr.io');
    return (this.reader = createManifestReader({
      ...this.options.oci,
      repository: this.name,
      plainHttp: url.protocol === 'http:',
      credentials: { username: this.options.username ?? this.owner, password: this.options.token },
      credentialsHint: TOKEN_HINT,
      ...(this.options.cache !== undefined ? { cache: this.options.cache } : {}),
    }));
  }

  /**
   * One REST request through the pacer, retried (after the pacer's pause) on rate-limit answers and
   * (after a growing pause) on 5xx and network failures. Other answers are returned as they are.
   */
  private async send(method: HttpMethod, url: string, endpoint: string, kind: Kind, params?: Record<string, number>): Promise<GitHubResponse> {
    const backoff = this.options.backoffMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      const permit = await this.pacer.acquire(endpoint, method);
      this.counts[kind] += 1;
      let res: GitHubResponse;
      try {
        res = await this.request({ method, url, ...(params !== undefined ? { params } : {}) });
      } catch (error) {
        permit.release();
        const why = error instanceof Error ? error.message : String(error);
        if (attempt >= this.attempts) throw new RegistryError(`${this.name}: ${method} ${url}: no answer from GitHub after ${attempt} tries: ${why}`, { transient: true, cause: error });
        this.retries += 1;
        this.pacer.pause(this.pacer.nowMs() + backoff * 2 ** (attempt - 1));
        continue;
      }
      permit.release(res.headers);
      const limited = isRateLimited(res);
      if (limited) {
        this.rateLimited += 1;
        this.pacer.limited(res.headers);
      }
      if (!limited && res.status < 500) return res;
      if (attempt >= this.attempts) {
        const what = limited ? 'rate limited' : `HTTP ${res.status}`;
        throw new RegistryError(`${this.name}: ${method} ${url}: ${what} after ${attempt} tries: ${errorMessage(res.data)}`, { transient: true, status: res.status });
      }
      this.retries += 1;
      if (!limited) this.pacer.pause(this.pacer.nowMs() + backoff * 2 ** (attempt - 1));
    }
  }

  /** The error for an answer the caller did not expect. */
  private failure(res: GitHubResponse, what: string): Error {
    const message = errorMessage(res.data);
    const status = `${res.status}${message ? ` ${message}` : ''}`;
    if (res.status === 401) return new InputError(`${this.name}: ${what}: GitHub rejected the token (${status})`, TOKEN_HINT);
    if (res.status === 403) return new InputError(`${this.name}: ${what}: the token may not do this (${status})`, TOKEN_HINT);
    return new RegistryError(`${this.name}: ${what}: HTTP ${status}`, { status: res.status, transient: res.status >= 500 });
  }
}

/** A 429, or a 403 that names a wait or an empty budget or says so (a plain 403 is a permission refusal). */
export function isRateLimited(res: GitHubResponse): boolean {
  if (res.status === 429) return true;
  if (res.status !== 403) return false;
  return headerValue(res.headers, 'retry-after') !== undefined || headerValue(res.headers, 'x-ratelimit-remaining') === '0' || /rate limit/i.test(errorMessage(res.data));
}
