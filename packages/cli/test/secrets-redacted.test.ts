/**
 * The CLI's one redaction (issue 12, item 3): servers that echo the credentials they were sent (a
 * registry answering 403 with the Basic password or the Bearer token in its message, a kube API with
 * the kubeconfig's token in its Status) cannot make the CLI print them. Every source of a secret:
 * --password-stdin, REGSWEEP_REGISTRY_PASSWORD, the Docker config's auths, a credential helper, a
 * registry's token service, a kubeconfig. Stdout, stderr and the JSON report are checked.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main, type Io } from '../src/main.js';
import { buildDemoWorld } from '../src/demo-fixture.js';
import { BIN, NOW, NOW_TEXT, readReport, removeTemps, tempDir } from './support/cli.js';
import { kubeconfigYaml } from '@regsweep/test-kit/fake-kube';
import { runNodeScript } from '@regsweep/test-kit/node-process';
import { recordOutput, testSecret } from '@regsweep/test-kit/secrets';

test.after(removeTemps);

interface Echo {
  host: string;
  url: string;
  close(): Promise<void>;
}

/** Answers every authenticated request 403 (or 500) with the credentials it got in the message. */
async function echoingServer(handle: (req: IncomingMessage, res: ServerResponse, self: Echo) => void): Promise<Echo> {
  const self: Echo = { host: '', url: '', close: async () => undefined };
  const server = createServer((req, res) => handle(req, res, self));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(self, { host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) });
  return self;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** A registry that asks for Basic auth (or Bearer tokens from its own /token) and then echoes what it got. */
function echoingRegistry(scheme: 'basic' | 'bearer', token = ''): Promise<Echo> {
  return echoingServer((req, res, self) => {
    const auth = req.headers.authorization ?? '';
    if (scheme === 'bearer' && req.url?.startsWith('/token')) return json(res, 200, { token, expires_in: 300 });
    if (auth === '') {
      const challenge = scheme === 'basic' ? 'Basic realm="echo"' : `Bearer realm="${self.url}/token",service="echo"`;
      return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': challenge });
    }
    const got = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : auth;
    json(res, 403, { errors: [{ code: 'DENIED', message: `no rights for ${got}` }] });
  });
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  report: string;
}

async function inProcess(args: string[], io: Partial<Io>, reportDir: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const report = join(reportDir, 'report.json');
  const code = await main([...args, '--now', NOW_TEXT, '--report', report], {
    stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: reportDir, env: { HOME: reportDir }, ...io,
  });
  recordOutput('main-stdout', stdout);
  recordOutput('main-stderr', stderr);
  readReport(report);
  return { code, stdout, stderr, report: readFileSync(report, 'utf8') };
}

function assertRedacted(r: Run, secret: string, shown: RegExp): void {
  const all = `${r.stdout}\n${r.stderr}\n${r.report}`;
  assert.ok(shown.test(r.stderr), `the echoed message is shown, redacted:\n${all.split(secret).join('<secret>')}`);
  assert.ok(shown.test(r.report), 'and in the report');
  assert.not.ok(all.includes(secret), `the secret leaked:\n${all.split(secret).join('<secret>')}`);
}

const registryArgs = (host: string): string[] => ['cleanup', '--registry', `${host}/app`, '--without-kube', '--no-cache'];

test('--password-stdin and REGSWEEP_REGISTRY_PASSWORD echoed back by the registry: redacted on stderr and in the report', async () => {
  const registry = await echoingRegistry('basic');
  try {
    const dir = tempDir();
    const typed = testSecret('stdin-password');
    const viaStdin = await inProcess([...registryArgs(registry.host), '--username', 'u', '--password-stdin'], { readStdin: async () => `${typed}\n` }, dir);
    assert.is(viaStdin.code, 1);
    assertRedacted(viaStdin, typed, /no rights for u:\*\*\*/);

    const fromEnv = testSecret('env-password');
    const viaEnv = await inProcess(registryArgs(registry.host), { env: { HOME: dir, REGSWEEP_REGISTRY_USERNAME: 'u', REGSWEEP_REGISTRY_PASSWORD: fromEnv } }, dir);
    assertRedacted(viaEnv, fromEnv, /no rights for u:\*\*\*/);
  } finally {
    await registry.close();
  }
});

test('the Docker config\'s auths and a Bearer token from the registry\'s token service: redacted', async () => {
  const basic = await echoingRegistry('basic');
  const token = testSecret('bearer-token');
  const bearer = await echoingRegistry('bearer', token);
  try {
    const dir = tempDir();
    const password = testSecret('docker-auths');
    const docker = join(dir, 'docker');
    mkdirSync(docker);
    writeFileSync(join(docker, 'config.json'), JSON.stringify({ auths: { [basic.host]: { auth: Buffer.from(`robot:${password}`).toString('base64') } } }));
    const viaConfig = await inProcess(registryArgs(basic.host), { env: { HOME: dir, DOCKER_CONFIG: docker } }, dir);
    assertRedacted(viaConfig, password, /no rights for robot:\*\*\*/);

    const anonymous = await inProcess(registryArgs(bearer.host), { env: { HOME: dir } }, dir);
    assertRedacted(anonymous, token, /no rights for Bearer \*\*\*/);
  } finally {
    await basic.close();
    await bearer.close();
  }
});

test('a credential helper\'s secret echoed back by the registry (the CLI as a process): redacted', async () => {
  const registry = await echoingRegistry('basic');
  try {
    const dir = tempDir();
    const secret = testSecret('helper-secret');
    const bin = join(dir, 'bin');
    const docker = join(dir, 'docker');
    mkdirSync(bin);
    mkdirSync(docker);
    writeFileSync(join(bin, 'docker-credential-vault'), `#!/bin/sh\nread -r server\nprintf '{"ServerURL":"%s","Username":"robot","Secret":"${secret}"}' "$server"\n`);
    chmodSync(join(bin, 'docker-credential-vault'), 0o755);
    writeFileSync(join(docker, 'config.json'), JSON.stringify({ credHelpers: { [registry.host]: 'vault' } }));
    const report = join(dir, 'report.json');
    const r = await runNodeScript(BIN, {
      cwd: dir, timeoutMs: 60_000,
      env: { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, HOME: dir, DOCKER_CONFIG: docker },
      args: [...registryArgs(registry.host), '--now', NOW_TEXT, '--report', report],
    });
    readReport(report);
    assert.match(r.stderr, /using credentials of robot from .*credHelpers.*vault/);
    assertRedacted({ ...r, report: readFileSync(report, 'utf8') }, secret, /no rights for robot:\*\*\*/);
  } finally {
    await registry.close();
  }
});

test('a kubeconfig token echoed back by the kube API: redacted, the run stops before anything is deleted', async () => {
  const token = testSecret('kube-token');
  const kube = await echoingServer((req, res) => json(res, 403, {
    kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403,
    message: `the identity of ${req.headers.authorization ?? 'nobody'} may not list this`,
  }));
  try {
    const dir = tempDir();
    const world = await buildDemoWorld(dir, NOW);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml([{ name: 'prod', server: kube.url, token }]));
    const r = await inProcess(['cleanup', '--registry', `oci:${world.layoutDir}`, '--git', world.gitDir, '--kubeconfig', kubeconfig], {}, dir);
    assert.is(r.code, 1);
    assertRedacted(r, token, /may not list .*Bearer \*\*\*/);
    assert.equal((JSON.parse(r.report) as { deleted: unknown[] }).deleted, [], 'nothing deleted');
  } finally {
    await kube.close();
  }
});

test.run();
