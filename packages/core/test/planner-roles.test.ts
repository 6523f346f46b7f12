/** werf's storage roles (cleanup-semantics.md §7): a final repository follows the primary; a cache repository ages out. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planCleanup, primaryDecisions } from '../src/plan/planner.js';
import { FakeHistory, idOf } from './support/fake-history.js';
import { GraphBuilder } from '@regsweep/test-kit/image-graph';
import { deletedTags, keptTags, NOW, planWith, policyFrom, reasonsOf } from './support/plan.js';

const POLICY = 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 1 }\n';

function history() {
  const h = new FakeHistory();
  h.line('m', 2, '2026-11-20T00:00:00Z');
  h.branch('main', 'm2');
  return h;
}

test('final repository: kept where the primary keeps the same digest or tag, deleted where the primary deletes', async () => {
  const primary = new GraphBuilder();
  primary.image({ name: 'p-new', tags: ['sha-new'], revision: idOf('m2') });
  primary.image({ name: 'p-old', tags: ['sha-old'], revision: idOf('m1') });
  const primaryPlan = await planWith({ yaml: POLICY, graph: primary.build(), history: history() });
  assert.equal(keptTags(primaryPlan), ['sha-new']);

  const final = new GraphBuilder();
  const sameDigest = final.image({ name: 'p-new', tags: ['release'] }); // same content, other tag
  final.image({ name: 'f-old', tags: ['sha-old'], revision: idOf('m1') });
  const foreign = final.image({ name: 'f-foreign', tags: ['hotfix'], created: '2026-01-01T00:00:00Z' });
  const policy = policyFrom(POLICY);
  const plan = await planCleanup({
    registry: { name: 'final/repo' }, graph: final.build(), policy, keepTags: [], history: history(), clusterImages: [], now: NOW,
    role: { kind: 'final', primary: primaryDecisions(primaryPlan) },
  });
  assert.equal(reasonsOf(plan, sameDigest), ['primary']);
  assert.equal(deletedTags(plan), ['sha-old']);
  assert.match(plan.delete[0]?.why ?? '', /not kept in the primary/);
  // Never seen by the primary: the unmapped rule decides (kept by default).
  assert.equal(reasonsOf(plan, foreign), ['unmapped']);
  assert.is(plan.stats.commitsRead, 0, 'a final repository needs no history walk of its own');
});

test('cache repository: cleaned by age only', async () => {
  const g = new GraphBuilder();
  const fresh = g.image({ name: 'fresh', tags: ['stage-a'], created: '2026-11-19T00:00:00Z' });
  g.image({ name: 'stale', tags: [`sha-${idOf('m2')}`], created: '2026-10-01T00:00:00Z' });
  const unknown = g.image({ name: 'unknown', tags: ['stage-c'] });
  const plan = await planCleanup({
    registry: { name: 'cache/repo' }, graph: g.build(), policy: policyFrom(POLICY), keepTags: [], history: history(), clusterImages: [], now: NOW,
    role: { kind: 'cache', keepFor: 7 * 86_400_000 },
  });
  assert.equal(reasonsOf(plan, fresh), ['cache-age']);
  assert.equal(reasonsOf(plan, unknown), ['cache-age']);
  assert.equal(deletedTags(plan), [`sha-${idOf('m2')}`], 'even an image main would keep goes once it is old');
  assert.match(plan.delete[0]?.why ?? '', /cache repository/);
});

test.run();
