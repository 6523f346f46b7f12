/**
 * The executor's side of a budget stop (packages/core/src/execute/executor.ts): a `BudgetExhausted` from
 * the registry starts no further deletions, leaves the rest (and whatever waits on them) not attempted,
 * and is not retried; an `InputError` (a wrong token) is not retried either.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BudgetExhausted, InputError, type Clock, type DeleteOutcome, type DeletionItem, type ListedImage, type RawManifest, type Registry } from '@regsweep/core';
import { executeDeletions, removeTags } from '@regsweep/core/internal';

const clock: Clock = { now: () => new Date('2026-11-20T12:00:00Z'), sleep: async () => undefined };
const item = (digest: string, after: string[] = []): DeletionItem => ({ digest, tags: [digest], kind: 'image', listed: { digest, tags: [digest] }, why: 'test', decision: { cause: 'purge', rule: 'purge' }, after });

class BudgetRegistry implements Registry {
  readonly name = 'fake/budget';
  readonly capabilities = { listsUntagged: true, deletesTagAlone: true };
  readonly calls: string[] = [];
  private answered = 0;
  constructor(private readonly budget: number, private readonly error: () => Error = () => new BudgetExhausted('budget down to 10: deletions stop here and the next run continues', new Date('2026-11-20T13:00:00Z'))) {}
  async list(): Promise<ListedImage[]> {
    return [];
  }
  async getManifest(): Promise<RawManifest> {
    throw new Error('not used');
  }
  async getBlobJson(): Promise<unknown> {
    throw new Error('not used');
  }
  async deleteImage(image: ListedImage): Promise<DeleteOutcome> {
    this.calls.push(image.digest);
    await new Promise((r) => setTimeout(r, 1));
    if (++this.answered > this.budget) throw this.error();
    return 'deleted';
  }
  async deleteTag(tag: string): Promise<DeleteOutcome> {
    return this.deleteImage({ digest: tag, tags: [tag] });
  }
}

test('BudgetExhausted: no further deletions start; the rest and their dependents are not attempted', async () => {
  const reg = new BudgetRegistry(5);
  const items = [...Array.from({ length: 12 }, (_, i) => item(`d${i}`)), item('child', ['d11'])];
  const results = await executeDeletions(reg, items, { clock, concurrency: 1, backoffMs: 1 });
  const status = (s: string) => results.filter((r) => r.status === s).length;
  assert.is(status('deleted'), 5);
  assert.is(status('not-attempted'), 8);
  assert.is(reg.calls.length, 6, 'one refused call, then nothing');
  assert.match(results[5]?.message ?? '', /next run continues/);
  assert.is(results[5]?.attempts, 0, 'not retried');
  assert.match(results.at(-1)?.message ?? '', /must go first/);
});

test('BudgetExhausted with deletions in flight: those finish, nothing new starts', async () => {
  const reg = new BudgetRegistry(6);
  const results = await executeDeletions(reg, Array.from({ length: 30 }, (_, i) => item(`d${i}`)), { clock, concurrency: 4 });
  assert.ok(reg.calls.length <= 6 + 4, `${reg.calls.length} calls`);
  assert.is(results.filter((r) => r.status === 'deleted').length, 6);
  assert.is(results.filter((r) => r.status === 'not-attempted').length, 24);
  assert.ok(results.every((r) => r.status === 'deleted' || r.status === 'not-attempted'));
});

test('an InputError (wrong token) fails the item without retries', async () => {
  const reg = new BudgetRegistry(0, () => new InputError('the token may not delete', 'use a token with delete:packages'));
  const results = await executeDeletions(reg, [item('a'), item('b')], { clock, concurrency: 1, attempts: 4 });
  assert.equal(results.map((r) => [r.status, r.attempts]), [['failed', 1], ['failed', 1]]);
  assert.is(reg.calls.length, 2);
});

test('removeTags stops at a budget too', async () => {
  const reg = new BudgetRegistry(2);
  const tags = Array.from({ length: 6 }, (_, i) => ({ digest: `d${i}`, tag: `t${i}`, why: 'stale', listed: { digest: `d${i}`, tags: [`t${i}`] } }));
  const results = await removeTags(reg, tags, { clock, concurrency: 1 });
  assert.equal(results.map((r) => r.status), ['deleted', 'deleted', 'not-attempted', 'not-attempted', 'not-attempted', 'not-attempted']);
  assert.is(reg.calls.length, 3);
});

test.run();
