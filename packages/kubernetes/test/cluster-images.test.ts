/**
 * KubeClusterImages against fake kube API servers (test/support/fake-kube.ts, whose wire format the
 * kubectl test checks): every kind and container list, paging, several contexts, and failing closed
 * on an unreachable context, a 401 and a 403 on one kind. Kubeconfig lookup and kubectl's merge order.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IncompleteInputError, InputError } from '@regsweep/core';
import { findKubeconfig, KubeClusterImages, kubeconfigFileSecrets, kubeconfigSecrets, mergeKubeconfigs, parseKubeconfig } from '../src/index.js';
import { FakeKube, kubeconfigYaml } from '@regsweep/test-kit/fake-kube';
import { testSecret } from '@regsweep/test-kit/secrets';

const APP = 'registry.example.com/acme/app';
const DIGEST = `sha256:${'d'.repeat(64)}`;

const KUBE_TOKEN = testSecret('kube-token');

function cluster(token = KUBE_TOKEN): FakeKube {
  const fake = new FakeKube({ token });
  fake.workload('deployments', 'web', 'frontend', { containers: [`${APP}:feature-gone`, 'nginx:1.27'] });
  fake.workload('pods', 'web', 'pinned', { containers: [`${APP}@${DIGEST}`] });
  fake.workload('pods', 'ops', 'debugged', { containers: ['busybox'], initContainers: [`${APP}:migrate`], ephemeralContainers: [`${APP}:debug`] });
  fake.workload('cronjobs', 'batch', 'nightly', { containers: [`${APP}:nightly`] });
  fake.workload('replicasets', 'web', 'frontend-old', { containers: [`${APP}:previous`] });
  fake.workload('statefulsets', 'db', 'store', { containers: [`${APP}:store`] });
  fake.workload('daemonsets', 'kube-system', 'agent', { containers: [`${APP}:agent`] });
  fake.workload('jobs', 'batch', 'once', { containers: [`${APP}:once`] });
  fake.workload('replicationcontrollers', 'legacy', 'old', { containers: [`${APP}:rc`] });
  return fake;
}

async function scanner(fakes: Array<{ name: string; fake?: FakeKube; server?: string; token?: string }>, o: { contexts?: string[]; namespaces?: string[]; pageSize?: number } = {}) {
  const text = kubeconfigYaml(fakes.map((f) => ({ name: f.name, server: f.server ?? f.fake?.url ?? '', token: f.token ?? KUBE_TOKEN })));
  return new KubeClusterImages({ kubeconfig: parseKubeconfig(text, 'test kubeconfig'), ...o });
}

test('every kind, containers, init and ephemeral containers, a CronJob\'s job template; where each runs', async () => {
  const fake = cluster();
  await fake.start();
  try {
    const scan = await scanner([{ name: 'prod', fake }]);
    const uses = await scan.list();
    const seen = uses.map((u) => `${u.where.kind} ${u.where.namespace}/${u.where.name} ${u.image}`).sort();
    assert.equal(seen, [
      `CronJob batch/nightly ${APP}:nightly`,
      `DaemonSet kube-system/agent ${APP}:agent`,
      `Deployment web/frontend ${APP}:feature-gone`,
      'Deployment web/frontend nginx:1.27',
      `Job batch/once ${APP}:once`,
      'Pod ops/debugged busybox',
      `Pod ops/debugged ${APP}:debug`,
      `Pod ops/debugged ${APP}:migrate`,
      `Pod web/pinned ${APP}@${DIGEST}`,
      `ReplicaSet web/frontend-old ${APP}:previous`,
      `ReplicationController legacy/old ${APP}:rc`,
      `StatefulSet db/store ${APP}:store`,
    ].sort());
    assert.ok(uses.every((u) => u.where.context === 'prod'));
    assert.ok(fake.requests.every((r) => r.auth === `Bearer ${KUBE_TOKEN}`), 'the context\'s token is sent');
  } finally {
    await fake.close();
  }
});

test('a pod\'s running digest (status imageID) counts beside its tag', async () => {
  const fake = new FakeKube();
  fake.add('pods', 'web', 'moved', {
    spec: { containers: [{ name: 'c0', image: `${APP}:main` }] },
    status: { containerStatuses: [{ name: 'c0', image: `${APP}:main`, imageID: `docker-pullable://${APP}@${DIGEST}` }, { name: 'x', imageID: 'sha256:abc' }] },
  });
  await fake.start();
  try {
    const uses = await (await scanner([{ name: 'prod', fake }])).list();
    assert.equal(uses.map((u) => u.image), [`${APP}:main`, `${APP}@${DIGEST}`]);
  } finally {
    await fake.close();
  }
});

test('paging: limit and continue through every page; namespaces narrow the scan', async () => {
  const fake = new FakeKube({ token: KUBE_TOKEN });
  for (let i = 0; i < 25; i++) fake.workload('pods', i < 20 ? 'web' : 'ops', `p${i}`, { containers: [`${APP}:v${i}`] });
  await fake.start();
  try {
    const scan = await scanner([{ name: 'prod', fake }], { pageSize: 10 });
    assert.is((await scan.list()).length, 25);
    assert.equal(fake.requests.filter((r) => r.path === '/api/v1/pods').map((r) => new URLSearchParams(r.query).get('limit')), ['10', '10', '10']);
    assert.is(scan.stats().contexts[0]?.objects, 25);
    fake.expireNextContinue.add('pods');
    const again = await scan.list();
    assert.equal(again.map((u) => u.where.name).sort(), [...Array(25).keys()].map((i) => `p${i}`).sort(), 'an expired continue token restarts the list; nothing counted twice');
    fake.requests.length = 0;
    const ops = await (await scanner([{ name: 'prod', fake }], { namespaces: ['ops'] })).list();
    assert.equal(ops.map((u) => u.where.name), ['p20', 'p21', 'p22', 'p23', 'p24']);
    assert.ok(fake.requests.some((r) => r.path === '/api/v1/namespaces/ops/pods'));
  } finally {
    await fake.close();
  }
});

test('two contexts scanned; one unreachable fails the whole scan naming it', async () => {
  const fake = cluster();
  await fake.start();
  try {
    const both = await scanner([{ name: 'prod', fake }, { name: 'staging', server: 'http://127.0.0.1:9' }]);
    try {
      await both.list();
      assert.unreachable('the scan must fail');
    } catch (err) {
      assert.instance(err, IncompleteInputError);
      assert.match((err as Error).message, /^Kubernetes context staging: cannot reach http:\/\/127\.0\.0\.1:9/);
      assert.match((err as IncompleteInputError).hint ?? '', /--kube-context.*--without-kube/);
    }
    const narrowed = await scanner([{ name: 'prod', fake }, { name: 'staging', server: 'http://127.0.0.1:9' }], { contexts: ['prod'] });
    assert.is((await narrowed.list()).length, 12);
    const wrong = await scanner([{ name: 'prod', fake }], { contexts: ['nope'] });
    assert.throws(() => wrong.contexts(), (e: unknown) => e instanceof InputError && /--kube-context nope: no such context/.test((e as Error).message));
  } finally {
    await fake.close();
  }
});

test('403 on one kind names the kind and the RBAC rule to add; 401 names the credentials', async () => {
  const fake = cluster();
  fake.forbidden.add('cronjobs');
  await fake.start();
  try {
    try {
      await (await scanner([{ name: 'prod', fake }])).list();
      assert.unreachable('the scan must fail');
    } catch (err) {
      assert.instance(err, IncompleteInputError);
      assert.match((err as Error).message, /^Kubernetes context prod: may not list CronJobs \(cronjobs\.batch\) in all namespaces: 403 cronjobs\.batch is forbidden/);
      assert.match((err as IncompleteInputError).hint ?? '', /apiGroups: \["batch"\], resources: \["cronjobs"\], verbs: \["list"\].*examples\/kubernetes\/regsweep-reader\.yaml/);
    }
    try {
      await (await scanner([{ name: 'prod', fake, token: 'wrong' }])).list();
      assert.unreachable('the scan must fail');
    } catch (err) {
      assert.match((err as Error).message, /^Kubernetes context prod: http:\/\/127\.0\.0\.1:\d+ refused the credentials \(401\)/);
    }
  } finally {
    await fake.close();
  }
});

test('kubeconfig: kubectl\'s merge (the first file wins), KUBECONFIG lists, explicit files must exist, the in-cluster service account', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'regsweep-kubeconfig-'));
  try {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await writeFile(a, kubeconfigYaml([{ name: 'prod', server: 'http://127.0.0.1:1' }]));
    await writeFile(b, kubeconfigYaml([{ name: 'prod', server: 'http://127.0.0.1:2' }, { name: 'dev', server: 'http://127.0.0.1:3' }], 'dev'));
    const found = await findKubeconfig({ env: { KUBECONFIG: `${a}:${join(dir, 'missing')}:${b}` }, homedir: dir });
    assert.is(found?.source, `${a}:${b}`);
    assert.equal(found?.config.getContexts().map((c) => c.name), ['prod', 'dev']);
    assert.is(found?.config.getCluster('prod')?.server, 'http://127.0.0.1:1', 'the first file defining prod wins');
    assert.is(found?.config.getCurrentContext(), 'prod', 'the first current-context wins');
    assert.is(mergeKubeconfigs([]).getContexts().length, 0);
    assert.is(await findKubeconfig({ env: {}, homedir: dir }), undefined, 'none at all');
    await mkdir(join(dir, 'home', '.kube'), { recursive: true });
    await writeFile(join(dir, 'home', '.kube', 'config'), kubeconfigYaml([{ name: 'laptop', server: 'http://127.0.0.1:4' }]));
    assert.is((await findKubeconfig({ env: {}, homedir: join(dir, 'home') }))?.config.getCurrentContext(), 'laptop', '~/.kube/config without KUBECONFIG');
    try {
      await findKubeconfig({ files: [join(dir, 'nope')], env: {}, homedir: dir });
      assert.unreachable();
    } catch (err) {
      assert.match((err as Error).message, /--kubeconfig .*nope does not exist/);
    }
    assert.throws(() => parseKubeconfig('{{{', 'bad.yaml'), /bad\.yaml: not a kubeconfig/);
    // In a pod: the service account, when no kubeconfig file exists.
    const sa = join(dir, 'serviceaccount');
    await mkdir(sa);
    const saToken = testSecret('sa-token');
    await writeFile(join(sa, 'token'), `${saToken}\n`);
    const inPod = await findKubeconfig({ env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '6443' }, homedir: join(dir, 'nohome'), serviceAccountDir: sa });
    assert.is(inPod?.source, 'in-cluster service account');
    assert.equal(inPod?.config.getContexts().map((c) => c.name), ['in-cluster']);
    assert.is(inPod?.config.getCurrentCluster()?.server, 'https://10.0.0.1:6443');
    assert.is(inPod?.config.getCurrentCluster()?.caFile, join(sa, 'ca.crt'));
    assert.equal(inPod ? await kubeconfigFileSecrets(inPod.config) : [], [saToken], 'the service account token is learnt for redaction');
    assert.is(await findKubeconfig({ env: {}, homedir: join(dir, 'nohome'), serviceAccountDir: sa }), undefined, 'not in a pod without KUBERNETES_SERVICE_HOST');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a kubeconfig that is not valid YAML: the error says where, without the excerpt that would show its token', () => {
  const token = testSecret('kube-token');
  try {
    parseKubeconfig(`users:\n- name: ci\n  user:\n    token: ${token}\n  bad: [\n`, 'input kubeconfig');
    assert.unreachable('not a kubeconfig');
  } catch (error) {
    assert.instance(error, InputError);
    const message = (error as InputError).message;
    assert.match(message, /^input kubeconfig: not a kubeconfig: .*\(\d+:\d+\)$/);
    assert.not.ok(message.includes(token), 'the token is not in the message');
  }
});

test('kubeconfigSecrets: tokens, passwords, key data and an auth provider\'s tokens; not its file paths', () => {
  const [token, password, access, refresh] = ['token', 'password', 'access', 'refresh'].map((n) => testSecret(`kube-${n}`));
  const config = parseKubeconfig([
    'apiVersion: v1', 'kind: Config',
    'users:',
    `- name: a\n  user:\n    token: ${token}`,
    `- name: b\n  user:\n    username: admin\n    password: ${password}`,
    `- name: c\n  user:\n    auth-provider:\n      name: oidc\n      config:\n        id-token: ${access}\n        refresh-token: ${refresh}\n        idp-certificate-authority: /etc/ca.pem`,
  ].join('\n'), 'kubeconfig');
  assert.equal(kubeconfigSecrets(config).sort(), [token, password, access, refresh].sort());
});

test.run();
