/** The real clock every front end runs on (tests pass their own `Clock`). */
import type { Clock } from '@regsweep/core';

/** The system clock; with `fixedNow` (the CLI's `--now`), `now()` always answers that instant. */
export const realClock = (fixedNow?: Date): Clock => ({
  now: () => fixedNow ?? new Date(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
});
