/**
 * Strict values every front end reads (core/util/strict-values) and the policy of a file's text
 * (policyFromText): impossible dates, sloppy integers and a regsweep file with nothing under cleanup:
 * are refused; a werf.yaml without cleanup: gets the default with a note.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../src/errors.js';
import { defaultCleanupPolicy } from '../src/policy/defaults.js';
import { isWerfConfigName, policyFromText } from '../src/policy/parse.js';
import { parseInstant, parseWholeNumber, wholeNumberExpected } from '../src/util/strict-values.js';

test('parseInstant: times that exist, with Z or an offset, are read exactly', () => {
  assert.is(parseInstant('2026-11-20T12:00:00Z')?.toISOString(), '2026-11-20T12:00:00.000Z');
  assert.is(parseInstant('2026-11-20T14:00:00+02:00')?.toISOString(), '2026-11-20T12:00:00.000Z');
  assert.is(parseInstant('2028-02-29T00:00:00Z')?.toISOString(), '2028-02-29T00:00:00.000Z', 'a leap day');
  assert.is(parseInstant('2026-01-31t23:59:59.5z')?.toISOString(), '2026-01-31T23:59:59.500Z');
  assert.is(parseInstant('2026-11-20T12:00Z')?.toISOString(), '2026-11-20T12:00:00.000Z', 'seconds may be left out');
});

test('parseInstant: days, hours and offsets that do not exist are refused, not rolled over', () => {
  for (const text of ['2026-02-31T00:00:00Z', '2027-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z', '2026-11-00T00:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T12:60:00Z',
    '2026-11-20T12:00:60Z', '2026-11-20T12:00:00+24:00', '2026-11-20T12:00:00+02:60']) {
    assert.is(parseInstant(text), undefined, text);
  }
});

test('parseInstant: what is not RFC 3339 is refused', () => {
  for (const text of ['', 'garbage', '2026-11-20', '2026-11-20 12:00:00Z', '1700000000', '2026-11-20T12:00:00',
    ' 2026-11-20T12:00:00Z', '2026-11-20T12:00:00Z\n', '+2026-11-20T12:00:00Z']) {
    assert.is(parseInstant(text), undefined, JSON.stringify(text));
  }
});

test('parseWholeNumber: digits only, within the range', () => {
  assert.is(parseWholeNumber('1', 1), 1);
  assert.is(parseWholeNumber('0', 0), 0);
  assert.is(parseWholeNumber('100', 1, 100), 100);
  for (const text of ['', '1.5', '1e3', '0x10', '3abc', ' 3', '3 ', '+3', '-3', '03', '1_000', '99999999999999999999']) {
    assert.is(parseWholeNumber(text, 0), undefined, JSON.stringify(text));
  }
  assert.is(parseWholeNumber('0', 1), undefined, 'below the minimum');
  assert.is(parseWholeNumber('101', 1, 100), undefined, 'above the maximum');
  assert.is(wholeNumberExpected(1), 'a whole number of 1 or more, in digits');
  assert.is(wholeNumberExpected(1, 64), 'a whole number from 1 to 64, in digits');
});

function refusal(text: string, file: string): InputError {
  try {
    policyFromText(text, file);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error(`expected ${file} to be refused`);
}

test('policyFromText: a regsweep file with nothing under cleanup: is refused with the fix', () => {
  for (const text of ['', '# only a comment\n', 'keepPolicies:\n  - references: { branch: main }\n', 'cleanup: {}\n']) {
    const err = refusal(text, '.regsweep.yml');
    assert.match(err.message, '.regsweep.yml: no cleanup section', JSON.stringify(text));
    assert.match(err.hint ?? '', 'cleanup:\n    keepPolicies:');
  }
  assert.match(refusal('cleanup:\n', '.regsweep.yml').message, '.regsweep.yml: cleanup: expected a mapping', 'a bare cleanup: names the key');
  assert.match(refusal('', 'policies/team.yaml').message, 'policies/team.yaml: no cleanup section');
});

test('policyFromText: a werf.yaml without cleanup: runs on the default and says so', () => {
  for (const file of ['werf.yaml', 'sub/werf.yml']) {
    const loaded = policyFromText('project: app\nconfigVersion: 1\n', file);
    assert.is(loaded.source, file);
    assert.equal(loaded.policy, defaultCleanupPolicy());
    assert.match(loaded.note ?? '', `${file} has no cleanup: section`);
  }
  const kept = policyFromText('cleanup:\n  keepPolicies:\n    - references: { branch: main }\n', 'werf.yaml');
  assert.is(kept.note, undefined, 'a werf.yaml with a cleanup: section needs no note');
  assert.ok(isWerfConfigName('a/b/werf.yaml'));
  assert.not.ok(isWerfConfigName('notwerf.yaml'));
});

test.run();
