/** cleanup-semantics.md §6: order, idempotence, partial failure, budgets. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { executeDeletions } from '../src/execute/executor.js';
import { DeletionBudget } from '../src/pipeline/budget.js';
import type { DeletionItem } from '../src/plan/types.js';
import { FakeRegistry, instantClock } from './support/fake-registry.js';

const item = (digest: string, after: string[] = []): DeletionItem => ({ digest, tags: [digest], kind: 'image', listed: { digest, tags: [digest] }, why: 'test', decision: { cause: 'purge', rule: 'purge' }, after });

test('§6 order: attachments before their subject, an index before its children', async () => {
  const reg = new FakeRegistry();
  const items = [item('child', ['index']), item('index', ['sig']), item('sig'), item('other')];
  const results = await executeDeletions(reg, items, { clock: instantClock(), concurrency: 4 });
  assert.ok(results.every((r) => r.status === 'deleted'));
  const pos = (d: string) => reg.deleted.indexOf(d);
  assert.ok(pos('sig') < pos('index') && pos('index') < pos('child'), reg.deleted.join(','));
});

test('§6 idempotent: already gone (404) counts as done and unblocks what waits on it', async () => {
  const reg = new FakeRegistry();
  reg.failures.set('index', ['gone']);
  const results = await executeDeletions(reg, [item('index'), item('child', ['index'])], { clock: instantClock(), concurrency: 2 });
  assert.equal(results.map((r) => r.status), ['gone', 'deleted']);
});

test('§6 transient failures are retried with backoff; a fatal one blocks only what waits on it', async () => {
  const reg = new FakeRegistry();
  const clock = instantClock();
  reg.failures.set('flaky', ['transient', 'transient']);
  reg.failures.set('broken-index', ['fatal']);
  const results = await executeDeletions(reg, [item('flaky'), item('broken-index'), item('its-child', ['broken-index']), item('independent')], { clock, concurrency: 2, backoffMs: 100 });
  const status = Object.fromEntries(results.map((r) => [r.item.digest, r.status]));
  assert.equal(status, { flaky: 'deleted', 'broken-index': 'failed', 'its-child': 'skipped', independent: 'deleted' });
  assert.equal(clock.slept, [100, 200]);
  assert.not.ok(reg.deleted.includes('its-child'), 'a child of an index that could not be deleted stays');
  assert.match(results[2]?.message ?? '', /must go first/);
});

test('§6 a platform refusal is reported as skipped, not failed', async () => {
  const reg = new FakeRegistry();
  reg.failures.set('last', ['skip']);
  const [r] = await executeDeletions(reg, [item('last')], { clock: instantClock(), concurrency: 1 });
  assert.is(r?.status, 'skipped');
  assert.match(r?.message ?? '', /last tagged version/);
});

test('§6 bounded concurrency and a deletion budget that leaves the rest for the next run', async () => {
  const reg = new FakeRegistry();
  const items = Array.from({ length: 30 }, (_, i) => item(`d${i}`));
  const results = await executeDeletions(reg, items, { clock: instantClock(), concurrency: 3, budget: new DeletionBudget(20) });
  assert.ok(reg.maxInFlight <= 3 && reg.maxInFlight >= 2, `max in flight ${reg.maxInFlight}`);
  assert.is(results.filter((r) => r.status === 'deleted').length, 20);
  assert.is(results.filter((r) => r.status === 'not-attempted').length, 10);
  assert.ok(results.filter((r) => r.status === 'not-attempted').every((r) => r.message === 'max-deletions (20 for the whole run) reached; the next run continues'));
});

test('§6 one budget across two calls: the second gets what the first left; a delete the platform never took is given back', async () => {
  const budget = new DeletionBudget(5);
  const first = await executeDeletions(new FakeRegistry(), Array.from({ length: 3 }, (_, i) => item(`a${i}`)), { clock: instantClock(), concurrency: 2, budget });
  const halting = new FakeRegistry();
  halting.failures.set('b0', ['budget']);
  const second = await executeDeletions(halting, Array.from({ length: 4 }, (_, i) => item(`b${i}`)), { clock: instantClock(), concurrency: 1, budget });
  assert.is(first.filter((r) => r.status === 'deleted').length, 3);
  assert.is(second.filter((r) => r.status === 'deleted').length, 0, 'the platform budget halted the second registry');
  assert.is(budget.used, 3, 'the halted delete was given back');
});

test.run();
