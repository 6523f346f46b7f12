/** The listing checks (graph/listing-check.ts) and the fresh look before deleting (execute/recheck.ts), on plain data. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IncompleteInputError } from '../src/errors.js';
import { planConflicts } from '../src/execute/recheck.js';
import { listingDifferences, listUntilAgreed, resolveBracketed } from '../src/graph/listing-check.js';
import type { Plan } from '../src/plan/types.js';
import type { ListedImage } from '../src/ports.js';

const d = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const img = (n: number, ...tags: string[]): ListedImage => ({ digest: d(n), tags });

function plan(kept: ListedImage[], deleted: ListedImage[], untag: Array<{ tag: string; digest: string }> = []): Plan {
  const entry = (l: ListedImage) => ({ digest: l.digest, tags: l.tags, kind: 'image' as const, listed: l });
  return {
    registry: 'r', now: new Date(0), warnings: [], stats: { images: 0, refs: 0, selectedRefs: 0, commitsRead: 0, commitsVisited: 0 },
    kept: kept.map((l) => ({ ...entry(l), reasons: [] })),
    delete: deleted.map((l) => ({ ...entry(l), why: 'x', decision: { cause: 'purge' as const, rule: 'purge' }, after: [] })),
    untag: untag.map((u) => ({ ...u, why: 'stale', listed: img(0) })),
  };
}

test('planConflicts: an unchanged listing, new tags on kept digests and vanished tags are no conflict', () => {
  const p = plan([img(1, 'main'), img(2, 'v1')], [img(3, 'old'), img(4)]);
  assert.equal(planConflicts(p, [img(1, 'main'), img(2, 'v1'), img(3, 'old')]), []);
  assert.equal(planConflicts(p, [img(1, 'main', 'new'), img(2, 'v1'), img(5, 'fresh')]), [], 'a push elsewhere, old already gone');
});

test('planConflicts: a tag the plan did not see on a digest about to go; a kept tag moved onto one', () => {
  const p = plan([img(1, 'main'), img(2, 'v1')], [img(3, 'old'), img(4)]);
  const found = planConflicts(p, [img(1), img(2, 'v1'), img(3, 'old', 'main'), img(4, 'surprise')]);
  assert.equal(found.map((c) => [c.tag, c.planned, c.now]), [['main', d(1), d(3)], ['surprise', undefined, d(4)]]);
  assert.match(found[0]?.message ?? '', /tag main moved from sha256:1{12}… onto sha256:3{12}…, which was to be deleted/);
  assert.match(found[1]?.message ?? '', /tag surprise, which the plan did not see, now points at sha256:4{12}…/);
});

test('planConflicts: a deleted digest\'s tag that moved elsewhere, and a stale tag that moved', () => {
  const p = plan([img(1, 'main', 'stale')], [img(3, 'old')], [{ tag: 'stale', digest: d(1) }]);
  const found = planConflicts(p, [img(1, 'main'), img(5, 'old', 'stale')]);
  assert.equal(found.map((c) => c.tag).sort(), ['old', 'stale']);
});

test('listingDifferences names digests and tags that differ; equal listings have none', () => {
  assert.equal(listingDifferences([img(1, 'a'), img(2)], [img(2), img(1, 'a')]), []);
  assert.equal(listingDifferences([img(1, 'a')], [img(2, 'a')]), ['tag a at sha256:111111111111… then at sha256:222222222222…', 'sha256:111111111111… missing from one read', 'sha256:222222222222… missing from one read']);
});

test('listUntilAgreed: two agreeing reads end it; a read that differs is read again; no agreement in 3 reads throws', async () => {
  const reads = [[img(1, 'a')], [img(1, 'a'), img(2, 'b')], [img(1, 'a'), img(2, 'b')]];
  const retries: string[] = [];
  let i = 0;
  const got = await listUntilAgreed(async () => reads[i++] ?? [], { input: 'registry r', onRetry: (w) => retries.push(w) });
  assert.is(i, 3);
  assert.equal(got.map((l) => l.digest), [d(1), d(2)]);
  assert.equal(retries, ['tag b missing from one read; sha256:222222222222… missing from one read']);
  let n = 0;
  const error = await listUntilAgreed(async () => [img(1, `t${n++}`)], { input: 'registry r' }).catch((e: unknown) => e);
  assert.instance(error, IncompleteInputError);
  assert.match(String(error), /registry r: the listing changed between each of 3 reads/);
  assert.is(n, 3);
});

test('resolveBracketed: a name that resolves on a retry; one that never does stops; a changed name list is read again', async () => {
  const misses = new Map([['b', 2]]);
  const resolve = async (name: string) => ((misses.get(name) ?? 0) > 0 ? (misses.set(name, (misses.get(name) ?? 0) - 1), undefined) : name.toUpperCase());
  const pauses: number[] = [];
  const base = { input: 'registry r', concurrency: 2, pause: async (a: number) => void pauses.push(a), resolve };
  const got = await resolveBracketed({ ...base, listNames: async () => ['a', 'b'] });
  assert.equal([...got], [['a', 'A'], ['b', 'B']]);
  assert.equal(pauses, [1, 2]);
  const never = await resolveBracketed({ ...base, listNames: async () => ['a', 'x'], resolve: async (n) => (n === 'x' ? undefined : n) }).catch((e: unknown) => e);
  assert.instance(never, IncompleteInputError);
  assert.match(String(never), /tag x is listed but not found \(3 tries each\)/);
  // x is deleted by someone else between the two name reads: the look is repeated, and x is gone.
  const lists = [['a', 'x'], ['a'], ['a'], ['a']];
  const retries: string[] = [];
  const after = await resolveBracketed({ ...base, listNames: async () => lists.shift() ?? [], resolve: async (n) => (n === 'x' ? undefined : n), onRetry: (w) => retries.push(w) });
  assert.equal([...after.keys()], ['a']);
  assert.equal(retries, ['tag x listed, then not']);
});

test.run();
