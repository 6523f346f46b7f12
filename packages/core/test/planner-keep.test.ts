/** cleanup-semantics.md §5: the other reasons to keep, untagged images and closure. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeHistory, idOf } from './support/fake-history.js';
import { digestOf, GraphBuilder } from '@regsweep/test-kit/image-graph';
import { deletedTags, keptTags, planWith, reasonsOf } from './support/plan.js';

const NOTHING = 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies: []\n';

function history() {
  const h = new FakeHistory();
  h.line('m', 2, '2026-11-20T00:00:00Z');
  h.branch('main', 'm2');
  return h;
}

test('§5 recent: built within keepImagesBuiltWithinLastNHours (config created or push time)', async () => {
  const g = new GraphBuilder();
  const built = g.image({ name: 'built', tags: ['sha-' + idOf('x')], created: '2026-11-20T11:00:00Z' });
  const pushed = g.image({ name: 'pushed', tags: ['sha-' + idOf('y')], created: '1970-01-01T00:00:00Z', pushedAt: '2026-11-20T10:30:00Z' });
  g.image({ name: 'old', tags: ['sha-' + idOf('z')], created: '2026-11-19T00:00:00Z' });
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 2\n  keepPolicies: []\n', graph: g.build(), history: history() });
  assert.equal(reasonsOf(plan, built), ['recent']);
  assert.equal(reasonsOf(plan, pushed), ['recent']);
  assert.equal(deletedTags(plan), ['sha-' + idOf('z')]);
  const off = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 2\n  disableBuiltWithinLastNHoursPolicy: true\n  keepPolicies: []\n', graph: g.build(), history: history() });
  assert.equal(off.kept.length, 0);
});

test('§5 keep-list: a tag matching a keep-list glob is kept, with the glob in the detail', async () => {
  const g = new GraphBuilder();
  const d = g.image({ name: 'rel', tags: ['sha-' + idOf('x'), 'release-1.2'] });
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepTags: ["release-*"]\n  keepPolicies: []\n', graph: g.build(), history: history() });
  assert.equal(reasonsOf(plan, d), ['keep-list']);
  assert.match(plan.kept[0]?.reasons[0]?.detail ?? '', /release-\*/);
});

test('§5 in-use: a workload by tag keeps the digest the tag points to; by digest keeps that digest', async () => {
  const g = new GraphBuilder();
  const byTag = g.image({ name: 'by-tag', tags: ['feature-gone'], revision: idOf('gone1') });
  const byDigest = g.image({ name: 'by-digest', tags: ['sha-' + idOf('gone2')] });
  g.image({ name: 'unused', tags: ['sha-' + idOf('gone3')] });
  const where = { context: 'prod', namespace: 'web', kind: 'Deployment', name: 'app' };
  const plan = await planWith({
    yaml: NOTHING, graph: g.build(), history: history(),
    extra: { clusterImages: [
      { image: 'registry.test/acme/app:feature-gone', where },
      { image: `registry.test/acme/app:whatever@${byDigest}`, where: { ...where, kind: 'Pod', name: 'p' } },
      { image: 'other.test/acme/app:sha-' + idOf('gone3'), where },
    ] },
  });
  assert.equal(reasonsOf(plan, byTag), ['in-use']);
  assert.equal(reasonsOf(plan, byDigest), ['in-use']);
  assert.equal(deletedTags(plan), ['sha-' + idOf('gone3')]);
  assert.equal(plan.kept.find((k) => k.digest === byTag)?.reasons[0]?.where, where);
});

test('§5 untagged images: git history does not keep them; in-use, recent or untagged.keepFor do', async () => {
  const g = new GraphBuilder();
  g.image({ name: 'orphan', revision: idOf('m2'), created: '2026-11-01T00:00:00Z' });
  const pinned = g.image({ name: 'pinned', created: '2026-11-01T00:00:00Z' });
  const fresh = g.image({ name: 'fresh', pushedAt: '2026-11-20T11:30:00Z' });
  const yaml = 'cleanup:\n  keepImagesBuiltWithinLastNHours: 2\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 5 }\n';
  const plan = await planWith({ yaml, graph: g.build(), history: history(), extra: { clusterImages: [{ image: `registry.test/acme/app@${pinned}`, where: { context: 'c', namespace: 'n', kind: 'Pod', name: 'p' } }] } });
  assert.equal(plan.delete.map((d) => d.digest), [digestOf('orphan')]);
  assert.match(plan.delete[0]?.why ?? '', /untagged/);
  assert.equal(reasonsOf(plan, pinned), ['in-use']);
  assert.equal(reasonsOf(plan, fresh), ['recent']);
  const grace = await planWith({ yaml: yaml + '  untagged: { keepFor: 720h }\n', graph: g.build(), history: history() });
  assert.equal(grace.delete.length, 0);
});

