/**
 * The smallest REST transport the GHCR adapter needs: `RequestLike` answers every HTTP status (it only
 * throws when no answer came), so the adapter alone decides about 4xx, rate limits and retries.
 * `fetchRequest` is a plain fetch client; `octokitRequest` adapts any Octokit (`octokit.request`, which
 * throws RequestError on 4xx/5xx). An Octokit with @octokit/plugin-throttling serialises writes at one a
 * second (its `write` limiter): the pacer does the pacing, so pass an Octokit without that plugin, or
 * with `throttle.write` set to a looser Bottleneck group, for deletes to reach 180 a minute.
 */
import { readJsonAnswer } from '@regsweep/oci-registry';
import type { HeaderBag, HttpMethod } from './pacer.js';

export interface GitHubResponse {
  status: number;
  /** Lower-case header names. */
  headers: HeaderBag;
  /** Parsed JSON, or undefined for an empty body (204). */
  data: unknown;
}

export interface GitHubRequestSpec {
  method: HttpMethod;
  /** Path below the API root, segments already encoded (`/orgs/acme/packages/container/a%2Fb/versions`). */
  url: string;
  /** Query parameters. */
  params?: Readonly<Record<string, string | number>>;
}

export type RequestLike = (spec: GitHubRequestSpec) => Promise<GitHubResponse>;

export interface FetchRequestOptions {
  /** Default https://api.github.com (GITHUB_API_URL on GHES). */
  baseUrl?: string;
  token: string;
  fetch?: typeof globalThis.fetch;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
  userAgent?: string;
}

export function fetchRequest(options: FetchRequestOptions): RequestLike {
  const base = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return async (spec) => {
    const url = new URL(`${base}${spec.url}`);
    for (const [k, v] of Object.entries(spec.params ?? {})) url.searchParams.set(k, String(v));
    const res = await fetchImpl(url, {
      method: spec.method,
      headers: {
        Accept: 'application/vnd.github+json',
        Authorization: `Bearer ${options.token}`,
        'User-Agent': options.userAgent ?? 'regsweep',
        'X-GitHub-Api-Version': '2022-11-28',
      },
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    return readJsonAnswer(res);
  };
}

/** What `octokitRequest` needs of an Octokit: `request(route, parameters)`. */
export interface OctokitLike {
  request(route: string, parameters?: Record<string, unknown>): Promise<{ status: number; headers: object; data: unknown }>;
}

function asHeaderBag(value: unknown): HeaderBag {
  if (typeof value !== 'object' || value === null) return {};
  const out: Record<string, string | number | string[] | undefined> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number' || v === undefined) out[k.toLowerCase()] = v;
    else if (Array.isArray(v)) out[k.toLowerCase()] = v.map(String);
  }
  return out;
}

export function octokitRequest(octokit: OctokitLike): RequestLike {
  return async (spec) => {
    try {
      const res = await octokit.request(`${spec.method} ${spec.url}`, { ...(spec.params ?? {}) });
      return { status: res.status, headers: asHeaderBag(res.headers), data: res.data };
    } catch (error) {
      // @octokit/request-error: `status` and `response` ({ headers, data }) for every HTTP answer.
      const e = error as { status?: unknown; response?: { headers?: unknown; data?: unknown } };
      if (typeof e.status !== 'number' || e.status < 100 || e.response === undefined) throw error;
      return { status: e.status, headers: asHeaderBag(e.response.headers), data: e.response.data };
    }
  };
}

/** `message` of a GitHub error body, or a short excerpt. */
export function errorMessage(data: unknown): string {
  if (typeof data === 'object' && data !== null && 'message' in data && typeof data.message === 'string') return data.message;
  const text = typeof data === 'string' ? data : data === undefined ? '' : JSON.stringify(data);
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/** The page number of the `rel` link in a `Link` header (`<…?page=7>; rel="last"`). */
export function linkPage(link: string | undefined, rel: 'next' | 'last'): number | undefined {
  if (link === undefined) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m === null || !new RegExp(`rel\\s*=\\s*"?(?:[^"]*\\s)?${rel}(?:\\s[^"]*)?"?`, 'i').test(m[2] ?? '')) continue;
    const page = Number(new URL(m[1] ?? '', 'https://api.github.com').searchParams.get('page'));
    return Number.isInteger(page) && page > 0 ? page : undefined;
  }
  return undefined;
}
