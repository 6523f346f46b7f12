/**
 * Paces a forge's REST requests for its rate limits (platform-facts.md §2.6, §3.5). The adapter
 * names its budget headers; the other defaults are GitHub's (GitLab's adapter sets one window for all
 * endpoints, cost 1 per request and `waitForReset`, its budget resets every minute):
 * - secondary: at most `pointsPerWindow` (900) points per `windowMs` (60 s) per endpoint, where writes
 *   (DELETE/POST/PUT/PATCH) cost 5 and reads 1, so at most 180 deletes a minute (points-window.ts);
 * - at most `concurrency` requests in flight (never more than 100), and no more writes in flight on an
 *   endpoint than its rate needs at the latency measured (write-slots.ts: ceil(rate × latency) + 1);
 * - after a 403/429 (`limited`) no request starts before the time it names, whether it was queued
 *   before or after the answer: every check is made again right before a request is let through. Then
 *   one request goes alone (a probe) and the others follow only once it was answered without a limit,
 *   so a limit that lasts longer than it said meets one request, not every queued one;
 * - primary budget: `observe(headers)` tracks the remaining requests; a write that would leave fewer
 *   than `reserve` throws `BudgetExhausted` before it is sent, so a run stops cleanly and the next
 *   one resumes.
 * The clock is core's `Clock` port, injected; adapters pass a real one, tests a virtual one.
 */
import { BudgetExhausted, type Clock } from '../ports.js';
import {
  limitVerdict, headerValue, observedBudget, writeFitsBudget, WRITE_METHODS,
  type BudgetHeaders, type HeaderBag, type HttpMethod, type LimitVerdict, type PrimaryBudget,
} from './limits.js';
import { PointsWindow } from './points-window.js';
import { WriteSlots } from './write-slots.js';

export * from './limits.js';
export { writeSlotsFor } from './write-slots.js';

export interface PacerOptions {
  /** The run's clock; it must advance (not a fixed `--now`): windows and pauses are measured on it. */
  clock: Clock;
  /** The adapter's budget header names (GitHub's `x-ratelimit-*`, GitLab's `RateLimit-*`). */
  budgetHeaders: BudgetHeaders;
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
  /** The first request after a rate limit, sent alone. */
  probe: boolean;
}

export interface Permit {
  /** Ends the request; pass the response headers so the primary budget is tracked. Idempotent. */
  release(headers?: HeaderBag): void;
}

export interface PacerStats {
  /** Requests let through, by endpoint key. */
  sent: Record<string, number>;
  maxInFlight: number;
  /** The most writes in flight on one endpoint key. */
  maxWritesInFlight: number;
  /** 403/429 rate-limit answers reported through `limited`. */
  limited: number;
  pauses: number;
  /** Requests sent alone after a rate limit. */
  probes: number;
  /** Writes refused because the primary budget would run out. */
  budgetStops: number;
}

