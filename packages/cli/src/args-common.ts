/** What every command's words have in common, shared by args.ts and host-args.ts. */
import { InputError } from '@regsweep/core';
import { parseWholeNumber, wholeNumberExpected } from '@regsweep/core/internal';

export interface CommonArgs {
  registries: string[];
  dryRun: boolean;
  report?: string;
  now?: Date;
  concurrency: number;
  plainHttp: boolean;
  quiet: boolean;
  /** `--username`; the password comes from standard input (`--password-stdin`). */
  username?: string;
  passwordStdin: boolean;
  /** `--cache-dir`; undefined = the default folder; null = `--no-cache`. */
  cacheDir?: string | null;
}

/** A whole number of at least 1 from a flag's text; `fallback` when the flag is absent. */
export function positiveInt(flag: string, text: string | undefined, fallback: number | undefined): number | undefined {
  if (text === undefined) return fallback;
  const n = parseWholeNumber(text, 1);
  if (n === undefined) throw new InputError(`--${flag}: expected ${wholeNumberExpected(1)}, got ${JSON.stringify(text)}`);
  return n;
}
