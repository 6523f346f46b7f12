/**
 * User patterns on RE2, in linear time: the patterns that are exponential on JavaScript's RegExp give
 * their answers (assertions on results; bench/patterns.mjs times them), RE2 agrees with JavaScript on
 * the patterns both understand (an oracle over generated names), globs agree with minimatch's own
 * matching, and syntax RE2 does not have is refused with what to write instead.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { minimatch } from 'minimatch';
import { checkTagGlob, compileLinearRegex, isLinearRegex, parseNamePattern, parseTagCommitPattern, tagGlobMatcher, type LinearRegex } from '../src/internal.js';

function compiled(source: string, mode: 'whole' | 'anywhere' = 'whole'): LinearRegex {
  const r = compileLinearRegex(source, mode);
  if (!isLinearRegex(r)) throw new Error(r.error);
  return r;
}

test('(a+)+$ against forty a and a !: no match, and a match without the !', () => {
  const branch = parseNamePattern('/(a+)+$/');
  if ('error' in branch || branch.pattern.kind !== 'regex') throw new Error('not a regex');
  assert.is(branch.pattern.regex.test(`${'a'.repeat(40)}!`), false);
  assert.is(branch.pattern.regex.test('a'.repeat(400)), true);
});

test('(?<sha>([0-9a-f]+)+)-z against 45 hex characters and a y: no commit; with -z the commit is captured', () => {
  const p = parseTagCommitPattern('/(?<sha>([0-9a-f]+)+)-z/');
  if ('error' in p) throw new Error(p.error);
  assert.is(p.regex.namedGroup(`${'a'.repeat(45)}y`, 'sha'), undefined);
  assert.is(p.regex.namedGroup(`${'ab'.repeat(20)}-z`, 'sha'), 'ab'.repeat(20));
});

test('the extglob +(a|aa)+(a|aa)+(a|aa)+(a|aa)b is refused (extglobs are off), plain globs still work', () => {
  assert.match(checkTagGlob('+(a|aa)+(a|aa)+(a|aa)+(a|aa)b') ?? '', /extglob/);
  const keep = tagGlobMatcher(['*a*a*a*a*a*a*a*a*b']);
  assert.is(keep('a'.repeat(120)), false, 'many stars on a long tag: answered');
  assert.is(keep(`${'a'.repeat(120)}b`), true);
});

test('RE2 agrees with JavaScript where both understand the pattern (oracle over generated names)', () => {
  const patterns = ['main|master', 'release-\\d+(\\.\\d+)*', 'feat(ure)?/.*', '[a-c]{2,3}x?', '(?:ab|a)(?:bc|c)?', '.*-rc\\d?', 'v[0-9]+\\.[0-9]+', '\\w+_\\w+'];
  const alphabet = ['a', 'b', 'c', 'x', '1', '.', '-', '/', '_', 'm', 'rc', 'v', 'release-', 'feat', 'ure'];
  let seed = 7;
  const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (const source of patterns) {
    const re2 = compiled(source);
    const js = new RegExp(`^(?:${source})$`);
    const anywhere = compiled(source, 'anywhere');
    const jsAnywhere = new RegExp(source);
    for (let i = 0; i < 400; i++) {
      const name = Array.from({ length: 1 + next(6) }, () => alphabet[next(alphabet.length)]).join('');
      assert.is(re2.test(name), js.test(name), `/${source}/ whole on ${name}`);
      assert.is(anywhere.test(name), jsAnywhere.test(name), `/${source}/ anywhere on ${name}`);
    }
  }
});

test('globs on RE2 agree with minimatch\'s own matching', () => {
  const globs = ['v*', 'release-[0-9]*', '{latest,stable}', 'v1.?.*', '[!a]*', 'sha-???????', '*-rc*', '{a,b}{c,d}*'];
  const tags = ['v1', 'v1.2.3', 'release-1', 'release-x', 'latest', 'stable', 'abc', 'bcd', 'sha-abcdef1', 'sha-abc', 'x-rc1', 'ac', 'bd9', 'da', '_v1', 'v1.0.0'];
  for (const glob of globs) {
    assert.is(checkTagGlob(glob), undefined, glob);
    const ours = tagGlobMatcher([glob]);
    for (const tag of tags) assert.is(ours(tag), minimatch(tag, glob, { dot: true, noext: true, nonegate: true, nocomment: true }), `${glob} on ${tag}`);
  }
});

test('syntax RE2 has not: refused with what to write instead; over-long patterns and brace bombs refused', () => {
  const error = (source: string): string => {
    const r = compileLinearRegex(source, 'whole');
    return isLinearRegex(r) ? '' : r.error;
  };
  assert.match(error('(?!wip).*'), /lookahead and lookbehind .* are not RE2/);
  assert.match(error('(?<=v)1'), /lookahead and lookbehind/);
  assert.match(error('(a)\\1'), /backreferences .* write the repeated part out/);
  assert.match(error('a++'), /possessive quantifiers/);
  assert.match(error('a'.repeat(1001)), /1001 characters long; at most 1000/);
  assert.is(error('a'.repeat(1000)), '');
  assert.match(checkTagGlob('a'.repeat(257)) ?? '', /257 characters long; at most 256/);
  assert.match(checkTagGlob('{a,b}'.repeat(9)) ?? '', /braces expand to more than 256 tags/);
  assert.is(checkTagGlob('{a,b}'.repeat(8)), undefined, '2^8 = 256 expansions is the limit');
});

test.run();
