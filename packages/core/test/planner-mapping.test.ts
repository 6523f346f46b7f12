/** cleanup-semantics.md §3: which commit an image was built from. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeHistory, idOf } from './support/fake-history.js';
import { GraphBuilder } from '@regsweep/test-kit/image-graph';
import { deletedTags, keptTags, planWith, reasonsOf } from './support/plan.js';

const LAST1 = 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 1 }\n';

function mainLine() {
  const h = new FakeHistory();
  h.line('m', 3, '2026-11-20T00:00:00Z');
  h.branch('main', 'm3');
  return h;
}

test('§3.1 the revision label decides before any tag', async () => {
  const h = mainLine();
  const g = new GraphBuilder();
  // Tagged with m1's SHA, but labelled m3: the label wins, so it is the newest image.
  g.image({ name: 'a', tags: [`sha-${idOf('m1').slice(0, 7)}`], revision: idOf('m3') });
  g.image({ name: 'b', tags: ['b'], revision: idOf('m2') });
  const plan = await planWith({ yaml: LAST1, graph: g.build(), history: h });
  assert.equal(keptTags(plan), [`sha-${idOf('m1').slice(0, 7)}`]);
});

test('§3.1 an index maps through its children\'s labels when it has no annotation', async () => {
  const h = mainLine();
  const g = new GraphBuilder();
  const amd = g.image({ name: 'amd', revision: idOf('m3'), unlisted: true });
  const arm = g.image({ name: 'arm', revision: idOf('m3'), unlisted: true });
  g.index({ name: 'multi', tags: ['multi'], children: [amd, arm] });
  g.image({ name: 'older', tags: ['older'], revision: idOf('m2') });
  const plan = await planWith({ yaml: LAST1, graph: g.build(), history: h });
  assert.equal(keptTags(plan), ['multi']);
  assert.equal(deletedTags(plan), ['older']);
});

test('§3.2 full SHA, sha-<full>, sha-<prefix> tags map; a bare prefix only when history holds it', async () => {
  const h = mainLine();
  const g = new GraphBuilder();
  g.image({ name: 'full', tags: [idOf('m3')] });
  g.image({ name: 'sha-full', tags: [`sha-${idOf('m2')}`] });
  g.image({ name: 'bare', tags: [idOf('m1').slice(0, 8)] });
  g.image({ name: 'bare-unknown', tags: ['abcdef12'] });
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 10 }\n', graph: g.build(), history: h });
  // All three SHA forms are reached from main; `abcdef12` is an ordinary name, so unmapped and kept as such.
  assert.equal(plan.kept.length, 4);
  const unknown = plan.kept.find((k) => k.tags.includes('abcdef12'));
  assert.equal(unknown?.reasons.map((r) => r.reason), ['unmapped']);
  for (const k of plan.kept.filter((k) => !k.tags.includes('abcdef12'))) assert.equal(k.reasons.map((r) => r.reason), ['git-history']);
});

test('§3.2 a sha- prefix the history does not hold maps to a gone commit: not kept by git, not unmapped', async () => {
  const h = mainLine();
  const g = new GraphBuilder();
  g.image({ name: 'gone', tags: ['sha-0000000'] });
  const plan = await planWith({ yaml: LAST1, graph: g.build(), history: h });
  assert.equal(deletedTags(plan), ['sha-0000000']);
});

test('§3.3 a tag equal to a branch name or its slug maps to the branch tip; a git tag name to its commit', async () => {
  const h = new FakeHistory();
  h.line('m', 2, '2026-11-20T00:00:00Z');
  h.commit('feat', '2026-11-19T00:00:00Z', ['m1']);
  h.branch('main', 'm2').branch('Feature/Login', 'feat').tag('v1.0.0', 'm1');
  const g = new GraphBuilder();
  g.image({ name: 'main-img', tags: ['main'] });
  g.image({ name: 'feat-img', tags: ['feature-login'] });
  g.image({ name: 'tag-img', tags: ['v1.0.0'] });
  g.image({ name: 'deleted-branch', tags: ['feature-old'], created: '2026-10-01T00:00:00Z' });
  const yaml = 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  unmapped: { keepFor: 1h }\n  keepPolicies:\n    - references: { branch: /.*/ }\n    - references: { tag: /.*/ }\n';
  const plan = await planWith({ yaml, graph: g.build(), history: h });
  assert.equal(keptTags(plan), ['feature-login', 'main', 'v1.0.0']);
  // `feature-old` names no reference any more: unmapped, and older than unmapped.keepFor.
  assert.equal(deletedTags(plan), ['feature-old']);
});

test('§5 unmapped images are kept by default and deletable after unmapped.keepFor', async () => {
  const h = mainLine();
  const g = new GraphBuilder();
  const d = g.image({ name: 'third-party', tags: ['redis-7'], created: '2026-01-01T00:00:00Z' });
  const byDefault = await planWith({ yaml: LAST1, graph: g.build(), history: h });
  assert.equal(reasonsOf(byDefault, d), ['unmapped']);
  const limited = await planWith({ yaml: LAST1.replace('keepPolicies', 'unmapped: { keepFor: 720h }\n  keepPolicies'), graph: g.build(), history: h });
  assert.equal(deletedTags(limited), ['redis-7']);
  assert.match(limited.delete[0]?.why ?? '', /unmapped/);
});

test('§3.2 configurable tag templates map tags of other shapes', async () => {
  const h = mainLine();
  const g = new GraphBuilder();
  g.image({ name: 'custom', tags: [`build-${idOf('m3').slice(0, 10)}-x`] });
  g.image({ name: 'older', tags: [`build-${idOf('m2').slice(0, 10)}-x`] });
  const yaml = LAST1.replace('keepPolicies', 'imageCommits:\n    tagPatterns: ["/build-(?<sha>[0-9a-f]{7,40})-x/"]\n  keepPolicies');
  const plan = await planWith({ yaml, graph: g.build(), history: h });
  assert.equal(keptTags(plan), [`build-${idOf('m3').slice(0, 10)}-x`]);
  assert.equal(deletedTags(plan), [`build-${idOf('m2').slice(0, 10)}-x`]);
});

test.run();
