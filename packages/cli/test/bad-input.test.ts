/**
 * §2 / §6 bad input: exit code 2, a message on stderr that names what is wrong (the file, the path
 * inside it, the value) and what is accepted, and nothing deleted: the layout's files are unchanged.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testSecret } from '@regsweep/test-kit/secrets';
import { NOW_TEXT, describe, readReport, removeTemps, runCli, snapshot, snapshotEntries, tempDir, type CliResult } from './support/cli.js';
import { buildWorld, type World } from './support/world.js';

let world: World;
test.before(async () => {
  world = await buildWorld(tempDir());
});
test.after(removeTemps);

const registry = (): string[] => ['--registry', `oci:${world.layoutDir}`];
const cleanup = (...extra: string[]): string[] =>
  ['cleanup', ...registry(), '--git', world.gitDir, '--now', NOW_TEXT, '--without-kube', ...extra];

/** Runs in a fresh directory holding `files`; asserts exit 2, every `mentions` on stderr, layout unchanged. */
function expectBadInput(args: readonly string[], mentions: ReadonlyArray<string | RegExp>, files: Record<string, string> = {}, env: Record<string, string> = {}): { r: CliResult; cwd: string } {
  const cwd = tempDir('regsweep-cwd-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(cwd, name, '..'), { recursive: true });
    writeFileSync(join(cwd, name), text);
  }
  const before = snapshot(world.layoutDir);
  const r = runCli(args, cwd, env);
  assert.is(r.code, 2, describe(r));
  for (const m of mentions) {
    if (typeof m === 'string') assert.ok(r.stderr.includes(m), `stderr lacks ${JSON.stringify(m)}\n${describe(r)}`);
    else assert.match(r.stderr, m, `stderr does not match ${String(m)}\n${describe(r)}`);
  }
  assert.equal(snapshotEntries(snapshot(world.layoutDir)), snapshotEntries(before), 'the layout changed');
  return { r, cwd };
}

const policy = (body: string): string => `cleanup:\n  keepPolicies:\n${body}`;

test('§2 unknown key under cleanup: names file, path, value and the accepted keys', () => {
  expectBadInput(cleanup(), [
    '.regsweep.yml: cleanup.keepPolicy: unknown key (did you mean keepPolicies?)',
    'accepted here: keepPolicies, keepImagesBuiltWithinLastNHours',
    '(got [{"references":{"branch":"main"}}])',
  ], { '.regsweep.yml': 'cleanup:\n  keepPolicy:\n    - references: { branch: main }\n' });
});

test('§2 bad regex /(unclosed/: path of the branch pattern, the value, what a pattern may be', () => {
  expectBadInput(cleanup(), [
    '.regsweep.yml: cleanup.keepPolicies[0].references.branch: not a valid RE2 regular expression',
    'a regular expression written as /…/',
    '(got "/(unclosed/")',
  ], { '.regsweep.yml': policy('    - references: { branch: /(unclosed/ }\n') });
});

test('§2 bad duration "7 days": path of limit.in, the value, the accepted forms', () => {
  expectBadInput(cleanup('--config', 'conf/policy.yml'), [
    'conf/policy.yml: cleanup.keepPolicies[0].references.limit.in',
    'expected a duration such as 90m, 168h, 1h30m, 7d or 2w',
    '(got "7 days")',
  ], { 'conf/policy.yml': policy('    - references: { branch: /.*/, limit: { in: 7 days } }\n') });
});

test('§2 bare number duration (in: 10) is refused, not read as nanoseconds', () => {
  expectBadInput(cleanup(), [
    'werf.yaml: cleanup.keepPolicies[1].imagesPerReference.in',
    'a bare number is not accepted',
    '(got 10)',
  ], { 'werf.yaml': `project: shop\nconfigVersion: 1\n${policy('    - references: { tag: /.*/ }\n    - references: { branch: main }\n      imagesPerReference: { last: 3, in: 10 }\n')}` });
});

