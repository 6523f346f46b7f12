/**
 * GitHub's GraphQL limits (platform-facts.md, round 2): points per hour, told by `x-ratelimit-*` with
 * `x-ratelimit-resource: graphql` (5,000 for a PAT, 1,000 for a GITHUB_TOKEN), and a secondary limit of
 * 2,000 points a minute. Queries go out as they come while both have room — not one a second, as the
 * throttling plugin's write limiter spaces them — and wait only where a limit says: when the hour's
 * points are down to the reserve, the next query waits for the reset the answers named (or stops the
 * run, resumably, when that is further away than `maxWaitMs`). Secondary-limit answers (403/429 with
 * `retry-after`) stay the throttling plugin's: it waits as they say and retries.
 */
import { BudgetExhausted, type Clock } from '@regsweep/core';
import { headerValue, PointsWindow, type HeaderBag } from '@regsweep/core/internal';

export interface GraphqlBudgetOptions {
  clock: Clock;
  /** Points left alone at the end of the hour's budget (default 20). */
  reserve?: number;
  /** The secondary limit's points per minute (default 2,000); each query counts one (the least it costs). */
  perMinute?: number;
  /** Longest wait for a reset before the run stops instead (default 15 minutes). */
  maxWaitMs?: number;
}

export class GraphqlBudget {
  private remaining: number | undefined;
  private resetAtMs: number | undefined;
  private readonly minute: PointsWindow;
  private readonly reserve: number;
  private readonly maxWaitMs: number;
  /** Milliseconds waited for either limit, in all (for the log and the bench). */
  waitedMs = 0;

  constructor(private readonly options: GraphqlBudgetOptions) {
    const perMinute = options.perMinute ?? 2000;
    this.minute = new PointsWindow(perMinute, 60_000, perMinute);
    this.reserve = options.reserve ?? 20;
    this.maxWaitMs = options.maxWaitMs ?? 900_000;
  }

  /** Waits until a query may be sent; throws BudgetExhausted when the hour's points will not come back in time. */
  async beforeQuery(): Promise<void> {
    const clock = this.options.clock;
    let now = clock.now().getTime();
    if (this.remaining !== undefined && this.remaining <= this.reserve && this.resetAtMs !== undefined && this.resetAtMs > now) {
      const wait = this.resetAtMs - now + 1000;
      const resumeAt = new Date(this.resetAtMs);
      if (wait > this.maxWaitMs) {
        throw new BudgetExhausted(`GitHub's GraphQL budget is used up until ${resumeAt.toISOString()} (${this.remaining} points left)`, resumeAt);
      }
      await this.sleep(wait);
      this.remaining = undefined;
      now = clock.now().getTime();
    }
    const wait = this.minute.wait('graphql', 1, now);
    if (wait > 0) {
      await this.sleep(wait);
      now = clock.now().getTime();
    }
    this.minute.record('graphql', 1, now);
    if (this.remaining !== undefined) this.remaining -= 1;
  }

  /** Learns the hour's budget from an answer's headers (only answers about the `graphql` resource). */
  observe(headers: HeaderBag | undefined): void {
    const resource = headerValue(headers, 'x-ratelimit-resource');
    if (resource !== undefined && resource !== 'graphql') return;
    const remaining = Number(headerValue(headers, 'x-ratelimit-remaining'));
    const reset = Number(headerValue(headers, 'x-ratelimit-reset'));
    if (Number.isFinite(remaining) && headerValue(headers, 'x-ratelimit-remaining') !== undefined) this.remaining = remaining;
    if (Number.isFinite(reset) && reset > 0) this.resetAtMs = reset * 1000;
  }

  private async sleep(ms: number): Promise<void> {
    this.waitedMs += ms;
    await this.options.clock.sleep(ms);
  }
}
