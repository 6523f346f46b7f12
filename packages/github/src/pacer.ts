/**
 * The core `Pacer` with GitHub's defaults and the real clock: GitHub's limits are the core pacer's
 * defaults (`x-ratelimit-*` headers, 900 points a minute per endpoint, writes cost 5).
 */
import { Pacer as CorePacer, type PacerClock, type PacerOptions as CorePacerOptions } from '@regsweep/core';

export { GITHUB_BUDGET_HEADERS, headerValue, limitVerdict, writeFitsBudget } from '@regsweep/core';
export type { BudgetHeaders, HeaderBag, HttpMethod, LimitVerdict, PacerClock, PacerStats, Permit, PrimaryBudget, SendEvent } from '@regsweep/core';

export const systemPacerClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export type PacerOptions = Partial<CorePacerOptions>;

export class Pacer extends CorePacer {
  constructor(options: PacerOptions = {}) {
    super({ ...options, clock: options.clock ?? systemPacerClock });
  }
}