test('§2 wrong operator "and": path, value, And or Or', () => {
  expectBadInput(cleanup(), [
    '.regsweep.yml: cleanup.keepPolicies[0].references.limit.operator',
    'expected And or Or',
    '(got "and")',
  ], { '.regsweep.yml': policy('    - references: { branch: /.*/, limit: { last: 3, in: 24h, operator: and } }\n') });
});

test('§2 every problem of a file is reported at once', () => {
  const { r } = expectBadInput(cleanup(), ['limit.operator', 'limit.in', 'references.branch'], {
    '.regsweep.yml': policy('    - references: { branch: /(x/, limit: { in: 7 days, operator: OR } }\n'),
  });
  assert.ok(r.stderr.includes('(got "OR")'), r.stderr);
});

test('missing --registry: exit 2, says the flag is required and what it takes', () => {
  expectBadInput(['cleanup', '--git', world.gitDir, '--now', NOW_TEXT], ['--registry is required', 'oci:DIR']);
});

test('§4.1 a shallow clone as --git is refused and the message says to unshallow', () => {
  const shallow = world.git.cloneTo(join(tempDir('regsweep-shallow-'), 'shallow'), { shallow: true });
  assert.is(shallow.git(['rev-parse', '--is-shallow-repository']), 'true');
  expectBadInput(['cleanup', ...registry(), '--git', shallow.dir, '--now', NOW_TEXT, '--without-kube'], [shallow.dir, 'shallow clone', 'git fetch --unshallow']);
});

test('a directory that is not a git repository as --git', () => {
  const dir = tempDir('regsweep-not-git-');
  expectBadInput(['cleanup', ...registry(), '--git', dir, '--now', NOW_TEXT, '--without-kube'], [`${dir} is not a git repository`, 'point regsweep at a git clone']);
});

test('§6 purge without --yes is refused', () => {
  expectBadInput(['purge', ...registry()], ['purge deletes every image of the repository and needs --yes', '--dry-run']);
});

test('an unknown flag: names it (with the nearest flag when it is a typo) and the command\'s help', () => {
  expectBadInput(cleanup('--frobnicate'), [/unknown flag --frobnicate\n/, 'run `regsweep cleanup --help` for its flags']);
  expectBadInput(cleanup('--dryrun'), ['cleanup: unknown flag --dryrun; did you mean --dry-run?']);
  expectBadInput(cleanup('--max-deletion=3'), ['did you mean --max-deletions?']);
});

test('environment credentials and a run with two registry hosts: refused before any request, unless REGSWEEP_REGISTRY_HOST names one', () => {
  const args = ['cleanup', '--registry', '127.0.0.1:9/app', '--registry', 'localhost:9/app', '--git', world.gitDir, '--now', NOW_TEXT, '--without-kube'];
  const env = { REGSWEEP_REGISTRY_USERNAME: 'ci', REGSWEEP_REGISTRY_PASSWORD: testSecret('env-password') };
  expectBadInput(args, ['REGSWEEP_REGISTRY_USERNAME/_PASSWORD name no registry host, and this run talks to 2 (127.0.0.1:9, localhost:9)', 'set REGSWEEP_REGISTRY_HOST'], {}, env);
  const named = runCli(args, tempDir('regsweep-cwd-'), { ...env, REGSWEEP_REGISTRY_HOST: '127.0.0.1:9', REGSWEEP_REGISTRY_RETRY_BACKOFF_MS: '0' });
  assert.not.match(named.stderr, /name no registry host/, 'with the host named, the run goes on (and fails on the unreachable registry)');
  assert.is(named.code, 1, describe(named));
});

test('a flag of another command: names it', () => {
  expectBadInput(cleanup('--yes'), ['--yes does not apply to this command']);
});

test('--now garbage: the value and the accepted form', () => {
  expectBadInput(['cleanup', ...registry(), '--git', world.gitDir, '--now', 'yesterday'], ['--now: expected an RFC 3339 time', '"yesterday"']);
});

