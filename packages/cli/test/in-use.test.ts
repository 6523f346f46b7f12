/**
 * §5 in-use, end to end: `regsweep cleanup` (in-process `main`) against the real registry, with the
 * clusters of a kubeconfig served by fake kube APIs (packages/kubernetes/test/support/fake-kube.ts,
 * checked by kubectl). A Deployment running an image of the deleted branch keeps it, a Pod pinned by
 * digest keeps that digest, and the report says where each runs; an unreachable context, or one that
 * may not list a kind, stops the run before any deletion (exit 1) unless it is left out
 * (--kube-context) or --without-kube is given.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main, type Io } from '../src/index.js';
import { FakeKube, kubeconfigYaml } from '@regsweep/test-kit/fake-kube';
import { Pusher } from '@regsweep/test-kit/push';
import { startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';
import { NOW_TEXT, deletedTags, readReport } from './support/cli.js';
import { registryTags } from './support/registry-checks.js';
import { buildProject, pushWorld, type Project, type PushedWorld } from './support/registry-world.js';
import { recordOutput, testSecret } from '@regsweep/test-kit/secrets';

const NAME = 'acme/app';
const PROD_TOKEN = testSecret('prod-token');
const STAGING_TOKEN = testSecret('staging-token');
let server: RegistryServer;
let kube: FakeKube;
let restricted: FakeKube;
let root: string;
let project: Project;
let world: PushedWorld;
let kubeconfig: string;
let runs = 0;

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'regsweep-cli-in-use-'));
  project = buildProject(root);
  server = await startRegistry();
  world = await pushWorld(new Pusher(server.url, NAME), project);
  kube = new FakeKube({ token: PROD_TOKEN });
  kube.workload('deployments', 'web', 'old-feature', { containers: [`${server.host}/${NAME}:feature-old`] });
  kube.workload('pods', 'ops', 'pinned', { containers: ['busybox:1'], initContainers: [`${server.host}/${NAME}@${world.digests.m0}`] });
  await kube.start();
  restricted = new FakeKube();
  restricted.forbidden.add('cronjobs');
  await restricted.start();
  kubeconfig = join(root, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigYaml([
    { name: 'prod', server: kube.url, token: PROD_TOKEN },
    { name: 'staging', server: 'http://127.0.0.1:9', token: STAGING_TOKEN },
    { name: 'restricted', server: restricted.url },
  ]));
});
test.after(async () => {
  await server?.stop();
  await kube?.close();
  await restricted?.close();
  await rm(root, { recursive: true, force: true });
});

async function cleanup(args: string[]) {
  runs += 1;
  let stdout = '';
  let stderr = '';
  const report = join(root, `report-${runs}.json`);
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: root, env: { HOME: root, KUBECONFIG: kubeconfig } };
  const code = await main(['cleanup', '--registry', `${server.host}/${NAME}`, '--git', project.gitDir, '--now', NOW_TEXT, '--plain-http',
    '--cache-dir', join(root, `cache-${runs}`), '--report', report, ...args], io);
  recordOutput('main-stdout', stdout);
  recordOutput('main-stderr', stderr);
  return { code, stdout, stderr, report: readReport(report), text: `exit ${code}\n${stdout}\n${stderr}` };
}

test('an unreachable context stops the run before anything is deleted (exit 1), naming it', async () => {
  const r = await cleanup([]);
  assert.is(r.code, 1, r.text);
  assert.match(r.stderr, /Kubernetes context staging: cannot reach http:\/\/127\.0\.0\.1:9/);
  assert.match(r.stderr, /--kube-context/);
  assert.equal(r.report.deleted, []);
  assert.equal(await registryTags(server.url, NAME), world.allTags, 'nothing deleted');
  assert.not.ok(r.text.includes(PROD_TOKEN) || r.text.includes(STAGING_TOKEN), 'no kubeconfig token is printed');
});

test('403 on one kind: exit 1 naming the context, the kind and the RBAC rule to add; nothing deleted', async () => {
  const r = await cleanup(['--kube-context', 'restricted', '--kube-context', 'prod']);
  assert.is(r.code, 1, r.text);
  assert.match(r.stderr, /Kubernetes context restricted: may not list CronJobs \(cronjobs\.batch\) in all namespaces: 403/);
  assert.match(r.stderr, /fix: grant the rule \{apiGroups: \["batch"\], resources: \["cronjobs"\], verbs: \["list"\]\}/);
  assert.equal(await registryTags(server.url, NAME), world.allTags, 'nothing deleted');
});

test('--kube-namespace ops: only what runs there is kept (dry run)', async () => {
  const r = await cleanup(['--kube-context', 'prod', '--kube-namespace', 'ops', '--dry-run']);
  assert.is(r.code, 0, r.text);
  assert.ok(r.report.kept.find((k) => k.digest === world.digests.m0)?.reasons.includes('in-use'), 'the pod in ops keeps m0');
  assert.ok(deletedTags(r.report).includes('feature-old'), 'the Deployment in web was not read');
  assert.ok(kube.requests.some((q) => q.path === '/apis/apps/v1/namespaces/ops/deployments'));
});

test('--without-kube: in-use protection off, the deleted branch\'s image would go (dry run)', async () => {
  const r = await cleanup(['--without-kube', '--dry-run']);
  assert.is(r.code, 0, r.text);
  assert.ok(deletedTags(r.report).includes('feature-old'));
  assert.equal(r.report.deleted.map((d) => d.digest).filter((d) => d === world.digests.m0), [world.digests.m0]);
});

test('explain: in use names the rule (kubernetes) and where the image runs, in the JSON and the words', async () => {
  let stdout = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: () => undefined, cwd: root, env: { HOME: root, KUBECONFIG: kubeconfig } };
  const args = ['explain', '--registry', `${server.host}/${NAME}`, '--git', project.gitDir, '--now', NOW_TEXT, '--plain-http', '--no-cache', '--kube-context', 'prod', '--tag', 'feature-old'];
  assert.is(await main([...args, '--json'], io), 0, stdout);
  const [e] = (JSON.parse(stdout) as { explanations: Array<{ status: string; reasons?: Array<{ reason: string; rule: string; where?: unknown }> }> }).explanations;
  assert.is(e?.status, 'kept');
  assert.equal(e?.reasons?.map((r) => ({ reason: r.reason, rule: r.rule, where: r.where })), [
    { reason: 'in-use', rule: 'kubernetes', where: { context: 'prod', namespace: 'web', kind: 'Deployment', name: 'old-feature' } },
  ]);
  stdout = '';
  assert.is(await main(args, io), 0, stdout);
  assert.match(stdout, new RegExp(`KEPT because:\n {4}- in-use \\(kubernetes\\): Deployment web/old-feature in context prod runs ${server.host}/${NAME}:feature-old`));
  assert.equal(await registryTags(server.url, NAME), world.allTags, 'explain deleted nothing');
});

test('--kube-context prod: what prod runs is kept, with where it runs; the rest is cleaned', async () => {
  const r = await cleanup(['--kube-context', 'prod']);
  assert.is(r.code, 0, r.text);
  const old = r.report.kept.find((k) => k.digest === world.digests.old);
  assert.ok(old?.reasons.includes('in-use'), JSON.stringify(old));
  assert.equal(old?.details.find((d) => d.reason === 'in-use')?.where, { context: 'prod', namespace: 'web', kind: 'Deployment', name: 'old-feature' });
  const m0 = r.report.kept.find((k) => k.digest === world.digests.m0);
  assert.ok(m0?.reasons.includes('in-use'), 'a pod pinned by digest (in an init container) keeps that digest');
  assert.equal(m0?.details.find((d) => d.reason === 'in-use')?.where, { context: 'prod', namespace: 'ops', kind: 'Pod', name: 'pinned' });
  const left = await registryTags(server.url, NAME);
  assert.ok(left.includes('feature-old'));
  assert.not.ok(deletedTags(r.report).includes('feature-old'));
  assert.ok(r.report.deleted.length > 0, 'the images nobody runs or keeps are deleted');
  assert.match(r.stderr, /reading what 1 Kubernetes context\(s\) run \(prod;/);
  assert.match(r.stdout, /in-use 2/);
  assert.match(r.stdout, /In use 2 \(kept while a workload runs them\):\n {2}- [0-9a-f]{12} .*— (Deployment web\/old-feature|Pod ops\/pinned) in prod/);
  assert.match(r.stdout, /feature-old.* — Deployment web\/old-feature in prod/);
});

test.run();
