/**
 * The Octokit regsweep talks to GitHub with (REST and GraphQL), shared by the history and GHCR adapters:
 * `@octokit/rest` with `@octokit/plugin-retry` (5xx and network failures, short backoff) and
 * `@octokit/plugin-throttling` (GitHub's rate limits: on 403/429 it waits `retry-after`, or until
 * `x-ratelimit-reset` when `x-ratelimit-remaining` is 0, or 60 s for a secondary limit without
 * `retry-after`; we decide whether to retry, a bounded number of times, and log why).
 *
 * Plugin order matters: retry is applied first (innermost), throttling last (outermost), so a rate-limit
 * answer is never retried blindly by the retry plugin (403 and 429 are in its `doNotRetry`).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Octokit as RestOctokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import type { HeaderBag } from '@regsweep/core/internal';
import type { GraphqlBudget } from './graphql-budget.js';

const RegsweepOctokit = RestOctokit.plugin(retry, throttling);
/** An Octokit with REST methods, `paginate` and `graphql`; `createOctokit` adds retry and throttling. */
export type GitHubOctokit = RestOctokit;

/** Where the Octokit and the adapters log (Octokit calls it with an optional second argument). */
export interface GitHubLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLog: GitHubLog = { debug() {}, info() {}, warn() {}, error() {} };

export interface RateLimitEvent {
  kind: 'primary' | 'secondary';
  /** `POST /graphql`, `GET /repos/{owner}/{repo}/branches` (the route, not the expanded URL). */
  request: string;
  /** Seconds the plugin waits before the retry (from `retry-after` or `x-ratelimit-reset`). */
  retryAfterSeconds: number;
  /** Retries of this request so far. */
  retryCount: number;
  /** Whether it will be retried. */
  retrying: boolean;
}

export interface CreateOctokitOptions {
  /** A PAT, GITHUB_TOKEN or App token; absent = anonymous (public data only, low limits). */
  token?: string;
  /** REST base URL: `https://api.github.com` (default) or `https://HOST/api/v3` for GitHub Enterprise Server. */
  baseUrl?: string;
  userAgent?: string;
  log?: GitHubLog;
  /** Told about every rate-limit answer (for progress output); the retry decision is made here. */
  onRateLimit?: (event: RateLimitEvent) => void;
  /** Told about every HTTP attempt, retries included (for counting). */
  onRequest?: (attempt: { method: string; url: string; status: number | undefined }) => void;
  /** Retries after a rate-limit answer, per request (default 3). */
  maxRateLimitRetries?: number;
  /** A rate-limit wait longer than this fails the request instead (default 900 s). */
  maxRateLimitWaitSeconds?: number;
  /** Retries of 5xx answers and network failures (default 3; waits 1, 4, 9 × `retryBaseMs`). */
  retries?: number;
  /** Milliseconds per second of any wait the plugins compute (default 1000; tests make it small). */
  retryBaseMs?: number;
  /**
   * Minimum spacing of GraphQL queries and writes (POST/PATCH/PUT/DELETE), for GitHub's secondary
   * limits. Absent: the throttling plugin's own pacing (one a second, shared by every Octokit in the
   * process). 340 allows GitHub's 180 deletes a minute; 0 turns pacing off (tests).
   */
  writeSpacingMs?: number;
  /**
   * Paces GraphQL queries by GitHub's GraphQL point budget instead (graphql-budget.ts), learning it from
   * every GraphQL answer. For an Octokit that sends no REST writes (the history's): the throttling plugin
   * routes GraphQL and writes through one limiter. Wins over `writeSpacingMs`.
   */
  graphqlBudget?: GraphqlBudget;
  /** Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
}

type WriteGroup = NonNullable<ThrottlingOptions['write']>;

/** The plugin's write group (a Bottleneck group in the plugin) as a stand-in: each job starts once `ready` resolves. */
function waitingGroup(ready: () => Promise<void>): WriteGroup {
  const limiter = {
    async schedule<R>(_options: unknown, job: (...args: unknown[]) => Promise<R>, ...args: unknown[]): Promise<R> {
      await ready();
      return job(...args);
    },
  };
  return { key: () => limiter } as unknown as WriteGroup;
}

/** Jobs start at least `spacingMs` apart. */
function spacingGroup(spacingMs: number): WriteGroup {
  let next = 0;
  return waitingGroup(async () => {
    const now = Date.now();
    const start = Math.max(now, next);
    next = start + spacingMs;
    if (start > now) await delay(start - now);
  });
}

export function createOctokit(options: CreateOctokitOptions = {}): GitHubOctokit {
  const log = options.log ?? silentLog;
  const maxRetries = options.maxRateLimitRetries ?? 3;
  const maxWait = options.maxRateLimitWaitSeconds ?? 900;
  const base = options.retryBaseMs ?? 1000;
  const baseFetch = options.fetch ?? globalThis.fetch;

  const onLimit = (kind: RateLimitEvent['kind']) =>
    async (retryAfter: number, req: { method: string; url: string }, _octokit: unknown, retryCount: number): Promise<boolean> => {
      const request = `${req.method} ${req.url}`;
      // Secondary limits back off further on every repeat (GitHub: "wait at least a minute, and back off").
      const extra = kind === 'secondary' ? Math.min(retryAfter * (2 ** retryCount - 1), maxWait) : 0;
      const retrying = retryCount < maxRetries && retryAfter + extra <= maxWait;
      options.onRateLimit?.({ kind, request, retryAfterSeconds: retryAfter + extra, retryCount, retrying });
      const what = kind === 'primary' ? 'rate limit (hourly budget used up)' : 'secondary rate limit';
      if (!retrying) {
        log.warn(`GitHub ${what} on ${request}: giving up after ${retryCount} ${retryCount === 1 ? 'retry' : 'retries'}` +
          (retryAfter + extra > maxWait ? ` (the wait of ${retryAfter + extra} s is longer than ${maxWait} s)` : ''));
        return false;
      }
      log.warn(`GitHub ${what} on ${request}: waiting ${retryAfter + extra} s, then retry ${retryCount + 1} of ${maxRetries}`);
      if (extra > 0) await delay(extra * base);
      return true;
    };

  const countingFetch: typeof globalThis.fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    try {
      const res = await baseFetch(input, init);
      options.onRequest?.({ method, url, status: res.status });
      if (res.status >= 500) log.debug(`GitHub answered ${res.status} to ${method} ${url}`);
      return res;
    } catch (err) {
      options.onRequest?.({ method, url, status: undefined });
      throw err;
    }
  };