export class Pacer {
  readonly concurrency: number;
  readonly clock: Clock;
  private readonly names: BudgetHeaders;
  private readonly waitForReset: boolean;
  private readonly window: PointsWindow;
  private readonly slots: WriteSlots;
  private readonly writeCost: number;
  private readonly readCost: number;
  private readonly reserve: number;
  private readonly perEndpoint: boolean;
  private readonly fallbackMs: number;
  private readonly maxWaitMs: number;
  private readonly onSend: ((e: SendEvent) => void) | undefined;
  private readonly tails = new Map<string, Promise<void>>();
  private releaseWaiters: (() => void)[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  /** Set by a rate-limit answer; the next request goes alone and clears it with an answer. */
  private probing = false;
  private consecutiveFallbacks = 0;
  private primary: PrimaryBudget = {};
  private readonly counts = { sent: {} as Record<string, number>, maxInFlight: 0, limited: 0, pauses: 0, probes: 0, budgetStops: 0 };

  constructor(options: PacerOptions) {
    this.clock = options.clock;
    this.names = options.budgetHeaders;
    this.waitForReset = options.waitForReset ?? false;
    this.concurrency = Math.max(1, Math.min(100, options.concurrency ?? 10));
    const limit = options.pointsPerWindow ?? 900;
    this.writeCost = options.writeCost ?? 5;
    this.readCost = options.readCost ?? 1;
    const burst = Math.max(options.burstPoints ?? 100, this.writeCost, this.readCost);
    const windowMs = (options.windowMs ?? 60_000) + Math.max(0, options.marginMs ?? 250);
    this.window = new PointsWindow(limit, windowMs, burst);
    this.slots = new WriteSlots(this.window.rate / this.writeCost, this.concurrency);
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

  /** Every check runs again after every wait, so a pause that began meanwhile holds this request too. */
  private async admit(key: string, endpoint: string, method: HttpMethod): Promise<Permit> {
    const write = WRITE_METHODS.has(method);
    const points = write ? this.writeCost : this.readCost;
    for (;;) {
      await this.checkPrimary(write, this.nowMs());
      const t = this.nowMs();
      if (this.pausedUntil > t) {
        await this.waitOrGiveUp(this.pausedUntil - t, 'the platform asked to wait (rate limited)');
        continue;
      }
      const wait = this.window.wait(key, points, t);
      if (wait > 0) {
        await this.clock.sleep(wait);
        continue;
      }
      if (this.inFlight >= this.concurrency || (this.probing && this.inFlight > 0) || (write && !this.slots.free(key))) {
        await new Promise<void>((resolve) => this.releaseWaiters.push(resolve));
        continue;
      }
      return this.letThrough(key, endpoint, method, points, write, t);
    }
  }

  /** Throws when a write would eat into the reserve; waits when reads have nothing left. */
  private async checkPrimary(write: boolean, t: number): Promise<void> {
    if (this.primary.resetAt !== undefined && t >= this.primary.resetAt) this.primary = {};
    const { remaining, resetAt } = this.primary;
    if (write && !writeFitsBudget(remaining, this.reserve)) {
      if (this.waitForReset && resetAt !== undefined && resetAt - t <= this.maxWaitMs) {
        await this.clock.sleep(resetAt - t);
        return this.checkPrimary(write, this.nowMs());
      }
      this.counts.budgetStops += 1;
      throw this.exhausted(`${this.names.label} is down to ${remaining ?? 0} (keeping a reserve of ${this.reserve})`);
    }
    if (!write && remaining !== undefined && remaining <= 0) {
      await this.waitOrGiveUp((resetAt ?? t + this.fallbackMs) - t, `${this.names.label} is used up`);
      if (resetAt === undefined) this.primary = {};
      return this.checkPrimary(write, this.nowMs());
    }
  }

  private letThrough(key: string, endpoint: string, method: HttpMethod, points: number, write: boolean, t: number): Permit {
    const probe = this.probing;
    this.window.record(key, points, t);
    this.inFlight += 1;
    if (write) this.slots.take(key);
    if (probe) this.counts.probes += 1;
    if (this.primary.remaining !== undefined) this.primary.remaining -= 1;
    this.counts.maxInFlight = Math.max(this.counts.maxInFlight, this.inFlight);
    this.counts.sent[endpoint] = (this.counts.sent[endpoint] ?? 0) + 1;
    this.onSend?.({ endpoint, method, at: t, points, probe });
    let done = false;
    return {
      release: (headers) => {
        if (done) return;
        done = true;
        this.inFlight -= 1;
        if (write) this.slots.give(key, this.nowMs() - t, headers !== undefined);
        if (headers !== undefined) this.observe(headers);
        // A rate-limited probe calls `limited` right after (in the same turn), before any waiter runs.
        if (probe) this.probing = false;
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
    const at = this.primary.resetAt ?? (this.pausedUntil > this.nowMs() ? this.pausedUntil : undefined);
    const when = at !== undefined ? `; it resets at ${new Date(at).toISOString()}` : '';
    return new BudgetExhausted(`${why}${when}: deletions stop here and the next run continues`, at !== undefined ? new Date(at) : undefined);
  }

  /** Tracks the primary budget from any response's budget headers (requests in flight counted as spent). */
  observe(headers: HeaderBag): void {
    this.primary = observedBudget(this.primary, headers, this.names, this.inFlight);
  }

  /**
   * After a rate-limited 403/429: pauses every request until the time the answer names, says which
   * limit it was, and makes the first request after the pause go alone. Call it in the same turn as
   * the permit's `release`.
   */
  limited(headers: HeaderBag | undefined): LimitVerdict {
    this.counts.limited += 1;
    const named = headerValue(headers, 'retry-after') !== undefined || headerValue(headers, this.names.remaining) === '0';
    const fallback = Math.min(this.fallbackMs * 2 ** this.consecutiveFallbacks, 15 * 60_000);
    const verdict = limitVerdict(headers, this.nowMs(), fallback, this.names);
    this.consecutiveFallbacks = named ? 0 : this.consecutiveFallbacks + 1;
    if (headers !== undefined) this.observe(headers);
    if (verdict.kind === 'primary') this.primary = { ...this.primary, remaining: 0, resetAt: verdict.untilMs };
    this.probing = true;
    this.pause(verdict.untilMs);
    return verdict;
  }

  /** No request starts before `untilMs` (epoch ms); a later pause extends, an earlier one is ignored. */
  pause(untilMs: number): void {
    if (untilMs <= this.pausedUntil) return;
    this.counts.pauses += 1;
    this.pausedUntil = untilMs;
  }

  /** The clock's time in epoch milliseconds. */
  nowMs(): number {
    return this.clock.now().getTime();
  }

  pausedUntilMs(): number {
    return this.pausedUntil;
  }

  budget(): PrimaryBudget {
    return { ...this.primary };
  }

  /** Whether a write would be let through now as far as the primary budget goes. */
  canWrite(): boolean {
    const expired = this.primary.resetAt !== undefined && this.nowMs() >= this.primary.resetAt;
    return expired || writeFitsBudget(this.primary.remaining, this.reserve);
  }

  /** Writes that may be in flight on `endpoint` now (write-slots.ts). */
  writeSlots(endpoint: string): number {
    return this.slots.slots(this.perEndpoint ? endpoint : '*');
  }

  stats(): PacerStats {
    return { ...this.counts, sent: { ...this.counts.sent }, maxWritesInFlight: this.slots.maxInFlight() };
  }
}
