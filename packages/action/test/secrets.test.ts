/**
 * The Action prints no secret (issue 12, item 3), in-process with a recording runner: a GitHub that
 * echoes the token in its error messages, a kube API that echoes the kubeconfig's token, and
 * credentials written into the api-url or registry-url input. Every log line, annotation, output,
 * the job summary and the JSON report are checked (and recorded for the suite's secret check).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runAction, type ActionDeps } from '../src/index.js';
import { recordRun } from './support/record.js';
import { testSecret } from '@regsweep/test-kit/secrets';

interface Run {
  exitCode: number;
  calls: string[];
  /** Everything shown or written: log lines and annotations (not setSecret), outputs, the summary, the report. */
  shown: string;
}

async function run(inputs: Record<string, string>, fetchImpl: typeof globalThis.fetch): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'regsweep-action-secrets-'));
  try {
    const calls: string[] = [];
    const outputs: Record<string, string> = {};
    const summary: string[] = [];
    const all: Record<string, string> = {
      owner: 'acme', packages: 'app', repository: 'acme/app', config: '', 'dry-run': 'false', 'api-url': 'http://github.invalid',
      'registry-url': 'http://ghcr.invalid', kubeconfig: '', 'max-deletions': '', 'pull-requests': 'true', 'cache-dir': '', ...inputs,
    };
    const deps: ActionDeps = {
      getInput: (name) => all[name] ?? '',
      env: { GITHUB_REPOSITORY: 'acme/app', GITHUB_WORKSPACE: dir, RUNNER_TEMP: dir },
      setSecret: (s) => calls.push(`secret ${s}`),
      setOutput: (n, v) => void (outputs[n] = v),
      debug: (m) => calls.push(`debug ${m}`), info: (m) => calls.push(`info ${m}`), warning: (m) => calls.push(`warning ${m}`),
      notice: (m) => calls.push(`notice ${m}`), setFailed: (m) => calls.push(`failed ${m}`),
      writeSummary: async (md) => void summary.push(md),
      tmpdir: dir, cwd: dir, fetch: fetchImpl,
    };
    const result = await runAction(deps);
    recordRun({ calls, outputs, summary }, result.reportPath);
    const report = await readFile(result.reportPath, 'utf8');
    const shown = [...calls.filter((c) => !c.startsWith('secret ')), JSON.stringify(outputs), ...summary, report].join('\n');
    return { exitCode: result.exitCode, calls, shown };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A GitHub whose every answer is a 401 that quotes the Authorization header it got. */
const echoingGitHub: typeof globalThis.fetch = async (input, init) => {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  const body = JSON.stringify({ message: `Bad credentials: ${headers.get('authorization') ?? 'none'}`, documentation_url: 'https://docs.github.com/rest' });
  return new Response(body, { status: 401, headers: { 'content-type': 'application/json' } });
};

const leaked = (r: Run, secret: string): string => r.shown.split(secret).join('<secret>');

test('a GitHub that echoes the token: the step fails with the message redacted everywhere', async () => {
  const token = testSecret('ghp-echoed');
  const r = await run({ token }, echoingGitHub);
  assert.is(r.exitCode, 2, leaked(r, token));
  assert.is(r.calls[0], `secret ${token}`, 'masked before anything is printed');
  assert.match(r.shown, /\*\*\*/, leaked(r, token));
  assert.not.ok(r.shown.includes(token), leaked(r, token));
});

test('a kube API that echoes the kubeconfig token: masked with setSecret and redacted everywhere; nothing is read from GitHub', async () => {
  const kubeToken = testSecret('kube-echoed');
  const server = createServer((req, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 403, message: `${req.headers.authorization ?? ''} may not list this` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const kubeconfig = `apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: prod\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true\n` +
      `users:\n- name: ci\n  user:\n    token: ${kubeToken}\ncontexts:\n- name: prod\n  context:\n    cluster: prod\n    user: ci\n`;
    let asked = 0;
    const r = await run({ token: testSecret('ghp'), kubeconfig }, async (...args) => (asked += 1, echoingGitHub(...args)));
    assert.is(r.exitCode, 1, leaked(r, kubeToken));
    assert.ok(r.calls.includes(`secret ${kubeToken}`), 'the kubeconfig token is masked in the runner\'s log');
    assert.match(r.shown, /Kubernetes context prod: may not list .*Bearer \*\*\* may not list this/, r.shown.split(kubeToken).join('<secret>'));
    assert.not.ok(r.shown.includes(kubeToken), leaked(r, kubeToken));
    assert.is(asked, 0, 'GitHub was not asked anything');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('credentials in the api-url or registry-url input: exit 2, shown masked, nothing asked', async () => {
  const password = testSecret('url-password');
  for (const [input, value, masked] of [
    ['api-url', `https://bot:${password}@github.example.com/api/v3`, 'https://***@github.example.com/api/v3'],
    ['registry-url', `https://${password}@ghcr.io`, 'https://***@ghcr.io'],
  ] as const) {
    let asked = 0;
    const r = await run({ token: testSecret('ghp'), [input]: value }, async (...args) => (asked += 1, echoingGitHub(...args)));
    assert.is(r.exitCode, 2, leaked(r, password));
    assert.ok(r.calls.includes(`failed credentials in input ${input} are not accepted (${masked})\nfix: give the URL without user:password@: the token input is what authenticates to GitHub and its registry`), leaked(r, password));
    assert.not.ok(r.shown.includes(password), leaked(r, password));
    assert.is(asked, 0);
  }
});

test.run();
