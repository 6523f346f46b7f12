/**
 * Every request regsweep sends to GitLab (REST v4, the registry JWT endpoint, the registry's own
 * `/gitlab/v1` API) goes through one `GitLabHttp`: one pacer per token, so all of them draw on one
 * budget (platform-facts.md §3.5):
 * - paced to `requestsPerMinute` (default 1,800: 90 % of GitLab.com's 2,000 authenticated requests a
 *   minute), at most `concurrency` in flight;
 * - `RateLimit-Remaining`/`RateLimit-Reset` on every answer are tracked; when the budget is used up,
 *   requests wait for the reset (a minute at most on GitLab.com);
 * - a 429 pauses every request for `Retry-After` seconds (else until `RateLimit-Reset`, else a
 *   growing fallback) and is retried; 5xx and network failures are retried with a growing pause;
 * - a wait longer than `maxWaitMs` throws `BudgetExhausted` (a deletion run stops cleanly and the
 *   next one continues; a read fails closed).
 * @gitbeaker/rest's own retry (about 0.25 s in all, ignoring `Retry-After`) is replaced: `requesterFn()`
 * hands gitbeaker a requester that sends through this class.
 */
import { realClock } from '@regsweep/node-host';
import { RegistryError, type Clock } from '@regsweep/core';
import { Pacer, type BudgetHeaders, type HttpMethod } from '@regsweep/core/internal';
import { readJsonAnswer } from '@regsweep/oci-registry';

export const GITLAB_BUDGET_HEADERS: BudgetHeaders = {
  remaining: 'ratelimit-remaining', reset: 'ratelimit-reset', limit: 'ratelimit-limit', label: "GitLab's request budget",
};

/** `token`: a personal, project or group access token (`PRIVATE-TOKEN`); `job`: `CI_JOB_TOKEN` (`JOB-TOKEN`). */
export interface GitLabAuth {
  kind: 'token' | 'job';
  value: string;
}

export interface GitLabResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON; the text where it is not JSON; undefined when empty. */
  data: unknown;
}

export interface GitLabHttpOptions {
  /** `CI_SERVER_URL`: `https://gitlab.example.com` (REST is below `/api/v4`). */
  serverUrl: string;
  auth: GitLabAuth;
  fetch?: typeof globalThis.fetch;
  clock?: Clock;
  requestsPerMinute?: number;
  concurrency?: number;
  /** Tries per request through 429s, 5xx and network failures (default 6). */
  attempts?: number;
  /** First pause after a 5xx or a network failure, doubled per try (default 1,000 ms). */
  backoffMs?: number;
  /** Longest wait for a rate limit before giving up with BudgetExhausted (default 15 min). */
  maxWaitMs?: number;
  timeoutMs?: number;
  /** Called once per rate-limit pause, with its end (epoch ms). */
  onRateLimit?: (untilMs: number, status: number) => void;
}

export interface GitLabHttpStats {
  /** Requests sent, retries included, by kind (see `requestKind`). */
  requests: Record<string, number>;
  /** 429 answers. */
  rateLimited: number;
  retries: number;
  maxInFlight: number;
}

/** What a request is, for the statistics and the bench: `tags-v1`, `tag-details`, `tag-deletes`, ... */
export function requestKind(method: string, url: URL): string {
  const p = url.pathname;
  if (p.startsWith('/gitlab/v1/')) return 'tags-v1';
  if (p === '/jwt/auth') return 'jwt';
  if (p.startsWith('/v2/')) return p.includes('/blobs/') ? 'blobs' : 'manifests';
  if (/\/registry\/repositories\/[^/]+\/tags\/[^/]+$/.test(p)) return method === 'DELETE' ? 'tag-deletes' : 'tag-details';
  if (/\/registry\/repositories\/[^/]+\/tags$/.test(p)) return 'tag-pages';
  if (/\/registry\/repositories$/.test(p)) return 'repositories';
  if (/\/repository\/branches$/.test(p)) return 'branches';
  if (/\/repository\/tags$/.test(p)) return 'git-tags';
  if (/\/repository\/commits\/[^/]+$/.test(p)) return 'commit';
  if (/\/repository\/commits$/.test(p)) return 'commits';
  if (/\/merge_requests$/.test(p)) return 'merge-requests';
  return 'other';
}

/** A GitLab answer other than 2xx, thrown to gitbeaker's callers (status, message and headers kept). */
export class GitLabRequestError extends Error {
  constructor(readonly status: number, readonly description: string, readonly headers: Record<string, string>, readonly url: string) {
    super(`GitLab answered ${status}${description ? ` (${description})` : ''} to ${url}`);
    this.name = 'GitLabRequestError';
  }
}

