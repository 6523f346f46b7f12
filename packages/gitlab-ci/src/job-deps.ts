/** What the job's root is given (by entry.ts, or a test) and what it gives back. */
import type { Clock, Report } from '@regsweep/core';
import type { Env } from './variables.js';

export interface JobDeps {
  env: Env;
  /** One line of the job log. */
  out(line: string): void;
  /** Where the digest cache goes when REGSWEEP_CACHE_DIR is not set (os.tmpdir()). */
  tmpdir: string;
  fetch?: typeof globalThis.fetch;
  clock?: Clock;
  pacerClock?: Clock;
}

export interface JobResult {
  exitCode: number;
  report: Report;
  reportPath: string;
  dotenvPath: string;
}
