/**
 * Small helpers for validate.ts: typed reads of parsed YAML that record a problem (path, value, what
 * is accepted) instead of throwing, so that validation reports everything at once.
 */
import { DURATION_EXPECTED, parseDuration } from './duration.js';
import type { PolicyProblem } from './types.js';

export type Obj = Record<string, unknown>;

/** A plain mapping (not a list, not null). */
export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as a message shows it: JSON, cut at 120 characters. Undefined for a missing value. */
export function renderValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let text: string;
  if (typeof value === 'number' && !Number.isFinite(value)) text = String(value);
  else {
    try {
      text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** `FILE: PATH: MESSAGE (got VALUE)`, the form every front end shows a problem in. */
export function formatProblem(p: PolicyProblem): string {
  const where = p.file === undefined ? p.path : `${p.file}: ${p.path}`;
  return p.value === undefined ? `${where}: ${p.message}` : `${where}: ${p.message} (got ${p.value})`;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The accepted key a mistyped one most likely meant, if any is close. */
export function suggestKey(key: string, accepted: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of accepted) {
    const d = candidate.toLowerCase() === lower ? 0 : distance(lower, candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** Appends a key to a path: `a.b`, or `a["odd key"]` when the key is not a plain word. */
export function joinPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export class Reader {
  readonly problems: PolicyProblem[] = [];
  readonly warnings: string[] = [];
  constructor(readonly file?: string) {}

  problem(path: string, value: unknown, message: string): void {
    const p: PolicyProblem = { path, message };
    if (this.file !== undefined) p.file = this.file;
    const rendered = renderValue(value);
    if (rendered !== undefined) p.value = rendered;
    this.problems.push(p);
  }

  warn(path: string, message: string): void {
    this.warnings.push(this.file === undefined ? `${path}: ${message}` : `${this.file}: ${path}: ${message}`);
  }

  object(value: unknown, path: string, expected: string): Obj | undefined {
    if (isObj(value)) return value;
    this.problem(path, value, expected);
    return undefined;
  }

  array(value: unknown, path: string, expected: string): unknown[] | undefined {
    if (Array.isArray(value)) return value;
    this.problem(path, value, expected);
    return undefined;
  }

  /** Records every key of `o` that is not in `accepted`. */
  onlyKeys(o: Obj, path: string, accepted: readonly string[]): void {
    for (const key of Object.keys(o)) {
      if (accepted.includes(key)) continue;
      const guess = suggestKey(key, accepted);
      const hint = guess === undefined ? '' : ` (did you mean ${guess}?)`;
      this.problem(joinPath(path, key), o[key], `unknown key${hint}; accepted here: ${accepted.join(', ')}`);
    }
  }

  bool(o: Obj, path: string, key: string, fallback: boolean): boolean {
    const value = o[key];
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    this.problem(`${path}.${key}`, value, `expected true or false (default ${fallback})`);
    return fallback;
  }

  duration(value: unknown, path: string): number | undefined {
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined) this.problem(path, value, DURATION_EXPECTED);
    return ms;
  }
}