/** `message` or `error` of a GitLab error body, or a short excerpt. */
export function gitlabMessage(data: unknown): string {
  if (typeof data === 'object' && data !== null) {
    const o = data as Record<string, unknown>;
    for (const k of ['message', 'error', 'error_description']) {
      const v = o[k];
      if (typeof v === 'string') return v;
      if (v !== undefined && v !== null) return JSON.stringify(v);
    }
    if (Array.isArray(o['errors'])) return JSON.stringify(o['errors']).slice(0, 200);
  }
  const text = typeof data === 'string' ? data : data === undefined ? '' : JSON.stringify(data);
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class GitLabHttp {
  readonly serverUrl: string;
  readonly auth: GitLabAuth;
  readonly pacer: Pacer;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;
  private readonly counts: Record<string, number> = {};
  private rateLimited = 0;
  private retries = 0;

  constructor(private readonly options: GitLabHttpOptions) {
    this.serverUrl = options.serverUrl.replace(/\/+$/, '');
    this.auth = options.auth;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.attempts = Math.max(1, options.attempts ?? 6);
    this.backoffMs = options.backoffMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    const perMinute = Math.max(1, options.requestsPerMinute ?? 1800);
    this.pacer = new Pacer({
      clock: options.clock ?? realClock(), budgetHeaders: GITLAB_BUDGET_HEADERS, waitForReset: true,
      pointsPerWindow: perMinute, windowMs: 60_000, marginMs: 250, writeCost: 1, readCost: 1, perEndpoint: false,
      burstPoints: Math.max(10, Math.ceil(perMinute / 20)), reserve: 5, concurrency: options.concurrency ?? 10,
      fallbackPauseMs: 30_000, maxWaitMs: options.maxWaitMs ?? 15 * 60_000,
    });
  }

  /** The REST v4 URL of `path` (`/projects/1/registry/repositories`). */
  api(path: string, query?: Record<string, string | number | undefined>): URL {
    const url = new URL(`${this.serverUrl}/api/v4${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** The auth header REST v4 takes for this token. */
  authHeaders(): Record<string, string> {
    return this.auth.kind === 'job' ? { 'JOB-TOKEN': this.auth.value } : { 'PRIVATE-TOKEN': this.auth.value };
  }

  /**
   * Sends one request through the pacer and returns GitLab's answer whatever its status, after
   * retrying 429s (once the pause ends), 5xx and network failures. `headers` replace the REST auth
   * header when given (the registry takes a Bearer JWT).
   */
  async send(method: HttpMethod, url: URL, init: { headers?: Record<string, string>; body?: string } = {}): Promise<GitLabResponse> {
    const kind = requestKind(method, url);
    const headers = { Accept: 'application/json', 'User-Agent': 'regsweep', ...(init.headers ?? this.authHeaders()) };
    for (let attempt = 1; ; attempt++) {
      const permit = await this.pacer.acquire('gitlab', method);
      this.counts[kind] = (this.counts[kind] ?? 0) + 1;
      let res: GitLabResponse;
      try {
        res = await this.fetchOnce(method, url, headers, init.body);
      } catch (error) {
        permit.release();
        const why = error instanceof Error ? error.message : String(error);
        if (attempt >= this.attempts) throw new RegistryError(`GitLab: ${method} ${url.pathname}: no answer after ${attempt} tries: ${why}`, { transient: true, cause: error });
        this.retries += 1;
        this.pacer.pause(this.pacer.nowMs() + this.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      permit.release(res.headers);
      if (res.status === 429) {
        this.rateLimited += 1;
        const before = this.pacer.pausedUntilMs();
        const verdict = this.pacer.limited(res.headers);
        if (verdict.untilMs > before) this.options.onRateLimit?.(verdict.untilMs, res.status);
      } else if (res.status < 500) {
        return res;
      }
      if (attempt >= this.attempts) {
        const what = res.status === 429 ? 'rate limited (429)' : `HTTP ${res.status}`;
        throw new RegistryError(`GitLab: ${method} ${url.pathname}: ${what} after ${attempt} tries: ${gitlabMessage(res.data)}`, { transient: true, status: res.status });
      }
      this.retries += 1;
      if (res.status !== 429) this.pacer.pause(this.pacer.nowMs() + this.backoffMs * 2 ** (attempt - 1));
    }
  }

  private async fetchOnce(method: HttpMethod, url: URL, headers: Record<string, string>, body: string | undefined): Promise<GitLabResponse> {
    const res = await this.fetchImpl(url, {
      method, headers: body !== undefined ? { ...headers, 'Content-Type': 'application/json' } : headers,
      ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(this.timeoutMs),
    });
    return readJsonAnswer(res);
  }

  /**
   * A requester for @gitbeaker (`requesterFn` option): gitbeaker builds the URL and follows the `Link`
   * pages; this class sends, paces and retries. A non-2xx answer throws `GitLabRequestError`.
   */
  requesterFn(): (serviceOptions: unknown) => Record<'get' | 'post' | 'put' | 'patch' | 'delete', (endpoint: string, options?: GitbeakerCall) => Promise<GitbeakerAnswer>> {
    const call = (method: HttpMethod) => async (endpoint: string, options: GitbeakerCall = {}): Promise<GitbeakerAnswer> => {
      const url = this.api(`/${endpoint.replace(/^\/+/, '')}`);
      const search = formatSearch(options.searchParams);
      if (search !== '') url.search = search;
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const res = await this.send(method, url, body !== undefined ? { body } : {});
      if (res.status < 200 || res.status > 299) throw new GitLabRequestError(res.status, gitlabMessage(res.data), res.headers, `${method} ${url.pathname}`);
      return { body: res.status === 204 ? null : res.data ?? (WRITES.has(method) ? null : {}), headers: res.headers, status: res.status };
    };
    return () => ({ get: call('GET'), post: call('POST'), put: call('PUT'), patch: call('PATCH'), delete: call('DELETE') });
  }

  stats(): GitLabHttpStats {
    return { requests: { ...this.counts }, rateLimited: this.rateLimited, retries: this.retries, maxInFlight: this.pacer.stats().maxInFlight };
  }
}

export interface GitbeakerCall {
  searchParams?: Record<string, unknown>;
  body?: unknown;
}

export interface GitbeakerAnswer {
  body: unknown;
  headers: Record<string, string>;
  status: number;
}

/** gitbeaker's query options as GitLab spells them (`perPage` → `per_page`, arrays as `k[]=`). */
function formatSearch(params: Record<string, unknown> | undefined): string {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue;
    const name = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (Array.isArray(value)) for (const v of value) out.append(`${name}[]`, String(v));
    else out.set(name, String(value));
  }
  return out.toString();
}
