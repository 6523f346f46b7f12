/**
 * The fake kube API speaks the real wire format: the real `kubectl` (Debian's kubernetes-client, or
 * any kubectl on PATH) lists what the fake holds, with paging (`--chunk-size`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeKube, kubeconfigYaml } from '@regsweep/test-kit/fake-kube';

const run = promisify(execFile);

async function withKubectl(fake: FakeKube, body: (kubectl: (...args: string[]) => Promise<string>) => Promise<void>): Promise<void> {
  await fake.start();
  const dir = await mkdtemp(join(tmpdir(), 'regsweep-kubectl-'));
  try {
    const config = join(dir, 'config');
    await writeFile(config, kubeconfigYaml([{ name: 'fake', server: fake.url }]));
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: config };
    await body(async (...args) => (await run('kubectl', args, { env, timeout: 30_000 })).stdout);
  } finally {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('kubectl get pods -A and get deploy -A list what the fake holds, page by page', () => {
  const fake = new FakeKube();
  for (let i = 0; i < 7; i++) fake.workload('pods', i % 2 ? 'web' : 'jobs', `pod-${i}`, { containers: [`registry.example.com/acme/app:v${i}`] });
  fake.workload('deployments', 'web', 'frontend', { containers: ['registry.example.com/acme/app:main'] });
  fake.workload('deployments', 'api', 'backend', { containers: ['registry.example.com/acme/api@sha256:' + 'a'.repeat(64)] });
  return withKubectl(fake, async (kubectl) => {
    const pods = await kubectl('get', 'pods', '-A', '--chunk-size=3', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}={.spec.containers[0].image}{"\\n"}{end}');
    assert.equal(pods.trim().split('\n').sort(), [...Array(7).keys()].map((i) => `${i % 2 ? 'web' : 'jobs'}/pod-${i}=registry.example.com/acme/app:v${i}`).sort());
    assert.ok(fake.requests.filter((r) => r.path === '/api/v1/pods').length >= 3, 'kubectl followed the continue tokens');
    const table = await kubectl('get', 'deploy', '-A');
    assert.match(table, /^NAMESPACE\s+NAME/m);
    assert.match(table, /^web\s+frontend\b/m);
    assert.match(table, /^api\s+backend\b/m);
    const one = await kubectl('get', 'deployments', '-n', 'web', '-o', 'name');
    assert.is(one.trim(), 'deployment.apps/frontend');
  });
});

test('kubectl sees the fake\'s RBAC refusal as the API server words it', () => {
  const fake = new FakeKube();
  fake.forbidden.add('cronjobs');
  return withKubectl(fake, async (kubectl) => {
    try {
      await kubectl('get', 'cronjobs', '-A');
      assert.unreachable('kubectl should fail');
    } catch (err) {
      assert.match(String((err as { stderr?: string }).stderr), /cronjobs\.batch is forbidden: User ".*" cannot list resource "cronjobs" in API group "batch" at the cluster scope/);
    }
  });
});

test.run();
