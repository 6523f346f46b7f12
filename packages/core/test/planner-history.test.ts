/** cleanup-semantics.md §4: the git-history policy. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeHistory, idOf } from './support/fake-history.js';
import { GraphBuilder } from '@regsweep/test-kit/image-graph';
import { deletedTags, keptTags, planWith } from './support/plan.js';

/** One image per commit, tagged `sha-<7 hex>` and labelled with the commit. */
function imagesFor(g: GraphBuilder, names: string[], tagOf = (n: string) => n): void {
  for (const n of names) g.image({ name: n, tags: [tagOf(n)], revision: idOf(n) });
}

test('§4.5 last N keeps the N newest commits with images on a branch', async () => {
  const h = new FakeHistory();
  const line = h.line('m', 6, '2026-11-20T00:00:00Z');
  h.branch('main', 'm6');
  const g = new GraphBuilder();
  imagesFor(g, line);
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 3 }\n', graph: g.build(), history: h });
  assert.equal(keptTags(plan), ['m4', 'm5', 'm6']);
  assert.equal(deletedTags(plan), ['m1', 'm2', 'm3']);
});

test('§4.3 default policy set: main takes one of the ten branch places and gets ten images', async () => {
  const h = new FakeHistory();
  const main = h.line('m', 12, '2026-11-20T00:00:00Z'); // m1 = Nov 9 … m12 = Nov 20
  h.branch('main', 'm12');
  // Eleven feature branches inside 168h (cutoff Nov 13 12:00), two commits each on top of m1.
  for (let i = 1; i <= 11; i++) {
    h.commit(`f${i}a`, `2026-11-14T${String(i).padStart(2, '0')}:00:00Z`, ['m1']);
    h.commit(`f${i}b`, `2026-11-14T${String(i).padStart(2, '0')}:30:00Z`, [`f${i}a`]);
    h.branch(`feature-${i}`, `f${i}b`);
  }
  const g = new GraphBuilder();
  imagesFor(g, main);
  for (let i = 1; i <= 11; i++) imagesFor(g, [`f${i}a`, `f${i}b`]);
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n', graph: g.build(), history: h });
  const kept = keptTags(plan);
  // Policy 3: main keeps its ten newest (m3..m12); m1, m2 are older than any kept group.
  for (let i = 3; i <= 12; i++) assert.ok(kept.includes(`m${i}`), `m${i} kept`);
  assert.not.ok(kept.includes('m2'));
  assert.not.ok(kept.includes('m1'));
  // Policy 2: main is the newest of the ten branches, so only features 3..11 are selected,
  // and each keeps its two images (both inside 168h).
  for (let i = 3; i <= 11; i++) assert.ok(kept.includes(`f${i}a`) && kept.includes(`f${i}b`), `feature-${i} kept`);
  for (const i of [1, 2]) assert.ok(deletedTags(plan).includes(`f${i}a`) && deletedTags(plan).includes(`f${i}b`), `feature-${i} deleted`);
});

test('§4.3 references limit: last 2 selects the two newest branches; in 168h with And excludes old ones', async () => {
  const h = new FakeHistory();
  h.commit('a', '2026-11-19T00:00:00Z');
  h.commit('b', '2026-11-18T00:00:00Z');
  h.commit('c', '2026-11-17T00:00:00Z');
  h.commit('old', '2026-10-01T00:00:00Z');
  h.branch('a', 'a').branch('b', 'b').branch('c', 'c').branch('old', 'old');
  const g = new GraphBuilder();
  imagesFor(g, ['a', 'b', 'c', 'old'], (n) => `img-${n}`);
  const yaml = (limit: string) => `cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: /.*/, limit: ${limit} }\n`;
  assert.equal(keptTags(await planWith({ yaml: yaml('{ last: 2 }'), graph: g.build(), history: h })), ['img-a', 'img-b']);
  assert.equal(keptTags(await planWith({ yaml: yaml('{ in: 168h }'), graph: g.build(), history: h })), ['img-a', 'img-b', 'img-c']);
  assert.equal(keptTags(await planWith({ yaml: yaml('{ last: 1, in: 168h, operator: Or }'), graph: g.build(), history: h })), ['img-a', 'img-b', 'img-c']);
  assert.equal(keptTags(await planWith({ yaml: yaml('{ last: 4, in: 168h, operator: And }'), graph: g.build(), history: h })), ['img-a', 'img-b', 'img-c']);
});

