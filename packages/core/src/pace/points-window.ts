/**
 * The secondary limit as a pacer keeps it, per key (an endpoint, or `*`): a sliding-window log of the
 * points sent in the last `windowMs` (the hard guarantee: never more than `limit` points in any window)
 * and a token bucket of `burst` points refilled at `limit / windowMs`, which spreads requests out
 * instead of sending a window's worth at once.
 */

interface Bucket {
  tokens: number;
  at: number;
}

export class PointsWindow {
  private readonly logs = new Map<string, { at: number; points: number }[]>();
  private readonly buckets = new Map<string, Bucket>();
  /** Points per millisecond. */
  readonly rate: number;

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly burst: number) {
    this.rate = limit / windowMs;
  }

  /** Milliseconds until `points` more may be sent on `key` at `t` (0 = now). */
  wait(key: string, points: number, t: number): number {
    return Math.max(this.windowWait(key, points, t), this.bucketWait(key, points, t));
  }

  record(key: string, points: number, t: number): void {
    const log = this.logs.get(key) ?? [];
    log.push({ at: t, points });
    this.logs.set(key, log);
    if (Number.isFinite(this.burst)) this.refill(key, t).tokens -= points;
  }

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
}
