/**
 * cleanup-semantics.md §4.7: the words and data of decisions in the cases the CLI world does not
 * reach — git tag policies, `Or` limits, references left out by `references.limit` rank, a policy
 * with no reference, commit dates out of order, and a tag that reads as a version, not a branch.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder } from '@regsweep/test-kit/image-graph';
import type { DeletionItem, Plan } from '../src/plan/types.js';
import { FakeHistory, idOf } from './support/fake-history.js';
import { planWith } from './support/plan.js';

const policy = (body: string): string => `cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n${body}`;
const gone = (p: Plan, tag: string): DeletionItem => {
  const d = p.delete.find((x) => x.tags.includes(tag));
  if (!d) throw new Error(`${tag} is not deleted: ${JSON.stringify(p.kept.map((k) => k.tags))}`);
  return d;
};

function world(): { h: FakeHistory; g: GraphBuilder } {
  const h = new FakeHistory();
  const line = h.line('m', 6, '2026-11-20T00:00:00Z'); // m1 = Nov 15 … m6 = Nov 20
  h.branch('main', 'm6');
  const g = new GraphBuilder();
  for (const n of line) g.image({ name: n, tags: [n], revision: idOf(n) });
  return { h, g };
}

test('a git tag policy: the tag met its own commit outside in (cleanup and explain alike), rank 1', async () => {
  const { h, g } = world();
  h.tag('v1', 'm1');
  const yaml = policy('    - references: { tag: /.*/ }\n      imagesPerReference: { in: 24h }\n');
  for (const explain of [undefined, ['m1']]) {
    const p = await planWith({ yaml, graph: g.build(), history: h, extra: explain ? { explain } : {} });
    const [m] = gone(p, 'm1').decision.misses ?? [];
    assert.equal({ outcome: m?.outcome, rank: m?.rank, ref: m?.reference?.name }, { outcome: 'outside-in', rank: 1, ref: 'v1' }, JSON.stringify(m));
    assert.match(m?.detail ?? '', /^1st image group of tag v1: commit [0-9a-f]{7} is 6 days old, outside in: 24h; cleanup\.keepPolicies\[0\] \(line 4\) keeps every image group within 24h$/);
  }
});

test('Or without last keeps every image group, and the words say so', async () => {
  const { h, g } = world();
  const p = await planWith({ yaml: policy('    - references: { branch: main }\n      imagesPerReference: { in: 24h, operator: Or }\n'), graph: g.build(), history: h });
  assert.is(p.delete.length, 0);
  const old = p.kept.find((k) => k.tags.includes('m1'))?.reasons[0];
  assert.match(old?.detail ?? '', /^6th image group of branch main; cleanup\.keepPolicies\[0\] \(line 4\) keeps every image group \(commit /);
});

test('Or with last: beyond last but within in is kept "within in"; beyond both is a miss that names both', async () => {
  const { h, g } = world();
  const yaml = policy('    - references: { branch: main }\n      imagesPerReference: { last: 2, in: 72h, operator: Or }\n');
  const p = await planWith({ yaml, graph: g.build(), history: h, now: new Date('2026-11-20T12:00:00Z'), extra: { explain: ['m2'] } });
  const m4 = p.kept.find((k) => k.tags.includes('m4'))?.reasons[0];
  assert.match(m4?.detail ?? '', /^3rd image group of branch main; within in: 72h \(cleanup\.keepPolicies\[0\] \(line 4\): last: 2 or in: 72h\)/);
  const [m] = gone(p, 'm2').decision.misses ?? [];
  assert.equal({ outcome: m?.outcome, rank: m?.rank }, { outcome: 'outside-in', rank: 5 });
  assert.match(m?.detail ?? '', /outside in: 72h; cleanup\.keepPolicies\[0\] \(line 4\) keeps 2 or any within 72h$/);
});

test('references.limit by rank: the 3rd newest matching branch, beyond last: 2, is named with its rank', async () => {
  const { h, g } = world();
  h.commit('x1', '2026-11-01T00:00:00Z', ['m1']);
  h.branch('x', 'x1').branch('y', 'm5').branch('z', 'm4');
  g.image({ name: 'x1', tags: ['x1'], revision: idOf('x1') });
  const p = await planWith({ yaml: policy('    - references: { branch: /.*/, limit: { last: 2 } }\n'), graph: g.build(), history: h });
  const [m] = gone(p, 'x1').decision.misses ?? [];
  assert.equal({ outcome: m?.outcome, ref: m?.reference?.name, referenceRank: m?.referenceRank, last: m?.limit?.last }, { outcome: 'reference-not-selected', ref: 'x', referenceRank: 4, last: 2 });
  assert.match(m?.detail ?? '', /^branch x is not selected: the 4th newest matching branch, beyond last: 2 \(references\.limit of cleanup\.keepPolicies\[0\] \(line 4\): last: 2\)$/);
});

test('a policy no reference matches: no-reference, in words', async () => {
  const { h, g } = world();
  const p = await planWith({ yaml: policy('    - references: { branch: main }\n      imagesPerReference: { last: 1 }\n    - references: { branch: /release-.*/ }\n'), graph: g.build(), history: h });
  const misses = gone(p, 'm1').decision.misses ?? [];
  assert.equal(misses.map((m) => m.outcome), ['walk-stopped', 'no-reference']);
  assert.is(misses[1]?.detail, 'cleanup.keepPolicies[1] (line 6): no branch matches /release-.*/');
  assert.equal(misses[0]?.stopped?.map((s) => [s.reference.name, s.groups, s.stoppedBy]), [['main', 1, 'last']]);
});

test('commit dates out of order: a group met inside in after the walk stopped outside it is outside-in, and says why', async () => {
  const h = new FakeHistory();
  h.commit('a', '2026-11-18T00:00:00Z');
  h.commit('b', '2026-10-01T00:00:00Z', ['a']); // committed "before" its parent
  h.commit('c', '2026-11-19T00:00:00Z', ['b']);
  h.branch('main', 'c');
  const g = new GraphBuilder();
  for (const n of ['a', 'b', 'c']) g.image({ name: n, tags: [n], revision: idOf(n) });
  const p = await planWith({ yaml: policy('    - references: { branch: main }\n      imagesPerReference: { last: 5, in: 168h }\n'), graph: g.build(), history: h, extra: { explain: ['a'] } });
  const [m] = gone(p, 'a').decision.misses ?? [];
  assert.equal({ outcome: m?.outcome, rank: m?.rank }, { outcome: 'outside-in', rank: 3 });
  assert.match(m?.detail ?? '', /branch main had already stopped at an older commit outside in: 168h \(commit dates out of order\)$/);
});

test('the branch\'s fate: a branch-like tag with no branch left is named; a version tag is not', async () => {
  const { h, g } = world();
  h.commit('o1', '2026-11-01T00:00:00Z', ['m1']);
  g.image({ name: 'o1', tags: ['feature-a', '1.2.3'], revision: idOf('o1') });
  const p = await planWith({ yaml: policy('    - references: { branch: /.*/ }\n'), graph: g.build(), history: h });
  const d = gone(p, 'feature-a');
  assert.equal(d.decision.goneBranches, ['feature-a']);
  assert.match(d.why, /^commit [0-9a-f]{7} \(revision label\): branch feature-a no longer exists; /);
});

test.run();
