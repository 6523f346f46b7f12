/**
 * How many writes may be in flight on a key: no more than the rate needs at the latency measured.
 * Little's law: to sustain `rate` writes a millisecond when each takes `latency` ms, `rate × latency`
 * must be in flight on average; one more keeps the next write ready as one returns. So
 *
 *   writes in flight ≤ ceil(rate × latency) + 1        (at least 1, at most the pacer's concurrency)
 *
 * GitHub: 3 deletes a second, so 2 at 50 ms and 4 at 1 s. More would not be faster (the window holds
 * the rate) but would all meet a rate limit together: in a storm, only these can be refused. The first
 * write on a key goes alone (nothing is measured yet). Latency is an exponential average of the
 * writes' times from admission to answer.
 */

export function writeSlotsFor(ratePerMs: number, latencyMs: number | undefined, max: number): number {
  if (latencyMs === undefined) return 1;
  return Math.max(1, Math.min(max, Math.ceil(ratePerMs * latencyMs) + 1));
}

const WEIGHT = 0.3;

export class WriteSlots {
  private readonly latency = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private peak = 0;

  constructor(private readonly ratePerMs: number, private readonly max: number) {}

  /** Whether one more write may start on `key` now. */
  free(key: string): boolean {
    return (this.inFlight.get(key) ?? 0) < writeSlotsFor(this.ratePerMs, this.latency.get(key), this.max);
  }

  take(key: string): void {
    const n = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, n);
    this.peak = Math.max(this.peak, n);
  }

  /** A write on `key` ended after `ms`; `measured` false when it got no answer (its time says nothing). */
  give(key: string, ms: number, measured: boolean): void {
    this.inFlight.set(key, Math.max(0, (this.inFlight.get(key) ?? 0) - 1));
    if (!measured) return;
    const before = this.latency.get(key);
    this.latency.set(key, before === undefined ? ms : before + WEIGHT * (ms - before));
  }

  /** The most writes that were in flight on one key. */
  maxInFlight(): number {
    return this.peak;
  }

  /** The current bound on `key`. */
  slots(key: string): number {
    return writeSlotsFor(this.ratePerMs, this.latency.get(key), this.max);
  }
}
