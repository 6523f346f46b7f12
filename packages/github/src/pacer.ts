/**
 * The core `Pacer` with GitHub's budget headers and the real clock: GitHub's limits are the core
 * pacer's defaults (900 points a minute per endpoint, writes cost 5); its hourly budget is read from
 * `x-ratelimit-*` of the `core` resource.
 */
import { realClock } from '@regsweep/node-host';
import { Pacer as CorePacer, type BudgetHeaders, type HeaderBag, type LimitVerdict, type PacerOptions as CorePacerOptions, limitVerdict as coreLimitVerdict } from '@regsweep/core/internal';

export { headerValue, writeFitsBudget, writeSlotsFor } from '@regsweep/core/internal';
export type { BudgetHeaders, HeaderBag, HttpMethod, LimitVerdict, PacerStats, Permit, PrimaryBudget, SendEvent } from '@regsweep/core/internal';

export const GITHUB_BUDGET_HEADERS: BudgetHeaders = {
  remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset', limit: 'x-ratelimit-limit',
  resource: { header: 'x-ratelimit-resource', value: 'core' }, label: "GitHub's hourly request budget",
};

/** How long a GitHub 403/429 asks to wait: `retry-after`, else the hourly reset, else `fallbackMs`. */
export function limitVerdict(headers: HeaderBag | undefined, nowMs: number, fallbackMs: number): LimitVerdict {
  return coreLimitVerdict(headers, nowMs, fallbackMs, GITHUB_BUDGET_HEADERS);
}

export type PacerOptions = Partial<CorePacerOptions>;

export class Pacer extends CorePacer {
  constructor(options: PacerOptions = {}) {
    super({ ...options, clock: options.clock ?? realClock(), budgetHeaders: options.budgetHeaders ?? GITHUB_BUDGET_HEADERS });
  }
}
