/** Several repositories in one run share one walk of the history (issue: repositories). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sharedHistory } from '../src/history-cache.js';
import { primaryDecisions } from '../src/plan/planner.js';
import type { Plan } from '../src/plan/types.js';
import { planRepository, type RunOptions } from '../src/run.js';
import { FakeHistory, idOf } from './support/fake-history.js';
import { instantClock } from './support/fake-registry.js';
import { GraphBuilder } from '@regsweep/test-kit/image-graph';
import { MemoryRegistry } from './support/memory-registry.js';
import { keptTags, NOW, planWith, policyFrom } from './support/plan.js';

test('planning two repositories through sharedHistory reads each commit once', async () => {
  const h = new FakeHistory();
  h.line('m', 30, '2026-11-20T00:00:00Z');
  h.branch('main', 'm30');
  const shared = sharedHistory(h);
  const yaml = 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 2 }\n';
  const a = new GraphBuilder();
  const b = new GraphBuilder();
  for (const n of ['m1', 'm10', 'm29', 'm30']) a.image({ name: `a-${n}`, tags: [`a-${n}`], revision: idOf(n) });
  for (const n of ['m2', 'm28', 'm30']) b.image({ name: `b-${n}`, tags: [`b-${n}`], revision: idOf(n) });
  const planA = await planWith({ yaml, graph: a.build(), history: shared });
  const planB = await planWith({ yaml, graph: b.build(), history: shared });
  assert.equal(keptTags(planA), ['a-m29', 'a-m30']);
  assert.equal(keptTags(planB), ['b-m28', 'b-m30']);
  assert.equal(new Set(h.asked).size, h.asked.length, 'no commit asked for twice');
});

/** Counts the calls that reach the git history underneath. */
class CountingHistory extends FakeHistory {
  refsCalls = 0;
  prefixesAsked: string[] = [];
  override async refs() {
    this.refsCalls += 1;
    return super.refs();
  }
  override async resolvePrefixes(prefixes: readonly string[]) {
    this.prefixesAsked.push(...prefixes);
    return super.resolvePrefixes(prefixes);
  }
}

test('planRepository for a primary, its final and a cache through one sharedHistory: refs read once, each commit once', async () => {
  const h = new CountingHistory();
  h.line('m', 20, '2026-11-20T00:00:00Z');
  h.branch('main', 'm20');
  const shared = sharedHistory(h);
  const policy = policyFrom('cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 2 }\n');
  const base: Omit<RunOptions, 'registry'> = {
    policy, keepTags: [], history: shared, clusterImages: [], clock: instantClock(NOW), now: NOW, dryRun: true, concurrency: 4,
  };
  const short = (n: string): string => `sha-${idOf(n).slice(0, 7)}`;
  const primary = new MemoryRegistry('primary');
  const final = new MemoryRegistry('final');
  for (const n of ['m5', 'm18', 'm19', 'm20']) {
    primary.image({ name: `p-${n}`, tags: [short(n)], revision: idOf(n), created: '2026-11-01T00:00:00Z' });
    final.image({ name: `f-${n}`, tags: [short(n)], created: '2026-11-01T00:00:00Z' });
  }
  const cache = new MemoryRegistry('cache')
    .image({ name: 'c-new', tags: [short('m20')], created: '2026-11-19T00:00:00Z' })
    .image({ name: 'c-old', tags: [short('m5')], created: '2026-10-01T00:00:00Z' });

  const primaryPlan = await planRepository({ ...base, registry: primary });
  const finalPlan = await planRepository({ ...base, registry: final, role: { kind: 'final', primary: primaryDecisions(primaryPlan) } });
  const cachePlan = await planRepository({ ...base, registry: cache, role: { kind: 'cache', keepFor: 7 * 86_400_000 } });
  const tags = (p: Plan): string[] => keptTags(p);
  assert.equal(tags(primaryPlan), [short('m19'), short('m20')].sort());
  assert.equal(tags(finalPlan), [short('m19'), short('m20')].sort(), 'the final keeps what its primary keeps, by tag');
  assert.equal(finalPlan.kept.flatMap((k) => k.reasons.map((r) => r.reason)), ['primary', 'primary']);
  assert.equal(tags(cachePlan), [short('m20')]);
  assert.is(h.refsCalls, 1, 'git references are read once for the run');
  assert.equal(new Set(h.asked).size, h.asked.length, 'no commit asked for twice');
  assert.equal(new Set(h.prefixesAsked).size, h.prefixesAsked.length, 'no abbreviated id resolved twice');
  assert.ok(h.prefixesAsked.length > 0, 'the sha-<7> tags were resolved (once)');
});

test.run();