test('impossible dates for --now are refused naming the flag (no calendar roll-over: 2026-02-31 is not 2026-03-03)', () => {
  for (const now of ['2026-02-31T00:00:00Z', '2025-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T12:60:00Z', '2026-13-01T00:00:00Z', '2026-11-20T12:00:00+25:00']) {
    expectBadInput(['cleanup', ...registry(), '--git', world.gitDir, '--now', now, '--without-kube'], ['--now: expected an RFC 3339 time that exists', `got "${now}"`]);
  }
});

test('a --now that exists is accepted: a leap day, an offset', () => {
  for (const now of ['2028-02-29T00:00:00Z', '2026-11-20T14:00:00+02:00']) {
    const r = runCli(['cleanup', ...registry(), '--git', world.gitDir, '--now', now, '--without-kube', '--dry-run'], tempDir('regsweep-cwd-'));
    assert.is(r.code, 0, describe(r));
  }
});

test('integer flags take digits only: each bad value names its flag', () => {
  for (const [flag, value] of [['--max-deletions', '1.5'], ['--max-deletions', '1e3'], ['--max-deletions', '0x10'], ['--concurrency', '3abc'], ['--concurrency', '0'], ['--concurrency', '99999999999999999999']]) {
    expectBadInput(cleanup(flag as string, value as string), [`${flag}: expected a whole number of 1 or more, in digits, got "${value}"`]);
  }
});

test('--config naming a file with no cleanup section (empty, comments only, no cleanup key, cleanup: {}, cleanup: null): exit 2, what to write', () => {
  const cases: Record<string, string> = {
    'empty.yml': '',
    'comments.yml': '# keepPolicies will go here\n\n# one day\n',
    'flat.yml': 'keepPolicies:\n  - references: { branch: main }\n',
    'braces.yml': 'cleanup: {}\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    expectBadInput(cleanup('--config', name), [`${name}: no cleanup section; nest keepPolicies under cleanup:`, 'fix: a regsweep policy file holds its settings under a top-level cleanup: key'], { [name]: text });
  }
  expectBadInput(cleanup('--config', 'null.yml'), ['null.yml: cleanup: expected a mapping with the keys keepPolicies'], { 'null.yml': 'cleanup:\n' });
});

test('a missing layout directory', () => {
  const missing = join(tempDir('regsweep-gone-'), 'no-such-layout');
  expectBadInput(['cleanup', '--registry', `oci:${missing}`, '--git', world.gitDir, '--now', NOW_TEXT, '--without-kube'], [
    `OCI layout ${missing} does not exist`, 'OCI image-layout format',
  ]);
  assert.not.ok(existsSync(missing), 'the layout directory was not created');
});

test('a missing --config file', () => {
  expectBadInput(cleanup('--config', 'nope.yml'), ['--config:', 'nope.yml does not exist']);
});

test('the report is still written, with error and exitCode 2, when the run fails after parsing', () => {
  const { cwd } = expectBadInput(cleanup('--report', 'reports/run.json'), ['(got "7 days")'], {
    '.regsweep.yml': policy('    - references: { branch: /.*/, limit: { in: 7 days } }\n'),
  });
  const report = readReport(join(cwd, 'reports', 'run.json'));
  assert.is(report.exitCode, 2);
  assert.is(report.error?.exitCode, 2);
  assert.ok(report.error?.message.includes('cleanup.keepPolicies[0].references.limit.in'), report.error?.message);
  assert.equal(report.deleted, []);
  assert.equal(report.kept, []);
});

test('the report is still written for a shallow clone', () => {
  const shallow = world.git.cloneTo(join(tempDir('regsweep-shallow-'), 'shallow'), { shallow: true });
  const { cwd } = expectBadInput(['cleanup', ...registry(), '--git', shallow.dir, '--now', NOW_TEXT, '--without-kube', '--report', 'run.json'], ['unshallow']);
  const report = readReport(join(cwd, 'run.json'));
  assert.is(report.exitCode, 2);
  assert.match(report.error?.message ?? '', /shallow clone/);
  assert.is(report.policySource, 'default');
  assert.equal(report.deleted, []);
});

test.run();
