/**
 * What a forge's answers say about its rate limits, read purely: the budget headers of an answer,
 * how long a 403/429 asks to wait, and whether a write fits the budget left. The header names are the
 * adapter's (GitHub's `x-ratelimit-*`, GitLab's `RateLimit-*`); core knows none of them.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** Response headers, lower-case names (fetch, Octokit and node:http all give that). */
export type HeaderBag = Readonly<Record<string, string | number | string[] | undefined>>;

/** The response headers that carry the request budget. */
export interface BudgetHeaders {
  remaining: string;
  /** Epoch seconds when the budget is replenished. */
  reset: string;
  limit: string;
  /** Only answers whose `resource.header` equals `resource.value` (or is absent) count. */
  resource?: { header: string; value: string };
  /** What the messages call the budget: `GitHub's hourly request budget`. */
  label: string;
}

export interface PrimaryBudget {
  limit?: number;
  /** Conservative estimate of the requests left until `resetAt` (undefined = unknown). */
  remaining?: number;
  /** Epoch ms. */
  resetAt?: number;
}

export interface LimitVerdict {
  /** `primary`: the budget is used up; `secondary`: retry-after or an unexplained 403/429. */
  kind: 'primary' | 'secondary';
  untilMs: number;
}

export const WRITE_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function headerValue(headers: HeaderBag | undefined, name: string): string | undefined {
  const v = headers?.[name] ?? headers?.[name.toLowerCase()];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0] : String(v);
}

/** How long to wait after a 403/429, in the documented order: `retry-after`, then the budget's reset, else `fallbackMs`. */
export function limitVerdict(headers: HeaderBag | undefined, nowMs: number, fallbackMs: number, names: BudgetHeaders): LimitVerdict {
  const after = headerValue(headers, 'retry-after')?.trim();
  if (after !== undefined && after !== '') {
    const seconds = /^[0-9]+$/.test(after) ? Number(after) : undefined;
    const at = seconds !== undefined ? nowMs + seconds * 1000 : Date.parse(after);
    if (!Number.isNaN(at)) return { kind: 'secondary', untilMs: Math.max(nowMs, at) };
  }
  const reset = Number(headerValue(headers, names.reset));
  if (headerValue(headers, names.remaining) === '0' && Number.isFinite(reset) && reset > 0) {
    return { kind: 'primary', untilMs: Math.max(nowMs, reset * 1000 + 1000) };
  }
  return { kind: 'secondary', untilMs: nowMs + fallbackMs };
}

/** May a write be sent with this budget estimate, leaving `reserve`? */
export function writeFitsBudget(remaining: number | undefined, reserve: number): boolean {
  return remaining === undefined || remaining - 1 >= reserve;
}

/** The budget after an answer's headers (pure): `inFlight` requests not yet counted in it are subtracted. */
export function observedBudget(previous: PrimaryBudget, headers: HeaderBag, names: BudgetHeaders, inFlight: number): PrimaryBudget {
  const { resource: only } = names;
  const resource = only !== undefined ? headerValue(headers, only.header) : undefined;
  if (only !== undefined && resource !== undefined && resource !== only.value) return previous;
  const remaining = Number(headerValue(headers, names.remaining) ?? NaN);
  const reset = Number(headerValue(headers, names.reset) ?? NaN);
  const limit = Number(headerValue(headers, names.limit) ?? NaN);
  if (!Number.isFinite(remaining)) return previous;
  const resetAt = Number.isFinite(reset) ? reset * 1000 : undefined;
  const estimate = Math.max(0, remaining - inFlight);
  const newer = resetAt !== undefined && (previous.resetAt === undefined || resetAt > previous.resetAt);
  const out: PrimaryBudget = {
    remaining: newer || previous.remaining === undefined ? estimate : Math.min(previous.remaining, estimate),
  };
  const keptLimit = Number.isFinite(limit) ? limit : previous.limit;
  if (keptLimit !== undefined) out.limit = keptLimit;
  const keptReset = resetAt !== undefined ? (newer ? resetAt : previous.resetAt ?? resetAt) : previous.resetAt;
  if (keptReset !== undefined) out.resetAt = keptReset;
  return out;
}
