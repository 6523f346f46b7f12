/** Several repositories in one run share one walk of the history (issue: repositories). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sharedHistory } from '../src/history-cache.js';
import { FakeHistory, idOf } from './support/fake-history.js';
import { GraphBuilder } from './support/images.js';
import { keptTags, planWith } from './support/plan.js';

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

test.run();
