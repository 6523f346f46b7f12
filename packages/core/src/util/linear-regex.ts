/**
 * User regular expressions on RE2 semantics, in linear time. werf is written in Go, whose `regexp` is
 * RE2, and GitLab's cleanup and protection rules are RE2 too; JavaScript's own RegExp backtracks, so a
 * pattern such as `(a+)+$` on forty `a`s and a `!` would run for hours. `re2js` (a pure-JavaScript port
 * of RE2) matches in time linear in the input, whatever the pattern.
 *
 * Syntax RE2 does not have (backreferences, lookaround, possessive quantifiers) is refused with what to
 * write instead, never approximated.
 */
import { RE2JS } from 're2js';

/** Longest regular expression accepted (characters). Longer ones are refused, not truncated. */
export const MAX_REGEX_LENGTH = 1_000;

/** A user's regular expression compiled for linear-time matching (RE2 semantics: no backreferences). */
export interface LinearRegex {
  /** The expression as the user wrote it (without the enclosing slashes). */
  readonly source: string;
  /** Names of the expression's named groups, `(?<name>…)` or Go's `(?P<name>…)`. */
  readonly groupNames: readonly string[];
  /** `whole`: the entire text matches; `anywhere`: the expression occurs somewhere in it. */
  test(text: string): boolean;
  /** The text the named group took in the match, or undefined when there is none. */
  namedGroup(text: string, name: string): string | undefined;
}

export type RegexMode = 'whole' | 'anywhere';

/** What to write instead of syntax RE2 does not have, keyed by the token RE2's parser names. */
const ALTERNATIVES: ReadonlyArray<{ token: RegExp; advice: string }> = [
  { token: /\(\?[=!]|\(\?<[=!]/, advice: 'lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) are not RE2: match the names you want directly, or list them as alternatives (a|b)' },
  { token: /\\[1-9]|\\k</, advice: 'backreferences (\\1, \\k<name>) are not RE2: write the repeated part out' },
  { token: /[*+?}]\+/, advice: 'possessive quantifiers (a*+, a++) are not RE2: write a* or a+' },
  { token: /\(\?>/, advice: 'atomic groups (?>…) are not RE2: write a plain group (…)' },
];

function adviceFor(source: string): string {
  const hit = ALTERNATIVES.find((a) => a.token.test(source));
  return hit ? `; ${hit.advice}` : '; regsweep uses RE2 syntax, as werf (Go) and GitLab do';
}

/**
 * A compiled RE2 expression. The compiled program is a private field, so two patterns compiled from
 * the same source and mode compare equal field by field (policies are compared that way in tests).
 */
class Re2Pattern implements LinearRegex {
  readonly #re: RE2JS;
  readonly groupNames: readonly string[];

  constructor(readonly source: string, readonly mode: RegexMode, re: RE2JS) {
    this.#re = re;
    this.groupNames = Object.keys(re.namedGroups());
  }

  test(text: string): boolean {
    return this.#run(text) !== undefined;
  }

  namedGroup(text: string, name: string): string | undefined {
    if (!this.groupNames.includes(name)) return undefined;
    return this.#run(text)?.group(name) ?? undefined;
  }

  #run(text: string): ReturnType<RE2JS['matcher']> | undefined {
    const m = this.#re.matcher(text);
    return (this.mode === 'whole' ? m.matches() : m.find()) ? m : undefined;
  }
}

/**
 * Compiles `source` on RE2 semantics, or says why it cannot (too long, not RE2 syntax). `maxLength`
 * (default MAX_REGEX_LENGTH) is for expressions regsweep builds itself from an already bounded input.
 */
export function compileLinearRegex(source: string, mode: RegexMode, maxLength = MAX_REGEX_LENGTH): LinearRegex | { error: string } {
  if (source.length > maxLength) {
    return { error: `the regular expression is ${source.length} characters long; at most ${maxLength} are accepted` };
  }
  try {
    return new Re2Pattern(source, mode, RE2JS.compile(source));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { error: `not a valid RE2 regular expression (${message})${adviceFor(source)}` };
  }
}

/** Whether `value` is a compiled pattern rather than an error. */
export function isLinearRegex(value: LinearRegex | { error: string }): value is LinearRegex {
  return !('error' in value);
}