test('§4.3 a reference selected by several policies gets the last policy\'s imagesPerReference', async () => {
  const h = new FakeHistory();
  const line = h.line('m', 5, '2026-11-20T00:00:00Z');
  h.branch('main', 'm5');
  const g = new GraphBuilder();
  imagesFor(g, line);
  const first = 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 4 }\n    - references: { branch: /.*/ }\n      imagesPerReference: { last: 1 }\n';
  assert.equal(keptTags(await planWith({ yaml: first, graph: g.build(), history: h })), ['m5']);
  const swapped = 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: /.*/ }\n      imagesPerReference: { last: 1 }\n    - references: { branch: main }\n      imagesPerReference: { last: 4 }\n';
  assert.equal(keptTags(await planWith({ yaml: swapped, graph: g.build(), history: h })), ['m2', 'm3', 'm4', 'm5']);
});

test('§4.4 the walk follows all parents: a merged branch\'s commits are reached from main', async () => {
  const h = new FakeHistory();
  h.commit('base', '2026-11-01T00:00:00Z');
  h.commit('feat1', '2026-11-02T00:00:00Z', ['base']);
  h.commit('feat2', '2026-11-03T00:00:00Z', ['feat1']);
  h.commit('main1', '2026-11-04T00:00:00Z', ['base']);
  h.commit('merge', '2026-11-05T00:00:00Z', ['main1', 'feat2']);
  h.branch('main', 'merge');
  const g = new GraphBuilder();
  imagesFor(g, ['base', 'feat1', 'feat2', 'main1']);
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 3 }\n', graph: g.build(), history: h });
  // Newest three image commits reachable over both parents: main1 (Nov 4), feat2 (Nov 3), feat1 (Nov 2).
  assert.equal(keptTags(plan), ['feat1', 'feat2', 'main1']);
});

test('§4.4 a tag reference looks at its own commit only', async () => {
  const h = new FakeHistory();
  h.line('c', 3, '2026-11-20T00:00:00Z');
  h.tag('v1', 'c3');
  const g = new GraphBuilder();
  imagesFor(g, ['c1', 'c2', 'c3']);
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { tag: /.*/ }\n      imagesPerReference: { last: 5 }\n', graph: g.build(), history: h });
  assert.equal(keptTags(plan), ['c3']);
});

test('§4.5 several images built on one commit count as one group', async () => {
  const h = new FakeHistory();
  h.line('m', 3, '2026-11-20T00:00:00Z');
  h.branch('main', 'm3');
  const g = new GraphBuilder();
  g.image({ name: 'm3-app', tags: ['app-m3'], revision: idOf('m3') });
  g.image({ name: 'm3-worker', tags: ['worker-m3'], revision: idOf('m3') });
  g.image({ name: 'm2-app', tags: ['app-m2'], revision: idOf('m2') });
  g.image({ name: 'm1-app', tags: ['app-m1'], revision: idOf('m1') });
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 2 }\n', graph: g.build(), history: h });
  assert.equal(keptTags(plan), ['app-m2', 'app-m3', 'worker-m3']);
});

test('§4.5 imagesPerReference in with And: only groups inside the window are candidates', async () => {
  const h = new FakeHistory();
  const line = h.line('m', 10, '2026-11-20T00:00:00Z'); // one a day: m10 = Nov 20, m4 = Nov 14
  h.branch('main', 'm10');
  const g = new GraphBuilder();
  imagesFor(g, line);
  const and = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 5, in: 72h }\n', graph: g.build(), history: h });
  // now = Nov 20 12:00; 72h back = Nov 17 12:00: m8 (Nov 18), m9, m10.
  assert.equal(keptTags(and), ['m10', 'm8', 'm9']);
  const or = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 5, in: 72h, operator: Or }\n', graph: g.build(), history: h });
  assert.equal(keptTags(or), ['m10', 'm6', 'm7', 'm8', 'm9']);
  const orWide = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 1, in: 72h, operator: Or }\n', graph: g.build(), history: h });
  assert.equal(keptTags(orWide), ['m10', 'm8', 'm9']);
});