test('§5 closure: children of a kept index and attachments of a kept image are kept', async () => {
  const g = new GraphBuilder();
  const amd = g.image({ name: 'amd', revision: idOf('m2') });
  const arm = g.image({ name: 'arm', revision: idOf('m2') });
  const idx = g.index({ name: 'idx', tags: ['v-m2'], children: [amd, arm], revision: idOf('m2') });
  const sig = g.signature(idx);
  const sbom = g.referrer(idx, 'sbom-of-idx');
  const childSig = g.signature(amd);
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n', graph: g.build(), history: history() });
  assert.equal(plan.delete, []);
  for (const d of [amd, arm, sig, sbom, childSig]) assert.equal(reasonsOf(plan, d), ['closure'], d);
  assert.equal(reasonsOf(plan, idx), ['git-history']);
});

test('§5 closure: a deleted index takes its untagged children and its attachments along; a gone subject\'s attachment goes', async () => {
  const g = new GraphBuilder();
  const amd = g.image({ name: 'amd', revision: idOf('old') });
  const shared = g.image({ name: 'shared', revision: idOf('old') });
  const oldIdx = g.index({ name: 'old-idx', tags: ['old'], children: [amd, shared], revision: idOf('old') });
  const keptIdx = g.index({ name: 'kept-idx', tags: ['m2'], children: [shared], revision: idOf('m2') });
  const sig = g.signature(oldIdx);
  const orphanSig = g.signature(digestOf('never-pushed'));
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n', graph: g.build(), history: history() });
  assert.equal(plan.delete.map((d) => d.digest).sort(), [amd, oldIdx, sig, orphanSig].sort());
  assert.equal(reasonsOf(plan, shared), ['closure']);
  assert.equal(reasonsOf(plan, keptIdx), ['git-history']);
  const byDigest = new Map(plan.delete.map((d) => [d.digest, d]));
  // §6 order: the index waits for its signature; the child waits for the index.
  assert.equal(byDigest.get(oldIdx)?.after, [sig]);
  assert.equal(byDigest.get(amd)?.after, [oldIdx]);
  assert.match(byDigest.get(orphanSig)?.why ?? '', /not in the repository/);
});

test('§5 on a registry that lists tags only, a signature whose subject is not listed is kept, not orphan-deleted', async () => {
  const g = new GraphBuilder();
  const untaggedSubject = digestOf('pinned-untagged');
  const sig = g.signature(untaggedSubject);
  const yaml = 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies: []\n';
  const oci = await planWith({ yaml, graph: g.build(), history: history(), extra: { registry: { name: 'oci', listsUntagged: false } } });
  assert.equal(reasonsOf(oci, sig), ['closure']);
  const ghcr = await planWith({ yaml, graph: g.build(), history: history(), extra: { registry: { name: 'ghcr', listsUntagged: true } } });
  assert.equal(ghcr.delete.map((d) => d.digest), [sig], 'where untagged digests are listed, a missing subject is really gone');
});

test('§5 every reason that holds is listed', async () => {
  const g = new GraphBuilder();
  const d = g.image({ name: 'all', tags: ['release-1', 'sha-' + idOf('m2')], created: '2026-11-20T11:00:00Z' });
  const plan = await planWith({
    yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 2\n  keepTags: ["release-*"]\n  keepPolicies:\n    - references: { branch: main }\n',
    graph: g.build(), history: history(),
    extra: { clusterImages: [{ image: 'registry.test/acme/app:release-1', where: { context: 'c', namespace: 'n', kind: 'Pod', name: 'p' } }] },
  });
  assert.equal(reasonsOf(plan, d), ['in-use', 'git-history', 'keep-list', 'recent']);
  assert.equal(keptTags(plan), ['release-1', 'sha-' + idOf('m2')]);
});

test('§4 disableGitHistoryBasedPolicy: only the other reasons keep images', async () => {
  const g = new GraphBuilder();
  g.image({ name: 'a', tags: ['sha-' + idOf('m2')] });
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  disableGitHistoryBasedPolicy: true\n', graph: g.build(), history: history() });
  assert.equal(plan.kept.length, 0);
  assert.match(plan.delete[0]?.why ?? '', /disabled/);
});

test.run();
