/**
 * The suite's secret check itself (scripts/secret-scan.mjs, scripts/run-tests.mjs): it finds a test
 * secret in its plain, JSON, URL and base64 forms, the recorded outputs land where it looks, and the
 * runner fails a run whose test prints one or records one. (Nothing here prints a secret.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findTestSecrets, scanFolder, TEST_OUTPUT_ROOT_ENV } from '../scripts/secret-scan.mjs';
import { outputFolder, recordOutput, recordOutputFile, testSecret, TEST_SECRET_MARKER } from '@regsweep/test-kit/secrets';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const temps: string[] = [];
const temp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'regsweep-secret-check-'));
  temps.push(dir);
  return dir;
};
test.after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

test('testSecret: the marker, the name, a random part', () => {
  const a = testSecret('registry');
  assert.ok(a.startsWith(`${TEST_SECRET_MARKER}registry-`));
  assert.is.not(a, testSecret('registry'), 'two secrets differ');
});

test('findTestSecrets: the secret as it is, JSON-escaped, URL-encoded and in base64 at every offset; not clean text', () => {
  const secret = testSecret('p"a/ss');
  assert.equal(findTestSecrets(`line one\nerror: rejected ${secret}\nline three`).map((h) => h.line), [2]);
  assert.is(findTestSecrets(JSON.stringify({ message: secret })).length, 1, 'JSON');
  assert.is(findTestSecrets(`https://x/?p=${encodeURIComponent(secret)}`).length, 1, 'URL-encoded');
  for (const user of ['', 'u', 'us', 'use']) {
    const basic = Buffer.from(`${user}:${secret}`).toString('base64');
    assert.is(findTestSecrets(`Authorization: Basic ${basic}`).length, 1, `base64 after ${JSON.stringify(user)}:`);
  }
  assert.equal(findTestSecrets('regsweep: deleted 3 images\nusing credentials of u from REGSWEEP_REGISTRY_USERNAME/_PASSWORD\n[MASKED] ***'), []);
  assert.equal(findTestSecrets('rsw-secre t-'), []);
});

test('recordOutput and recordOutputFile write under REGSWEEP_TEST_OUTPUT_ROOT, where scanFolder finds the leak', () => {
  const before = process.env[TEST_OUTPUT_ROOT_ENV];
  const root = temp();
  process.env[TEST_OUTPUT_ROOT_ENV] = root;
  try {
    const dir = outputFolder();
    assert.ok(dir?.startsWith(root), 'one folder per test file, under the root');
    recordOutput('clean stdout', 'all good\n');
    const report = join(temp(), 'report.json');
    writeFileSync(report, JSON.stringify({ error: { message: `401 for ${testSecret('token')}` } }, null, 2));
    recordOutputFile('report.json', report);
    recordOutputFile('missing', join(root, 'no-such-file'));
    const scan = scanFolder(root);
    assert.is(scan.files, 2);
    assert.is(scan.hits.length, 1);
    assert.match(scan.hits[0]?.file ?? '', /report\.json$/);
    assert.is(scan.hits[0]?.line, 3);
  } finally {
    if (before === undefined) delete process.env[TEST_OUTPUT_ROOT_ENV];
    else process.env[TEST_OUTPUT_ROOT_ENV] = before;
  }
});

/** scripts/run-tests.mjs on one test file (no imports: it prints uvu's totals itself). */
function runRunner(body: string): { code: number | null; out: string } {
  const dir = temp();
  writeFileSync(join(dir, 'sample.test.ts'), `${body}\nconsole.log('  Total:     1\\n  Passed:    1\\n  Skipped:   0');\n`);
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/run-tests.mjs')], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, REGSWEEP_TEST_ROOTS: dir },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('run-tests.mjs: a clean test passes; a test that prints a secret, or records one, fails the run', () => {
  const clean = runRunner("console.log('nothing secret');");
  assert.is(clean.code, 0, clean.out);
  assert.match(clean.out, /secret check: 1 test file outputs and 0 recorded outputs read, 0 leak\(s\)/);
  assert.match(clean.out, /^1 passed, 0 failed$/m);

  // The secret is put together inside the sample, so this file's own source holds no whole one.
  const printed = runRunner(`console.log('error: ' + ${JSON.stringify(TEST_SECRET_MARKER.slice(0, 4))} + ${JSON.stringify(TEST_SECRET_MARKER.slice(4))} + 'x1');`);
  assert.is(printed.code, 1, 'a printed secret fails the run');
  assert.match(printed.out, /sample\.test\.ts: its output holds a test secret \(line 1\)/);
  assert.match(printed.out, /^1 passed, 1 failed$/m);

  const recorded = runRunner([
    "import { mkdirSync, writeFileSync } from 'node:fs';",
    `const dir = process.env[${JSON.stringify(TEST_OUTPUT_ROOT_ENV)}] + '/sample';`,
    'mkdirSync(dir, { recursive: true });',
    `writeFileSync(dir + '/report.json', '{"token": "' + ${JSON.stringify(TEST_SECRET_MARKER)} + 'x2"}');`,
  ].join('\n'));
  assert.is(recorded.code, 1, 'a recorded secret fails the run');
  assert.match(recorded.out, /a test secret in a recorded output: sample\/report\.json:1:/);
  assert.match(recorded.out, /1 recorded outputs read, 1 leak\(s\)/);
  const kept = /the recorded outputs are kept in (\S+)/.exec(recorded.out)?.[1];
  assert.ok(kept !== undefined && readFileSync(join(kept, 'sample', 'report.json'), 'utf8').includes('x2'), 'the leaking outputs are kept to look at');
  if (kept !== undefined) temps.push(kept);
});

test.run();
