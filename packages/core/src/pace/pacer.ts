/**
 * Paces a forge's REST requests for its rate limits (platform-facts.md, "Rate limits"). The defaults
 * are GitHub's; GitLab's front end sets one window for all endpoints, cost 1 per request, its
 * `RateLimit-*` header names and `waitForReset` (its budget resets every minute):
 * - secondary: at most `pointsPerWindow` (900) points per `windowMs` (60 s) per endpoint, where writes
 *   (DELETE/POST/PUT/PATCH) cost 5 and reads 1, so at most 180 deletes a minute. A sliding-window log
 *   is the hard guarantee; a token bucket (`burstPoints`) spreads requests instead of bursting a
 *   minute's worth at once;
 * - at most `concurrency` requests in flight (never more than 100);
 * - `pause(untilMs)` / `limited(headers)`: after a 403/429, no request starts before the pause ends;
 * - primary (hourly) budget: `observe(headers)` tracks `x-ratelimit-remaining`; a write that would
 *   leave fewer than `reserve` requests throws `BudgetExhausted` before it is sent, so a run stops
 *   cleanly and the next one resumes.
 * The clock is injected (`now()` in epoch milliseconds and `sleep(ms)`); adapters pass a real one.
 */
import { BudgetExhausted } from '../ports.js';

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

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

export const GITHUB_BUDGET_HEADERS: BudgetHeaders = {
  remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset', limit: 'x-ratelimit-limit',
  resource: { header: 'x-ratelimit-resource', value: 'core' }, label: "GitHub's hourly request budget",
};

export interface PacerOptions {
  clock: PacerClock;
  /** Default GitHub's `x-ratelimit-*`. */
  budgetHeaders?: BudgetHeaders;
  /**
   * A write the budget cannot take waits for the reset when it comes within `maxWaitMs` (GitLab's
   * per-minute budget) instead of stopping the run (GitHub's hourly one). Default false.
   */
  waitForReset?: boolean;
  /** Requests in flight at most (default 10; capped at 100, GitHub's secondary limit). */
  concurrency?: number;
  /** Points per window and endpoint (default 900). */
  pointsPerWindow?: number;
  /** Window length (default 60 000 ms). */
  windowMs?: number;
  /**
   * Added to the window for the pacer's own bookkeeping (default 250 ms), so that network jitter cannot
   * squeeze two requests a window apart into one window at GitHub's end. 0 = exactly 180 deletes a minute.
   */
  marginMs?: number;
  /** Bucket size for bursts, in points (default 100 = 20 deletes); Infinity = the window alone. */
  burstPoints?: number;
  /** Points of a DELETE/POST/PUT/PATCH (default 5) and of a GET/HEAD (default 1). */
  writeCost?: number;
  readCost?: number;
  /** Primary requests a write must leave over (default 50). */
  reserve?: number;
  /** false: one window for all endpoints (the stricter reading of the rule). Default true. */
  perEndpoint?: boolean;
  /** First wait after a 403/429 that names no time (default 60 000 ms), doubled while it repeats. */
  fallbackPauseMs?: number;
  /** Waits longer than this (a pause, a primary reset) give up with BudgetExhausted (default 15 min). */
  maxWaitMs?: number;
  /** Called as each request is let through (tests, logs). */
  onSend?: (event: SendEvent) => void;
}

export interface SendEvent {
  endpoint: string;
  method: HttpMethod;
  at: number;
  points: number;
}

export interface Permit {
  /** Ends the request; pass the response headers so the primary budget is tracked. Idempotent. */
  release(headers?: HeaderBag): void;
}

export interface PrimaryBudget {
  limit?: number;
  /** Conservative estimate of the requests left until `resetAt` (undefined = unknown). */
  remaining?: number;
  /** Epoch ms. */
  resetAt?: number;
}

export interface LimitVerdict {
  /** `primary`: the hourly budget is used up; `secondary`: retry-after or an unexplained 403/429. */
  kind: 'primary' | 'secondary';
  untilMs: number;
}

export interface PacerStats {
  /** Requests let through, by endpoint key. */
  sent: Record<string, number>;
  maxInFlight: number;
  /** 403/429 rate-limit answers reported through `limited`. */
  limited: number;
  pauses: number;
  /** Writes refused because the primary budget would run out. */
  budgetStops: number;
}

const WRITES: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function headerValue(headers: HeaderBag | undefined, name: string): string | undefined {
  const v = headers?.[name] ?? headers?.[name.toLowerCase()];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0] : String(v);
}

