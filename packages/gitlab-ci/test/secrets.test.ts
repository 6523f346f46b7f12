/**
 * The GitLab job prints no secret (issue 12, item 3), `runJob` in-process against the fake GitLab
 * (packages/gitlab/test/support): a GitLab that echoes the token it was sent, a registry that echoes
 * its JWT, a kube API that echoes the kubeconfig's token, and a URL variable with credentials. The
 * job log, the JSON report and the dotenv file are checked (and recorded for the suite's secret check).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runJob } from '../src/job.js';
import { startWorld, TOKENS, type World } from '@regsweep/test-kit/gitlab-world';
import { kubeconfigYaml } from '@regsweep/test-kit/fake-kube';
import { predefinedVariables, projectDir } from './support/job-process.js';
import { recordOutput, testSecret } from '@regsweep/test-kit/secrets';

interface Run {
  exitCode: number;
  /** The log, the report and the dotenv file, one after the other. */
  shown: string;
  log: string;
}

async function run(variables: Record<string, string>, wrap: (real: typeof globalThis.fetch) => typeof globalThis.fetch = (f) => f, setUp?: (w: World) => void): Promise<Run> {
  const world = await startWorld(new Date());
  setUp?.(world);
  const project = await projectDir();
  try {
    const lines: string[] = [];
    const env = { ...predefinedVariables(world.gitlab.url, project.dir), REGSWEEP_TOKEN: TOKENS.api, ...variables };
    const result = await runJob({ env, out: (line) => void lines.push(line), tmpdir: project.dir, fetch: wrap(globalThis.fetch) });
    const log = lines.join('\n');
    const report = await readFile(result.reportPath, 'utf8');
    const dotenv = await readFile(result.dotenvPath, 'utf8');
    recordOutput('job-log', log);
    recordOutput('regsweep-report.json', report);
    recordOutput('regsweep.env', dotenv);
    return { exitCode: result.exitCode, shown: `${log}\n${report}\n${dotenv}`, log };
  } finally {
    await world.gitlab.close();
    await project.remove();
  }
}

const hidden = (r: Run, secret: string): string => r.shown.split(secret).join('<secret>');
const headerOf = (input: Parameters<typeof globalThis.fetch>[0], init: Parameters<typeof globalThis.fetch>[1], name: string): string | null =>
  new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).get(name);
const urlOf = (input: Parameters<typeof globalThis.fetch>[0]): URL => new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);

test('a GitLab that echoes the token: the run stops, [MASKED] in the log, the report and the dotenv file', async () => {
  const token = testSecret('glpat-echoed');
  const r = await run({ REGSWEEP_TOKEN: token }, () => async (input, init) => {
    const got = headerOf(input, init, 'private-token') ?? 'none';
    return new Response(JSON.stringify({ message: `400 Bad request: ${got} is not valid` }), { status: 400, headers: { 'content-type': 'application/json' } });
  });
  assert.is(r.exitCode, 1, hidden(r, token));
  assert.match(r.log, /\[MASKED\] is not valid/, hidden(r, token));
  assert.not.ok(r.shown.includes(token), hidden(r, token));
});

test('a registry that echoes its JWT (learnt during the run): [MASKED]; nothing is deleted', async () => {
  let jwt = '';
  const r = await run({}, (real) => async (input, init) => {
    const url = urlOf(input);
    if (url.pathname.startsWith('/gitlab/v1/')) {
      jwt = (headerOf(input, init, 'authorization') ?? '').replace(/^Bearer /, '');
      return new Response(JSON.stringify({ errors: [{ code: 'DENIED', message: `bad request for Bearer ${jwt}` }] }), { status: 400, headers: { 'content-type': 'application/json' } });
    }
    return real(input, init);
  });
  assert.ok(jwt.length > 10, 'the listing was asked with a JWT');
  assert.is.not(r.exitCode, 0, hidden(r, jwt));
  assert.match(r.log, /Bearer \[MASKED\]/, hidden(r, jwt));
  assert.not.ok(r.shown.includes(jwt), hidden(r, jwt));
  assert.not.ok(r.shown.includes(TOKENS.api));
});

test('a kube API that echoes the kubeconfig token: [MASKED], the run stops before anything is deleted', async () => {
  const kubeToken = testSecret('kube-echoed');
  const server = createServer((req, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 403, message: `${req.headers.authorization ?? ''} may not list this` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const kubeconfig = kubeconfigYaml([{ name: 'prod', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: kubeToken }]);
    const r = await run({ REGSWEEP_KUBECONFIG_VARIABLE: 'KUBE', KUBE: kubeconfig });
    assert.is(r.exitCode, 1, hidden(r, kubeToken));
    assert.match(r.log, /Kubernetes context prod: may not list .*Bearer \[MASKED\] may not list this/, hidden(r, kubeToken));
    assert.not.ok(r.shown.includes(kubeToken), hidden(r, kubeToken));
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('CI_SERVER_URL with user:password@: exit 2 before any request, shown masked', async () => {
  const password = testSecret('url-password');
  let asked = 0;
  const r = await run({ CI_SERVER_URL: `http://bot:${password}@127.0.0.1:9` }, (real) => async (input, init) => (asked += 1, real(input, init)));
  assert.is(r.exitCode, 2, hidden(r, password));
  assert.match(r.log, /credentials in CI_SERVER_URL are not accepted \(http:\/\/\*\*\*@127\.0\.0\.1:9\)/, hidden(r, password));
  assert.not.ok(r.shown.includes(password), hidden(r, password));
  assert.is(asked, 0, 'nothing was asked');
});

test.run();