test('§4.5 last unlimited keeps every reached group; last 0 keeps nothing', async () => {
  const h = new FakeHistory();
  const line = h.line('m', 4, '2026-11-20T00:00:00Z');
  h.branch('main', 'm4');
  const g = new GraphBuilder();
  imagesFor(g, line);
  g.image({ name: 'gone', tags: ['gone'], revision: idOf('never-committed') });
  const all = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: {}\n', graph: g.build(), history: h });
  assert.equal(keptTags(all), ['m1', 'm2', 'm3', 'm4']);
  assert.equal(deletedTags(all), ['gone']);
  const none = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 0 }\n', graph: g.build(), history: h });
  assert.equal(keptTags(none), []);
});

test('§4.5 an image is grouped by its newest reached commit', async () => {
  const h = new FakeHistory();
  h.line('m', 3, '2026-11-20T00:00:00Z');
  h.branch('main', 'm3');
  const g = new GraphBuilder();
  // One digest tagged for m3 and for m1: it belongs to m3's group, so m2 is the second group.
  g.image({ name: 'x', tags: [`sha-${idOf('m3')}`, `sha-${idOf('m1')}`] });
  g.image({ name: 'y', tags: ['y'], revision: idOf('m2') });
  g.image({ name: 'z', tags: ['z'], revision: idOf('m1') });
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 2 }\n', graph: g.build(), history: h });
  assert.equal(keptTags(plan).filter((t) => !t.startsWith('sha-')), ['y']);
  assert.equal(plan.kept.length, 2);
  assert.equal(deletedTags(plan), ['z']);
});

test('§4.6 the images kept are the union over all selected references', async () => {
  const h = new FakeHistory();
  h.commit('root', '2026-11-10T00:00:00Z');
  h.commit('a1', '2026-11-11T00:00:00Z', ['root']);
  h.commit('b1', '2026-11-12T00:00:00Z', ['root']);
  h.branch('a', 'a1').branch('b', 'b1');
  const g = new GraphBuilder();
  imagesFor(g, ['root', 'a1', 'b1']);
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: /.*/ }\n      imagesPerReference: { last: 1 }\n', graph: g.build(), history: h });
  assert.equal(keptTags(plan), ['a1', 'b1']);
});

test('§4.4 history is read lazily: a branch with last 1 reads only as deep as its newest image', async () => {
  const h = new FakeHistory();
  const line = h.line('m', 500, '2026-11-20T00:00:00Z');
  h.branch('main', 'm500');
  const g = new GraphBuilder();
  imagesFor(g, line.slice(-3));
  imagesFor(g, line.slice(0, 3));
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 1 }\n', graph: g.build(), history: h });
  assert.equal(keptTags(plan), ['m500']);
  assert.ok(h.asked.length <= 3, `read ${h.asked.length} commits`);
});

test('§4 shared walk: a commit on many branches is visited once', async () => {
  const h = new FakeHistory();
  const trunk = h.line('t', 200, '2026-11-01T00:00:00Z');
  for (let i = 0; i < 50; i++) {
    h.commit(`br${i}`, `2026-11-10T00:00:${String(i).padStart(2, '0')}Z`, ['t200']);
    h.branch(`b${i}`, `br${i}`);
  }
  const g = new GraphBuilder();
  imagesFor(g, [trunk[0] as string]);
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: /.*/ }\n      imagesPerReference: { last: 1 }\n', graph: g.build(), history: h });
  assert.equal(keptTags(plan), ['t1']);
  assert.equal(new Set(h.asked).size, h.asked.length, 'no commit read twice');
  assert.equal(plan.stats.commitsVisited, 250);
});

test('§6 fail closed: a parent the history cannot give stops the plan', async () => {
  const h = new FakeHistory();
  h.commit('tip', '2026-11-20T00:00:00Z', ['missing-parent']);
  h.commitsById.get(idOf('tip'))!.parents = [idOf('missing-parent')];
  h.branch('main', 'tip');
  const g = new GraphBuilder();
  imagesFor(g, ['elsewhere']);
  try {
    await planWith({ yaml: 'cleanup:\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 1 }\n', graph: g.build(), history: h });
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, Error);
    assert.is((err as Error).name, 'IncompleteInputError');
    assert.match((err as Error).message, /git history/);
  }
});

test.run();
