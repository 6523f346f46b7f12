/**
 * Reads by need (docs/cleanup-semantics.md §3.4), end to end: the committed bundle's first run on a
 * package of 225 versions — 10 tagged images, 5 tagged multi-arch indexes with 2 untagged children
 * each, 200 untagged leftovers — reads the 15 tagged manifests, the 10 children (the indexes carry no
 * revision annotation of their own) and the 20 configs whose revision label maps an image to a commit,
 * and nothing of the leftovers: their push time decides them. ghcr.io answers a blob GET with a redirect
 * to its blob store (the fake does too), so a config read is two requests.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeKube, kubeconfigYaml } from '@regsweep/test-kit/fake-kube';
import { testSecret } from '@regsweep/test-kit/secrets';
import { inputsFor, report, scenario, sha } from './support/e2e.js';
import { runBundle } from './support/runner.js';
import { World, type VersionSpec } from './support/world.js';

const KUBE_TOKEN = testSecret('kube-reads');

function world225(): World {
  const world = new World();
  world.oci.redirectBlobs = true;
  world.model.line('m', 15, World.daysAgo(1));
  world.model.branch('main', 'm15');
  const versions: VersionSpec[] = [];
  for (let i = 6; i <= 15; i++) versions.push({ digest: world.image(`m${i}`, 16 - i), tags: [sha(`m${i}`)] });
  for (let i = 1; i <= 5; i++) {
    const { index, children } = world.multiArch(`m${i}`, 16 - i);
    versions.push({ digest: index, tags: [sha(`m${i}`)] }, ...children.map((digest) => ({ digest })));
  }
  // Rebuilds whose tags moved on: untagged, three weeks old; each its own config (build time).
  for (let i = 0; i < 200; i++) versions.push({ digest: world.image(`m${1 + (i % 15)}`, 21 + i / 1000) });
  world.publish(versions);
  return world;
}

test('first run on 225 versions: 25 manifest GETs, 20 config GETs, one token, under 70 registry requests', async () => {
  const world = world225();
  await scenario(world, async (dirs) => {
    const run = await runBundle(dirs, world.url, inputsFor(world, { 'dry-run': 'true', cache: 'false' }));
    assert.is(run.code, 0, run.stdout + run.stderr);
    const r = await report(run);
    assert.is(r.deleted.filter((d) => d.tags.length === 0 && d.decision.cause === 'untagged').length, 200, 'the leftovers would go, by push time');
    assert.equal({ ...world.oci.reads }, { manifests: 25, blobs: 20, blobStore: 20 });
    assert.is(world.oci.tokenRequests, 1);
    const registryRequests = world.requests.filter((q) => /^\/(v2\/|token|blobstore\/)/.test(q.url));
    assert.ok(registryRequests.length <= 70, `${registryRequests.length} registry requests`);
    assert.is(r.repositories[0]?.stats.manifestReads, 25);
    assert.is(r.repositories[0]?.stats.configReads, 20);
  });
});

test('leftovers a workload pins by digest, or younger than untagged.keepFor, are read: an index among them is kept whole', async () => {
  const world = world225();
  const pinned = world.multiArch('m3', 30);
  const young = world.image('m4', 2);
  const versions: VersionSpec[] = world.packages.versions('acme', 'app').map((v) => ({ digest: v.name, tags: v.tags }));
  versions.push({ digest: pinned.index, days: 30 }, ...pinned.children.map((digest) => ({ digest, days: 30 })), { digest: young, days: 2 });
  world.publish(versions);
  const kube = new FakeKube({ token: KUBE_TOKEN });
  await scenario(world, async (dirs) => {
    await kube.start();
    try {
      kube.workload('deployments', 'web', 'pinned', { containers: [`${new URL(world.url).host}/acme/app@${pinned.index}`] });
      await writeFile(join(dirs.workspace, '.regsweep.yml'), 'cleanup:\n  untagged:\n    keepFor: 168h\n');
      const kubeconfig = kubeconfigYaml([{ name: 'prod', server: kube.url, token: KUBE_TOKEN }]);
      const run = await runBundle(dirs, world.url, inputsFor(world, { 'dry-run': 'true', cache: 'false', kubeconfig }));
      assert.is(run.code, 0, run.stdout + run.stderr);
      const r = await report(run);
      const reasons = (d: string): string[] | undefined => r.kept.find((k) => k.digest === d)?.reasons;
      assert.equal(reasons(pinned.index), ['in-use']);
      for (const c of pinned.children) assert.equal(reasons(c), ['closure'], 'the pinned index keeps its children');
      assert.equal(reasons(young), ['untagged-grace']);
      assert.is(world.oci.downloads.get(pinned.index), 1, 'the pinned index was read');
      assert.is(world.oci.downloads.get(young), 1, 'the young leftover was read');
      assert.is(world.oci.reads.manifests, 25 + 2 + 2, 'and the pinned index\'s children; no old leftover');
    } finally {
      await kube.close();
    }
  });
});

test.run();
