/**
 * Secrets the CLI refuses without echoing them (issue 12, item 3), run as a process (`runCli`):
 * credentials in --registry or in the policy file's repositories, a value after --password-stdin,
 * and a Docker credential helper that fails after printing its secret. Each: exit 2, the message
 * names what is wrong and the fix, and no secret in stdout, stderr or the report.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describe, readReport, removeTemps, runCli, tempDir, type CliResult } from './support/cli.js';
import { testSecret } from '@regsweep/test-kit/secrets';

test.after(removeTemps);

function assertNoSecret(r: CliResult, secret: string, report?: string): void {
  assert.not.ok(r.stdout.includes(secret), `the secret is on stdout:\n${describe(r).replace(secret, '<secret>')}`);
  assert.not.ok(r.stderr.includes(secret), 'the secret is on stderr');
  if (report !== undefined && existsSync(report)) {
    readReport(report);
    assert.not.ok(readFileSync(report, 'utf8').includes(secret), 'the secret is in the report');
  }
}

const HINT = /fix: use --username USER with --password-stdin, REGSWEEP_REGISTRY_USERNAME and REGSWEEP_REGISTRY_PASSWORD, or docker login/;

test('--registry with user:password@ is refused for every command: exit 2, shown masked, the way to pass credentials', () => {
  const dir = tempDir();
  const secret = testSecret('registry-password');
  const report = join(dir, 'report.json');
  const cases: Array<[string[], string]> = [
    [['cleanup', '--registry', `alice:${secret}@registry.example.com/app`, '--report', report], '***@registry.example.com/app'],
    [['cleanup', '--registry', `https://alice:${secret}@registry.example.com:5000/app`, '--dry-run'], 'https://***@registry.example.com:5000/app'],
    [['purge', '--registry', `${secret}@registry.example.com/app`, '--yes'], '***@registry.example.com/app'],
    [['explain', '--registry', 'oci:./layout', '--registry', `alice:${secret}@registry.example.com/app`, '--tag', 'main'], '***@registry.example.com/app'],
  ];
  for (const [args, masked] of cases) {
    const r = runCli(args, dir);
    assert.is(r.code, 2, args[0]);
    assert.ok(r.stderr.includes(`regsweep: credentials in --registry are not accepted (${masked})`), args[0]);
    assert.match(r.stderr, HINT);
    assertNoSecret(r, secret, report);
  }
  assert.not.ok(existsSync(report), 'refused before anything ran: no report');
});

test('the policy file\'s cleanup.repositories with credentials: exit 2 naming the entry, shown masked, nothing in the report', () => {
  const dir = tempDir();
  const secret = testSecret('policy-password');
  writeFileSync(join(dir, '.regsweep.yml'), `cleanup:\n  repositories:\n    - ref: alice:${secret}@registry.example.com/app\n`);
  const report = join(dir, 'report.json');
  const r = runCli(['cleanup', '--without-kube', '--report', report], dir);
  assert.is(r.code, 2, describe(r).replace(secret, '<secret>'));
  assert.match(r.stderr, /cleanup\.repositories\[0\]\.ref/);
  assert.match(r.stderr, /holds credentials \(user:password@\), which are not accepted in a policy file/);
  assert.match(r.stderr, /\*\*\*@registry\.example\.com\/app/);
  assertNoSecret(r, secret, report);
  assert.ok(existsSync(report), 'the report says why');
});

test('a value after --password-stdin (or --password-stdin=VALUE) is an error that does not echo it', () => {
  const dir = tempDir();
  const secret = testSecret('typed-password');
  for (const args of [
    ['cleanup', '--registry', 'registry.example.com/app', '--username', 'u', '--password-stdin', secret],
    ['cleanup', '--registry', 'registry.example.com/app', '--username', 'u', `--password-stdin=${secret}`],
    ['purge', '--password-stdin', secret, '--registry', 'registry.example.com/app', '--username', 'u', '--yes'],
  ]) {
    const r = runCli(args, dir);
    assert.is(r.code, 2, args.join(' ').replace(secret, '<secret>'));
    assert.match(r.stderr, /regsweep: --password-stdin reads the password from standard input and takes no value/);
    assert.match(r.stderr, /fix: pipe the password or token in: echo "\$TOKEN" \| regsweep … --username USER --password-stdin/);
    assertNoSecret(r, secret);
  }
});

/** A Docker config naming the helper `docker-credential-NAME` (a script written into a folder put on PATH) for `host`. */
function withHelper(dir: string, name: string, host: string, script: string): Record<string, string> {
  const bin = join(dir, 'bin');
  const docker = join(dir, 'docker');
  mkdirSync(bin, { recursive: true });
  mkdirSync(docker, { recursive: true });
  writeFileSync(join(bin, `docker-credential-${name}`), `#!/bin/sh\n${script}\n`);
  chmodSync(join(bin, `docker-credential-${name}`), 0o755);
  writeFileSync(join(docker, 'config.json'), JSON.stringify({ credHelpers: { [host]: name } }));
  return { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, DOCKER_CONFIG: docker, HOME: dir };
}

test('a credential helper that prints its secret and exits 1: named with its exit code, its output never echoed', () => {
  const dir = tempDir();
  const secret = testSecret('helper-secret');
  const host = '127.0.0.1:9';
  const env = withHelper(dir, 'leaky', host, [
    'read -r server',
    `printf '{"ServerURL":"%s","Username":"robot","Secret":"${secret}"}\\n' "$server"`,
    `echo "debug: handing out ${secret}" >&2`,
    'exit 1',
  ].join('\n'));
  const report = join(dir, 'report.json');
  const r = runCli(['cleanup', '--registry', `${host}/app`, '--without-kube', '--report', report], dir, env);
  assert.is(r.code, 2, describe(r).split(secret).join('<secret>'));
  assert.match(r.stderr, new RegExp(`credential helper docker-credential-leaky \\(credHelpers\\["${host}"\\] in .*config\\.json\\) for registry ${host} failed \\(exit 1\\); its output is not shown`));
  assert.match(r.stderr, /echo 127\.0\.0\.1:9 \| docker-credential-leaky get/);
  assertNoSecret(r, secret, report);
  assert.ok(existsSync(report));
});

test.run();
