import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DURATION_PATTERN, formatDuration, parseDuration } from '../src/policy/duration.js';
import {
  checkTagGlob,
  formatNamePattern,
  matchesName,
  parseNamePattern,
  parseTagCommitPattern,
  tagGlobMatcher,
} from '../src/policy/pattern.js';
import type { NamePattern } from '../src/policy/types.js';

const H = 3_600_000;

test('§2 durations: Go-style units are accepted', () => {
  assert.is(parseDuration('90m'), 90 * 60_000);
  assert.is(parseDuration('168h'), 168 * H);
  assert.is(parseDuration('1h30m'), 1.5 * H);
  assert.is(parseDuration('1.5h'), 1.5 * H);
  assert.is(parseDuration('300ms'), 300);
  assert.is(parseDuration('0s'), 0);
  assert.is(parseDuration('2h45m30.5s'), 2 * H + 45 * 60_000 + 30_500);
  assert.is(parseDuration('.5s'), 500);
  assert.is(parseDuration('1.s'), 1000);
  assert.is(parseDuration('1500us'), 1.5);
  assert.is(parseDuration('1µs'), 0.001);
  assert.is(parseDuration('2000000ns'), 2);
});

test('§2 durations: 7d and 2w are accepted', () => {
  assert.is(parseDuration('7d'), 168 * H);
  assert.is(parseDuration('2w'), 336 * H);
  assert.is(parseDuration('1w2d3h'), (7 * 24 + 2 * 24 + 3) * H);
  assert.is(parseDuration('0.5d'), 12 * H);
});

test('§2 durations: a bare number and other forms are errors', () => {
  for (const bad of ['10', '0', '1.5', '7 days', '7days', ' 7d', '7d ', '-1h', '+1h', '1y', 'h', '.h', '1h-30m', '', '1H', 'forever', '1e3s']) {
    assert.is(parseDuration(bad), undefined, JSON.stringify(bad));
  }
});

test('§2 durations: DURATION_PATTERN (the schema) agrees with parseDuration', () => {
  const re = new RegExp(DURATION_PATTERN, 'u');
  for (const s of ['90m', '168h', '1h30m', '1.5h', '300ms', '0s', '7d', '2w', '1.s', '.5s', '1µs', '10', '0', '7 days', '-1h', '1y', 'h', '.h', '']) {
    assert.is(re.test(s), parseDuration(s) !== undefined, JSON.stringify(s));
  }
});

test('§2 durations: formatDuration is round-trippable', () => {
  assert.is(formatDuration(168 * H), '168h');
  assert.is(formatDuration(1.5 * H), '1h30m');
  assert.is(formatDuration(300), '300ms');
  assert.is(formatDuration(0), '0s');
  for (const text of ['90m', '1h30m', '2w', '1.5h', '2h45m30.5s', '1500us', '3ns', '1h0m1ms', '123456789ms']) {
    const ms = parseDuration(text);
    assert.ok(ms !== undefined);
    assert.is(parseDuration(formatDuration(ms)), ms, text);
  }
});

function pattern(text: string): NamePattern {
  const result = parseNamePattern(text);
  if ('error' in result) throw new Error(result.error);
  return result.pattern;
}

test('§2 patterns: /re/ is a regular expression anchored at both ends', () => {
  const p = pattern('/feature-.*/');
  assert.is(p.kind, 'regex');
  assert.ok(matchesName(p, 'feature-x'));
  assert.not.ok(matchesName(p, 'my-feature-x'));
  assert.not.ok(matchesName(pattern('/main|master/'), 'mainline'), 'alternation is anchored as a whole');
  assert.ok(matchesName(pattern('/^(main|master)$/'), 'master'));
  assert.ok(matchesName(pattern('/.*/'), 'feature/x'));
  assert.is(formatNamePattern(p), '/feature-.*/');
});

test('§2 patterns: any other string is a literal name', () => {
  const p = pattern('feature/x.y');
  assert.equal(p, { kind: 'literal', value: 'feature/x.y' });
  assert.ok(matchesName(p, 'feature/x.y'));
  assert.not.ok(matchesName(p, 'feature/xzy'));
  assert.equal(pattern('/'), { kind: 'literal', value: '/' });
  assert.equal(pattern('/main'), { kind: 'literal', value: '/main' });
});

test('§2 patterns: a bad regex reports RE2\'s error; // and "" are refused', () => {
  const bad = parseNamePattern('/feat(/');
  assert.ok('error' in bad && bad.error.startsWith('not a valid RE2 regular expression') && /missing closing \)/.test(bad.error), JSON.stringify(bad));
  assert.ok('error' in parseNamePattern('//'));
  assert.ok('error' in parseNamePattern(''));
});

test('§3 tag patterns: need /…/ and a named group sha', () => {
  const ok = parseTagCommitPattern('/build-(?<sha>[0-9a-f]{40})/');
  assert.ok('regex' in ok && ok.regex.namedGroup(`build-${'a'.repeat(40)}`, 'sha') === 'a'.repeat(40));
  assert.ok('error' in parseTagCommitPattern('/build-([0-9a-f]{40})/'));
  assert.ok('error' in parseTagCommitPattern('/build-(?<commit>[0-9a-f]+)/'));
  assert.ok('error' in parseTagCommitPattern('build-(?<sha>[0-9a-f]+)'));
  assert.ok('error' in parseTagCommitPattern('/(?<sha>[0-9a-f]+/'));
});

test('§2 keep-list globs: usable globs pass, impossible ones are refused', () => {
  for (const g of ['v*', 'release-[0-9]*', '{latest,stable}', 'v1.?.*', 'latest', '[!x]*']) {
    assert.is(checkTagGlob(g), undefined, g);
  }
  // Extglobs are off (a backtracking engine runs nested ones in exponential time), so refused.
  for (const g of ['', 'v1 v2', 'a/b', 'repo:tag', 'x#y', '+(a|b)', '@(x|y)', '*(a|aa)b']) {
    assert.type(checkTagGlob(g), 'string', g);
  }
  const keep = tagGlobMatcher(['v*', '{latest,stable}']);
  assert.ok(keep('v1.2.3'));
  assert.ok(keep('stable'));
  assert.not.ok(keep('main'));
});

test.run();