/** Pure: how long to wait after a 403/429 (GitHub's documented order: retry-after, then the reset). */
export function limitVerdict(headers: HeaderBag | undefined, nowMs: number, fallbackMs: number, names: BudgetHeaders = GITHUB_BUDGET_HEADERS): LimitVerdict {
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

/** Pure: may a write be sent with this budget estimate, leaving `reserve`? */
export function writeFitsBudget(remaining: number | undefined, reserve: number): boolean {
  return remaining === undefined || remaining - 1 >= reserve;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class Pacer {
  readonly concurrency: number;
  readonly clock: PacerClock;
  private readonly names: BudgetHeaders;
  private readonly waitForReset: boolean;
  private readonly limit: number;
  /** The window plus the margin. */
  private readonly windowMs: number;
  private readonly burst: number;
  private readonly rate: number;
  private readonly writeCost: number;
  private readonly readCost: number;
  private readonly reserve: number;
  private readonly perEndpoint: boolean;
  private readonly fallbackMs: number;
  private readonly maxWaitMs: number;
  private readonly onSend: ((e: SendEvent) => void) | undefined;
  private readonly logs = new Map<string, { at: number; points: number }[]>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly tails = new Map<string, Promise<void>>();
  private releaseWaiters: (() => void)[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private consecutiveFallbacks = 0;
  private primary: PrimaryBudget = {};
  private readonly counts: PacerStats = { sent: {}, maxInFlight: 0, limited: 0, pauses: 0, budgetStops: 0 };

  constructor(options: PacerOptions) {
    this.clock = options.clock;
    this.names = options.budgetHeaders ?? GITHUB_BUDGET_HEADERS;
    this.waitForReset = options.waitForReset ?? false;
    this.concurrency = Math.max(1, Math.min(100, options.concurrency ?? 10));
    this.limit = options.pointsPerWindow ?? 900;
    this.windowMs = options.windowMs ?? 60_000;
    this.writeCost = options.writeCost ?? 5;
    this.readCost = options.readCost ?? 1;
    this.burst = Math.max(options.burstPoints ?? 100, this.writeCost, this.readCost);
    this.windowMs += Math.max(0, options.marginMs ?? 250);
    this.rate = this.limit / this.windowMs;
    this.reserve = Math.max(0, options.reserve ?? 50);
    this.perEndpoint = options.perEndpoint ?? true;
    this.fallbackMs = options.fallbackPauseMs ?? 60_000;
    this.maxWaitMs = options.maxWaitMs ?? 15 * 60_000;
    this.onSend = options.onSend;
  }

  /** Waits until a request to `endpoint` may start. Throws BudgetExhausted instead of waiting too long. */
  async acquire(endpoint: string, method: HttpMethod): Promise<Permit> {
    const key = this.perEndpoint ? endpoint : '*';
    const prev = this.tails.get(key) ?? Promise.resolve();
    let unlock = (): void => undefined;
    const mine = new Promise<void>((resolve) => (unlock = resolve));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await this.admit(key, endpoint, method);
    } finally {
      unlock();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  private async admit(key: string, endpoint: string, method: HttpMethod): Promise<Permit> {
    const write = WRITES.has(method);
    const points = write ? this.writeCost : this.readCost;
    for (;;) {
      const t = this.clock.now();
      if (this.primary.resetAt !== undefined && t >= this.primary.resetAt) this.primary = {};
      const { remaining, resetAt } = this.primary;
      if (write && !writeFitsBudget(remaining, this.reserve)) {
        if (this.waitForReset && resetAt !== undefined && resetAt - t <= this.maxWaitMs) {
          await this.clock.sleep(resetAt - t);
          continue;
        }
        this.counts.budgetStops += 1;
        throw this.exhausted(`${this.names.label} is down to ${remaining ?? 0} (keeping a reserve of ${this.reserve})`);
      }
      if (!write && remaining !== undefined && remaining <= 0) {
        await this.waitOrGiveUp((resetAt ?? t + this.fallbackMs) - t, `${this.names.label} is used up`);
        if (resetAt === undefined) this.primary = {};
        continue;
      }
      if (this.pausedUntil > t) {
        await this.waitOrGiveUp(this.pausedUntil - t, 'the platform asked to wait (rate limited)');
        continue;
      }
      const wait = Math.max(this.windowWait(key, points, t), this.bucketWait(key, points, t));
      if (wait > 0) {
        await this.clock.sleep(wait);
        continue;
      }
      if (this.inFlight >= this.concurrency) {
        await new Promise<void>((resolve) => this.releaseWaiters.push(resolve));
        continue;
      }
      this.record(key, points, t);
      this.inFlight += 1;
      if (remaining !== undefined) this.primary.remaining = remaining - 1;
      this.counts.maxInFlight = Math.max(this.counts.maxInFlight, this.inFlight);
      this.counts.sent[endpoint] = (this.counts.sent[endpoint] ?? 0) + 1;
      this.onSend?.({ endpoint, method, at: t, points });
      return this.permit();
    }
  }

  private permit(): Permit {
    let done = false;
    return {
      release: (headers) => {
        if (done) return;
        done = true;
        this.inFlight -= 1;
        if (headers !== undefined) this.observe(headers);
        const waiters = this.releaseWaiters;
        this.releaseWaiters = [];
        for (const w of waiters) w();
      },
    };
  }

  private async waitOrGiveUp(ms: number, why: string): Promise<void> {
    if (ms > this.maxWaitMs) throw this.exhausted(`${why} for ${Math.ceil(ms / 1000)} s, longer than the ${Math.round(this.maxWaitMs / 1000)} s regsweep waits`);
    await this.clock.sleep(ms);
  }

  private exhausted(why: string): BudgetExhausted {
    const at = this.primary.resetAt ?? (this.pausedUntil > this.clock.now() ? this.pausedUntil : undefined);
    const when = at !== undefined ? `; it resets at ${new Date(at).toISOString()}` : '';
    return new BudgetExhausted(`${why}${when}: deletions stop here and the next run continues`, at !== undefined ? new Date(at) : undefined);
  }

  /** Milliseconds until `points` more fit into the sliding window. */
  private windowWait(key: string, points: number, t: number): number {
    const log = this.logs.get(key) ?? [];
    while (log.length > 0 && (log[0]?.at ?? 0) + this.windowMs <= t) log.shift();
    let used = log.reduce((sum, e) => sum + e.points, 0);
    for (const e of log) {
      if (used + points <= this.limit) return 0;
      used -= e.points;
      if (used + points <= this.limit) return e.at + this.windowMs - t;
    }
    return used + points <= this.limit ? 0 : this.windowMs;
  }

  private bucketWait(key: string, points: number, t: number): number {
    if (!Number.isFinite(this.burst)) return 0;
    const b = this.refill(key, t);
    return b.tokens >= points ? 0 : Math.ceil((points - b.tokens) / this.rate);
  }

  private refill(key: string, t: number): Bucket {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + (t - b.at) * this.rate);
    b.at = t;
    this.buckets.set(key, b);
    return b;
  }

  private record(key: string, points: number, t: number): void {
    const log = this.logs.get(key) ?? [];
    log.push({ at: t, points });
    this.logs.set(key, log);
    if (Number.isFinite(this.burst)) this.refill(key, t).tokens -= points;
  }

  /** Tracks the primary budget from any response's budget headers. */
  observe(headers: HeaderBag): void {
    const { resource: only } = this.names;
    const resource = only !== undefined ? headerValue(headers, only.header) : undefined;
    if (only !== undefined && resource !== undefined && resource !== only.value) return;
    const remaining = Number(headerValue(headers, this.names.remaining) ?? NaN);
    const reset = Number(headerValue(headers, this.names.reset) ?? NaN);
    const limit = Number(headerValue(headers, this.names.limit) ?? NaN);
    if (!Number.isFinite(remaining)) return;
    const resetAt = Number.isFinite(reset) ? reset * 1000 : undefined;
    // Requests still in flight may not be counted in this answer yet: count them (conservative).
    const estimate = Math.max(0, remaining - this.inFlight);
    const newer = resetAt !== undefined && (this.primary.resetAt === undefined || resetAt > this.primary.resetAt);
    this.primary = {
      ...(Number.isFinite(limit) ? { limit } : this.primary.limit !== undefined ? { limit: this.primary.limit } : {}),
      remaining: newer || this.primary.remaining === undefined ? estimate : Math.min(this.primary.remaining, estimate),
      ...(resetAt !== undefined ? { resetAt: newer ? resetAt : this.primary.resetAt ?? resetAt } : this.primary.resetAt !== undefined ? { resetAt: this.primary.resetAt } : {}),
    };
  }

  /** After a rate-limited 403/429: pauses every request until GitHub's time and says which limit it was. */
  limited(headers: HeaderBag | undefined): LimitVerdict {
    this.counts.limited += 1;
    const named = headerValue(headers, 'retry-after') !== undefined || headerValue(headers, this.names.remaining) === '0';
    const fallback = Math.min(this.fallbackMs * 2 ** this.consecutiveFallbacks, 15 * 60_000);
    const verdict = limitVerdict(headers, this.clock.now(), fallback, this.names);
    this.consecutiveFallbacks = named ? 0 : this.consecutiveFallbacks + 1;
    if (headers !== undefined) this.observe(headers);
    if (verdict.kind === 'primary') this.primary = { ...this.primary, remaining: 0, resetAt: verdict.untilMs };
    this.pause(verdict.untilMs);
    return verdict;
  }

  /** No request starts before `untilMs` (epoch ms); a later pause extends, an earlier one is ignored. */
  pause(untilMs: number): void {
    if (untilMs <= this.pausedUntil) return;
    this.counts.pauses += 1;
    this.pausedUntil = untilMs;
  }

  pausedUntilMs(): number {
    return this.pausedUntil;
  }

  budget(): PrimaryBudget {
    return { ...this.primary };
  }

  /** Whether a write would be let through now as far as the primary budget goes. */
  canWrite(): boolean {
    const expired = this.primary.resetAt !== undefined && this.clock.now() >= this.primary.resetAt;
    return expired || writeFitsBudget(this.primary.remaining, this.reserve);
  }

  stats(): PacerStats {
    return { ...this.counts, sent: { ...this.counts.sent } };
  }
}