  const budget = options.graphqlBudget;
  const writeGroup = budget !== undefined ? { write: waitingGroup(() => budget.beforeQuery()) } : options.writeSpacingMs !== undefined ? { write: spacingGroup(options.writeSpacingMs) } : {};
  const octokit = new RegsweepOctokit({
    ...(options.token ? { auth: options.token } : {}),
    ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
    userAgent: options.userAgent ?? 'regsweep',
    log,
    request: { fetch: countingFetch },
    retry: {
      retries: options.retries ?? 3,
      retryAfterBaseValue: base,
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
    },
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: base,
      fallbackSecondaryRateRetryAfter: 60,
      ...writeGroup,
    },
  });
  if (budget !== undefined) {
    const isGraphql = (url: unknown): boolean => typeof url === 'string' && /\/graphql$/.test(url.split('?')[0] ?? '');
    octokit.hook.after('request', (res, req) => {
      if (isGraphql(req.url)) budget.observe(res.headers as HeaderBag);
    });
    octokit.hook.error('request', (err, req) => {
      if (isGraphql(req.url) && typeof err === 'object' && err !== null && 'response' in err) {
        const res = (err as { response?: { headers?: unknown } }).response;
        if (res && typeof res.headers === 'object') budget.observe(res.headers as HeaderBag);
      }
      throw err;
    });
  }
  return octokit;
}

/** The HTTP status of an Octokit error (`RequestError`), if it has one. */
export function octokitErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('status' in err)) return undefined;
  return typeof err.status === 'number' ? err.status : undefined;
}

/** A response header of an Octokit error, if any. */
export function octokitErrorHeader(err: unknown, name: string): string | undefined {
  if (typeof err !== 'object' || err === null || !('response' in err)) return undefined;
  const res = err.response;
  if (typeof res !== 'object' || res === null || !('headers' in res)) return undefined;
  const headers = res.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value: unknown = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
