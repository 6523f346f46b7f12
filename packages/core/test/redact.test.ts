/** The shared redactor and the check for credentials written into a registry reference. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRedactor, InputError, maskedUserinfo, MIN_SECRET_LENGTH, parsePolicyText, refuseUserinfo } from '../src/internal.js';
import { testSecret } from '@regsweep/test-kit/secrets';

test('redact: every added secret is replaced wherever it occurs; text without one is unchanged', () => {
  const r = createRedactor();
  const a = testSecret('a');
  const b = testSecret('b');
  assert.is(r.redact(`x ${a} y`), `x ${a} y`, 'nothing known yet');
  assert.ok(r.add(a));
  assert.ok(r.add(b));
  assert.is(r.redact(`token ${a}, again ${a}; password ${b}`), 'token ***, again ***; password ***');
  assert.is(r.redact('nothing secret here'), 'nothing secret here');
  assert.is(r.size, 2);
  r.add(a);
  assert.is(r.size, 2, 'a secret added twice is held once');
});

test('the mask can be chosen (the GitLab job uses [MASKED])', () => {
  const r = createRedactor({ mask: '[MASKED]' });
  const s = testSecret('gl');
  r.add(s);
  assert.is(r.redact(`PRIVATE-TOKEN: ${s}`), 'PRIVATE-TOKEN: [MASKED]');
});

test(`secrets shorter than ${MIN_SECRET_LENGTH} characters are not redacted (add answers false); empty and undefined are ignored`, () => {
  const r = createRedactor();
  assert.is(r.add('abc'), false);
  assert.is(r.add('  ab \n'), false, 'the length counts after trimming');
  assert.is(r.add(''), true);
  assert.is(r.add(undefined), true);
  assert.is(r.size, 0);
  assert.is(r.redact('abc app tab'), 'abc app tab', 'short values would mangle ordinary words');
  assert.is(r.add('abcd'), true);
  assert.is(r.redact('abcd'), '***');
});

test('the forms a secret takes in outputs: trimmed, JSON-escaped, URL-encoded, each line of a multi-line one', () => {
  const r = createRedactor();
  const quoted = `${testSecret('q')}"\\/ &=?`;
  r.add(`  ${quoted}\n`);
  assert.is(r.redact(`raw ${quoted}`), 'raw ***');
  assert.is(r.redact(JSON.stringify({ message: `got ${quoted}` })), '{"message":"got ***"}', 'the report is JSON');
  assert.is(r.redact(`https://h/x?p=${encodeURIComponent(quoted)}`), 'https://h/x?p=***');
  const first = testSecret('line1');
  const second = testSecret('line2');
  r.add(`-----BEGIN KEY-----\n${first}\n${second}\n-----END KEY-----`);
  assert.is(r.redact(`a line: ${second}`), 'a line: ***', 'one line of a key, alone');
});

test('a secret that holds another is masked whole (longest first)', () => {
  const r = createRedactor();
  const inner = testSecret('inner');
  const outer = `${inner}-and-more`;
  r.add(inner);
  r.add(outer);
  assert.is(r.redact(`${outer} / ${inner}`), '*** / ***');
});

test('maskedUserinfo: user:password@ before the first / is found and masked; digests, ports and oci: paths are not userinfo', () => {
  const secret = testSecret('pw');
  assert.is(maskedUserinfo(`alice:${secret}@registry.example.com/app`), '***@registry.example.com/app');
  assert.is(maskedUserinfo(`https://alice:${secret}@ghcr.io`), 'https://***@ghcr.io');
  assert.is(maskedUserinfo(`http://${secret}@127.0.0.1:5000/team/app`), 'http://***@127.0.0.1:5000/team/app');
  assert.is(maskedUserinfo(`a:b@c@host:5000/app`), '***@host:5000/app', 'the last @ of the host part');
  assert.is(maskedUserinfo('registry.example.com:5000/app'), undefined);
  assert.is(maskedUserinfo('registry.example.com/app@sha256:0123'), undefined, 'a digest is not userinfo');
  assert.is(maskedUserinfo('https://gitlab.example.com/api/v4?x=a@b'), undefined);
  assert.is(maskedUserinfo('oci:./dir@x'), undefined);
});

test('refuseUserinfo: an InputError that names where, shows the masked reference and never the secret', () => {
  const secret = testSecret('pw');
  try {
    refuseUserinfo(`alice:${secret}@host/app`, '--registry', 'use --username');
    assert.unreachable('credentials must be refused');
  } catch (error) {
    assert.instance(error, InputError);
    const e = error as InputError;
    assert.is(e.message, 'credentials in --registry are not accepted (***@host/app)');
    assert.is(e.hint, 'use --username');
    assert.not.ok(`${e.message}${e.hint ?? ''}`.includes(secret));
  }
  refuseUserinfo('host/app', '--registry', 'x');
});

test('a policy file: credentials in cleanup.repositories[].ref or .follows are a problem shown masked', () => {
  const secret = testSecret('pw');
  const yaml = `cleanup:\n  repositories:\n    - ref: alice:${secret}@host/app\n    - ref: host/final\n      role: final\n      follows: https://bob:${secret}@host/app\n`;
  try {
    parsePolicyText(yaml, 'policy.yml');
    assert.unreachable('credentials must be refused');
  } catch (error) {
    const text = JSON.stringify(error, Object.getOwnPropertyNames(error));
    assert.not.ok(text.includes(secret), 'no secret in the error');
    assert.match(text, /cleanup\.repositories\[0\]\.ref/);
    assert.match(text, /\*\*\*@host\/app/);
    assert.match(text, /cleanup\.repositories\[1\]\.follows/);
    assert.match(text, /holds credentials/);
  }
});

test.run();
