/**
 * Name patterns (policy-semantics.md §2) and tag globs (the regsweep keep-list).
 */
import { Minimatch } from 'minimatch';
import type { NamePattern } from './types.js';

export type PatternResult = { pattern: NamePattern } | { error: string };

/** True when the text is written as a regular expression: `/…/` with at least the two slashes. */
export function isRegexNotation(text: string): boolean {
  return text.length >= 2 && text.startsWith('/') && text.endsWith('/');
}

/**
 * Compiles `source` anchored at both ends (`^(?:source)$`), or returns the JavaScript error message.
 */
export function compileAnchored(source: string): RegExp | { error: string } {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * `/re/` = regular expression anchored at both ends (`^(?:re)$`); any other non-empty string = that
 * exact name. `//` (an empty expression, which would match only the empty name) is refused.
 */
export function parseNamePattern(text: string): PatternResult {
  if (text.length === 0) return { error: 'an empty name matches nothing' };
  if (!isRegexNotation(text)) return { pattern: { kind: 'literal', value: text } };
  const source = text.slice(1, -1);
  if (source.length === 0) return { error: '`//` is an empty regular expression; write /.*/ to match every name' };
  const regex = compileAnchored(source);
  if (!(regex instanceof RegExp)) return { error: `invalid regular expression: ${regex.error}` };
  return { pattern: { kind: 'regex', source, regex } };
}

/** Whether `name` (a branch or tag short name) matches the pattern. */
export function matchesName(pattern: NamePattern, name: string): boolean {
  return pattern.kind === 'literal' ? pattern.value === name : pattern.regex.test(name);
}

/** Renders a pattern as it is written in the file: `/re/` or the literal name. */
export function formatNamePattern(pattern: NamePattern): string {
  return pattern.kind === 'literal' ? pattern.value : `/${pattern.source}/`;
}

/**
 * The named group an image-commit tag pattern must have. Returns the compiled, anchored pattern or
 * a message. `text` must be written as `/re/`.
 */
export function parseTagCommitPattern(text: string): { regex: RegExp } | { error: string } {
  if (!isRegexNotation(text) || text.length === 2) {
    return { error: 'expected a regular expression written as /…/ with a named group (?<sha>…)' };
  }
  const regex = compileAnchored(text.slice(1, -1));
  if (!(regex instanceof RegExp)) return { error: `invalid regular expression: ${regex.error}` };
  // `(?:re)|` matches the empty string, and `groups` then lists every named group of `re`.
  const groups = new RegExp(`(?:${text.slice(1, -1)})|`).exec('')?.groups ?? {};
  if (!Object.hasOwn(groups, 'sha')) {
    return { error: 'the regular expression needs a named group (?<sha>…) that captures the commit id (7-40 hex)' };
  }
  return { regex };
}

// ---- tag globs -------------------------------------------------------------------------------

/** Characters a tag may contain (`[A-Za-z0-9_.-]`) plus minimatch's glob syntax. */
export const TAG_GLOB_PATTERN = '^[A-Za-z0-9_.\\-*?\\[\\]{}(),!^+@|]+$';
const TAG_GLOB_RE = new RegExp(TAG_GLOB_PATTERN);

/** minimatch options for tag globs: no `!` negation, no `#` comments (a tag has neither). */
const GLOB_OPTIONS = { nonegate: true, nocomment: true, dot: true } as const;

export const TAG_GLOB_EXPECTED =
  'expected a tag glob such as v*, release-[0-9]*, {latest,stable}; a tag contains only letters, digits, _ . and -';

/**
 * Checks a tag glob. Returns undefined when it is usable, else why not. A glob with a character no
 * tag can contain (a space, `/`, `:`) can never match, so it is refused rather than silently ignored.
 */
export function checkTagGlob(glob: string): string | undefined {
  if (glob.length === 0) return 'an empty glob matches no tag';
  if (!TAG_GLOB_RE.test(glob)) {
    const bad = [...glob].find((c) => !TAG_GLOB_RE.test(c));
    return `the glob contains ${JSON.stringify(bad ?? glob)}, which no tag can contain, so it would never match`;
  }
  const re = new Minimatch(glob, GLOB_OPTIONS).makeRe();
  if (re === false) return 'minimatch cannot compile this glob';
  // Glob syntax minimatch could not use (an unclosed `[` or `{`, a stray `+`, `,`, `|`, `@`, `!`) is
  // matched literally, and no tag contains those characters: such a glob would silently never match.
  const literal = /\\([[\]{}(),|^+])|(?<!\(\?)(!)|(@)/.exec(re.source);
  if (literal) {
    const c = literal[1] ?? literal[2] ?? literal[3] ?? '';
    return `the glob uses ${JSON.stringify(c)} as a plain character (an unclosed [ or {, or glob syntax out of place), which no tag can contain, so it would never match`;
  }
  return undefined;
}

/**
 * Compiles tag globs into one predicate (true when any glob matches). Globs are expected to have
 * passed `checkTagGlob`; one that does not compile matches nothing.
 */
export function tagGlobMatcher(globs: readonly string[]): (tag: string) => boolean {
  const regexes = globs
    .map((g) => new Minimatch(g, GLOB_OPTIONS).makeRe())
    .filter((r): r is RegExp => r instanceof RegExp);
  return (tag) => regexes.some((r) => r.test(tag));
}
