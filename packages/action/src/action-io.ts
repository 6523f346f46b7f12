/** What the Action's root is given (by entry.ts, or a test) and what it gives back. */
import type { Clock, Report } from '@regsweep/core';

/** What @actions/core gives an action (entry.ts), or a test's recorder. */
export interface ActionIo {
  getInput(name: string): string;
  env: Readonly<Record<string, string | undefined>>;
  setSecret(secret: string): void;
  setOutput(name: string, value: string): void;
  debug(message: string): void;
  info(message: string): void;
  /** An annotation. */
  warning(message: string): void;
  notice(message: string): void;
  /** Marks the step failed (exit code 1) with an error annotation. */
  setFailed(message: string): void;
  /** Appends markdown to the job summary ($GITHUB_STEP_SUMMARY). */
  writeSummary(markdown: string): Promise<void>;
}

export interface ActionDeps extends ActionIo {
  /** Where RUNNER_TEMP and GITHUB_WORKSPACE fall back to (os.tmpdir(), process.cwd()). */
  tmpdir: string;
  cwd: string;
  fetch?: typeof globalThis.fetch;
  clock?: Clock;
  pacerClock?: Clock;
  /** The Actions cache (`@actions/cache` in entry.ts); without it the digest cache lasts one run. */
  cacheService?: CacheService;
}

export interface ActionResult {
  exitCode: number;
  report: Report;
  reportPath: string;
}

/** What `@actions/cache` does, as the Action uses it. */
export interface CacheService {
  isAvailable(): boolean;
  /**
   * The key restored, or undefined on a miss. `@actions/cache` also answers undefined when the service
   * failed (after a warning of its own); only a bad argument throws.
   */
  restore(paths: string[], primaryKey: string, restoreKeys: string[]): Promise<string | undefined>;
  /** False when the entry was not saved (the library warned why). */
  save(paths: string[], key: string): Promise<boolean>;
}
