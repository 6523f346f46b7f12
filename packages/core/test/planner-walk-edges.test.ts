/**
 * Edges of the history walk and the misses that its fast paths must not change (cleanup-semantics.md
 * §3-§4): a walk that grows its per-commit arrays while commits are pending, more references than one
 * word of bits, a history that answers an id in another case, a left-out reference named only by a tag,
 * and hex tags in upper case.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CommitInfo, GitHistory } from '../src/ports.js';
import { FakeHistory, idOf } from './support/fake-history.js';
import { GraphBuilder } from '@regsweep/test-kit/image-graph';
import { deletedTags, keptTags, planWith } from './support/plan.js';

test('§4.5 40 branches walking 320 commits without images side by side keep the two newest groups under them', async () => {
  const h = new FakeHistory();
  h.line('m', 5, '2026-11-01T00:00:00Z');
  // 40 branches (two words of reference bits), each on its own line of 8 commits off m5, dated alike: the
  // walk holds 40 commits pending at a time while its per-commit arrays grow past 64, 128 and 256 slots.
  for (let b = 0; b < 40; b++) {
    let parent = 'm5';
    for (let i = 1; i <= 8; i++) {
      const name = `b${b}-${i}`;
      h.commit(name, `2026-11-1${i}T${String(b % 24).padStart(2, '0')}:00:00Z`, [parent]);
      parent = name;
    }
    h.branch(`b${b}`, parent);
  }
  const g = new GraphBuilder();
  for (let i = 1; i <= 5; i++) g.image({ name: `m${i}`, tags: [`m${i}`], revision: idOf(`m${i}`) });
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: /.*/ }\n      imagesPerReference: { last: 2 }\n', graph: g.build(), history: h });
  assert.equal(keptTags(plan), ['m4', 'm5']);
  assert.equal(deletedTags(plan), ['m1', 'm2', 'm3']);
  const m5 = plan.kept.find((k) => k.tags.includes('m5'));
  assert.is(m5?.reasons.length, 5, 'a reason per branch, five shown');
  assert.ok(m5?.reasons.every((r) => r.group?.rank === 1));
  assert.is(plan.stats.commitsRead, 322, 'the 320 branch commits, m5 and m4, where every branch has its two groups');
});

test('§4.4 a history that answers an id asked in another case: the commit\'s images are those of the id it answers', async () => {
  const h = new FakeHistory();
  h.line('m', 2, '2026-11-20T00:00:00Z');
  // References name the tip in upper case; the history finds ids in any case and answers its own.
  const history: GitHistory = {
    refs: async () => [{ kind: 'branch', name: 'main', commit: idOf('m2').toUpperCase(), date: new Date('2026-11-20T00:00:00Z') }],
    commits: async (ids) => {
      const out = new Map<string, CommitInfo>();
      for (const id of ids) {
        const c = h.commitsById.get(id.toLowerCase());
        if (c) out.set(id, c);
      }
      return out;
    },
    resolvePrefixes: async () => new Map(),
  };
  const g = new GraphBuilder();
  g.image({ name: 'tip', tags: ['tip'], revision: idOf('m2') });
  g.image({ name: 'older', tags: ['older'], revision: idOf('m1') });
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 1 }\n', graph: g.build(), history });
  assert.equal(keptTags(plan), ['tip']);
  assert.equal(deletedTags(plan), ['older']);
});

test('§4.3 a branch left out by references.limit is the miss of an image only its name tags', async () => {
  const h = new FakeHistory();
  h.line('m', 3, '2026-11-20T00:00:00Z');
  h.branch('main', 'm3');
  h.commit('f0', '2026-11-01T00:00:00Z', ['m1']);
  h.commit('f1', '2026-11-02T00:00:00Z', ['f0']);
  h.branch('feature', 'f1');
  const g = new GraphBuilder();
  g.image({ name: 'main', tags: ['m3'], revision: idOf('m3') });
  // Built from f0, not the branch's tip: only the tag names the branch.
  g.image({ name: 'old', tags: ['feature'], revision: idOf('f0') });
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: /.*/, limit: { last: 1 } }\n      imagesPerReference: { last: 1 }\n', graph: g.build(), history: h });
  const old = plan.delete.find((d) => d.tags.includes('feature'));
  const miss = old?.decision.misses?.[0];
  assert.is(miss?.outcome, 'reference-not-selected');
  assert.equal(miss?.reference, { kind: 'branch', name: 'feature' });
  assert.match(old?.why ?? '', /branch feature is not selected/);
});

test('§3.2 a hex tag in upper case is a name, not a commit id', async () => {
  const h = new FakeHistory();
  h.line('m', 2, '2026-11-20T00:00:00Z');
  h.branch('main', 'm2');
  const g = new GraphBuilder();
  g.image({ name: 'upper', tags: [idOf('m2').toUpperCase(), `sha-${idOf('m2').slice(0, 7).toUpperCase()}`] });
  g.image({ name: 'lower', tags: [idOf('m1')] });
  const plan = await planWith({ yaml: 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 5 }\n', graph: g.build(), history: h });
  const upper = plan.kept.find((k) => k.tags.includes(idOf('m2').toUpperCase()));
  assert.is(upper?.commits, undefined, 'not mapped');
  assert.equal(upper?.reasons.map((r) => r.reason), ['unmapped']);
  assert.equal(plan.kept.find((k) => k.tags.includes(idOf('m1')))?.commits?.ids, [idOf('m1')]);
});

test.run();
