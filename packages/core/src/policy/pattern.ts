/**
 * Name patterns (cleanup-semantics.md §2) and tag globs (the regsweep keep-list). Both run in linear
 * time: regular expressions on RE2 (util/linear-regex.ts); globs without extglobs, bounded in length and
 * in brace expansions, matched by minimatch's translation run on RE2.
 */
import { braceExpand, Minimatch } from 'minimatch';
import { compileLinearRegex, isLinearRegex, type LinearRegex } from '../util/linear-regex.js';
import type { NamePattern } from './types.js';

export type PatternResult = { pattern: NamePattern } | { error: string };

/** True when the text is written as a regular expression: `/…/` with at least the two slashes. */
export function isRegexNotation(text: string): boolean {
  return text.length >= 2 && text.startsWith('/') && text.endsWith('/');
}

/**
 * `/re/` = regular expression matching the whole name (RE2 semantics, linear time); any other non-empty
 * string = that exact name. `//` (an empty expression, which would match only the empty name) is refused.
 */
export function parseNamePattern(text: string): PatternResult {
  if (text.length === 0) return { error: 'an empty name matches nothing' };
  if (!isRegexNotation(text)) return { pattern: { kind: 'literal', value: text } };
  const source = text.slice(1, -1);
  if (source.length === 0) return { error: '`//` is an empty regular expression; write /.*/ to match every name' };
  const regex = compileLinearRegex(source, 'whole');
  if (!isLinearRegex(regex)) return { error: regex.error };
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
 * An image-commit tag pattern: `/re/` matching the whole tag, with a named group `(?<sha>…)` (or Go's
 * `(?P<sha>…)`) that captures the commit id. Returns the compiled pattern or a message.
 */
export function parseTagCommitPattern(text: string): { regex: LinearRegex } | { error: string } {
  if (!isRegexNotation(text) || text.length === 2) {
    return { error: 'expected a regular expression written as /…/ with a named group (?<sha>…)' };
  }
  const regex = compileLinearRegex(text.slice(1, -1), 'whole');
  if (!isLinearRegex(regex)) return { error: regex.error };
  if (!regex.groupNames.includes('sha')) {
    return { error: 'the regular expression needs a named group (?<sha>…) that captures the commit id (7-40 hex)' };
  }
  return { regex };
}

// ---- tag globs -------------------------------------------------------------------------------

/** Characters a tag may contain (`[A-Za-z0-9_.-]`) plus minimatch's glob syntax. */
export const TAG_GLOB_PATTERN = '^[A-Za-z0-9_.\\-*?\\[\\]{}(),!^+@|]+$';
const TAG_GLOB_RE = new RegExp(TAG_GLOB_PATTERN);

/**
 * minimatch options for tag globs: no `!` negation, no `#` comments (a tag has neither), and no extglobs:
 * `+(a|aa)+(a|aa)b` compiles to nested repetition, which a backtracking engine runs in exponential time.
 */
const GLOB_OPTIONS = { nonegate: true, nocomment: true, dot: true, noext: true } as const;

/** Longest tag glob accepted (a tag has at most 128 characters). */
export const MAX_GLOB_LENGTH = 256;
/** Most strings a glob's braces may expand to (`{a,b}{c,d}` is 4). */
export const MAX_GLOB_EXPANSIONS = 256;

/**
 * minimatch (with `dot`) guards a leading wildcard so that it cannot match the path segments `.` and
 * `..`, with a lookahead RE2 does not have. No tag can be `.` or `..` (a tag starts with a letter, a
 * digit or `_`), so the guard changes no match and is dropped.
 */
const DOT_SEGMENT_GUARD = '(?!(?:^|\\/)\\.\\.?(?:$|\\/))';

export const TAG_GLOB_EXPECTED =
  'expected a tag glob such as v*, release-[0-9]*, {latest,stable}; a tag contains only letters, digits, _ . and -';

/** Compiles a tag glob to a linear-time whole-tag matcher, or says why it cannot be used. */
function compileTagGlob(glob: string): LinearRegex | { error: string } {
  if (glob.length === 0) return { error: 'an empty glob matches no tag' };
  if (glob.length > MAX_GLOB_LENGTH) return { error: `the glob is ${glob.length} characters long; at most ${MAX_GLOB_LENGTH} are accepted` };
  if (!TAG_GLOB_RE.test(glob)) {
    const bad = [...glob].find((c) => !TAG_GLOB_RE.test(c));
    return { error: `the glob contains ${JSON.stringify(bad ?? glob)}, which no tag can contain, so it would never match` };
  }
  if (braceExpand(glob, { braceExpandMax: MAX_GLOB_EXPANSIONS + 1 }).length > MAX_GLOB_EXPANSIONS) {
    return { error: `the glob's braces expand to more than ${MAX_GLOB_EXPANSIONS} tags; list fewer alternatives or use a wildcard` };
  }
  const re = new Minimatch(glob, GLOB_OPTIONS).makeRe();
  if (re === false) return { error: 'minimatch cannot compile this glob' };
  // Glob syntax minimatch could not use (an unclosed `[` or `{`, a stray `+`, `,`, `|`, `@`, `!`, or an
  // extglob) is matched literally, and no tag contains those characters: such a glob would never match.
  const literal = /\\([[\]{}(),|^+])|(?<!\(\?)(!)|(@)/.exec(re.source);
  if (literal) {
    const c = literal[1] ?? literal[2] ?? literal[3] ?? '';
    return { error: `the glob uses ${JSON.stringify(c)} as a plain character (an unclosed [ or {, an extglob such as +(…), which regsweep does not support, or glob syntax out of place), which no tag can contain, so it would never match` };
  }
  // The glob's length and expansions are bounded above, and so is the expression minimatch makes of it.
  const compiled = compileLinearRegex(re.source.split(DOT_SEGMENT_GUARD).join(''), 'whole', Number.POSITIVE_INFINITY);
  return isLinearRegex(compiled) ? compiled : { error: `the glob cannot be matched in linear time (${compiled.error})` };
}

/**
 * Checks a tag glob. Returns undefined when it is usable, else why not. A glob with a character no
 * tag can contain (a space, `/`, `:`) can never match, so it is refused rather than silently ignored.
 */
export function checkTagGlob(glob: string): string | undefined {
  const compiled = compileTagGlob(glob);
  return 'error' in compiled ? compiled.error : undefined;
}

/**
 * Compiles tag globs into one predicate (true when any glob matches). Globs are expected to have
 * passed `checkTagGlob`; one that does not compile matches nothing.
 */
export function tagGlobMatcher(globs: readonly string[]): (tag: string) => boolean {
  const matchers = globs.map(compileTagGlob).filter(isLinearRegex);
  return (tag) => matchers.some((m) => m.test(tag));
}
