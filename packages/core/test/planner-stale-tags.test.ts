/** §5 closure: stale tags of a kept digest are removed alone where the registry can. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { removeTags } from '../src/execute/executor.js';
import { FakeHistory, idOf } from './support/fake-history.js';
import { FakeRegistry, instantClock } from './support/fake-registry.js';
import { GraphBuilder } from '@regsweep/test-kit/image-graph';
import { planWith } from './support/plan.js';

const POLICY = 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepTags: ["keep-*"]\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 1 }\n';

function history() {
  const h = new FakeHistory();
  h.line('m', 2, '2026-11-20T00:00:00Z');
  h.branch('main', 'm2');
  return h;
}

test('§5 a SHA tag naming a commit the history no longer holds is stale when the digest stays for another tag', async () => {
  const g = new GraphBuilder();
  const gone = idOf('force-pushed-away');
  const d = g.image({ name: 'rebuilt', tags: [`sha-${idOf('m2').slice(0, 7)}`, `sha-${gone.slice(0, 7)}`, gone, 'keep-me', 'deadbeef'], revision: idOf('m2') });
  const plan = await planWith({ yaml: POLICY, graph: g.build(), history: history() });
  assert.equal(plan.kept.map((k) => k.digest), [d]);
  assert.equal(plan.untag.map((u) => u.tag).sort(), [gone, `sha-${gone.slice(0, 7)}`].sort());
  assert.match(plan.untag[0]?.why ?? '', /no longer holds/);
});

test('§5 no stale tags when every tag of the digest would go, or the tag is named by the keep-list', async () => {
  const g = new GraphBuilder();
  const gone = idOf('gone');
  g.image({ name: 'in-use-only', tags: [`sha-${gone.slice(0, 7)}`, gone], created: '2026-11-20T11:59:00Z' });
  const plan = await planWith({ yaml: POLICY.replace('keepImagesBuiltWithinLastNHours: 0', 'keepImagesBuiltWithinLastNHours: 2'), graph: g.build(), history: history() });
  assert.is(plan.kept.length, 1);
  assert.equal(plan.untag, [], 'a digest keeps at least one tag');
});

test('§5 what the plan learnt is held is not asked again; what would make a tag stale is asked anew', async () => {
  const g = new GraphBuilder();
  const m2 = idOf('m2');
  const gone = idOf('rewritten');
  // No revision label: the tags map the image (their prefixes resolved for the mapping), and the walk reads m2.
  g.image({ name: 'by-tags', tags: [`sha-${m2.slice(0, 7)}`, m2, `sha-${gone.slice(0, 7)}`, 'release'] });
  const h = history();
  const prefixCalls: string[][] = [];
  const resolve = h.resolvePrefixes.bind(h);
  h.resolvePrefixes = async (prefixes) => (prefixCalls.push([...prefixes]), resolve(prefixes));
  const plan = await planWith({ yaml: POLICY, graph: g.build(), history: h });
  assert.is(plan.kept.length, 1);
  assert.equal(plan.untag.map((u) => u.tag), [`sha-${gone.slice(0, 7)}`]);
  // m2's prefix resolved for the mapping; the one that did not is asked again (a history may know more by now).
  assert.equal(prefixCalls, [[m2.slice(0, 7), gone.slice(0, 7)], [gone.slice(0, 7)]]);
  assert.is(h.asked.filter((id) => id === m2).length, 1, 'm2 read once, by the walk');
});

test('§5 a prefix the history resolves only once it has read more is not stale', async () => {
  const g = new GraphBuilder();
  const m1 = idOf('m1');
  // Mapped by its label; its SHA tag's prefix is unknown to the history until the walk has read m1.
  g.image({ name: 'late', tags: [`sha-${m1.slice(0, 7)}`, 'release'], revision: idOf('m2') });
  // The same prefix as a bare tag of an image without a label: the mapping asks it first, before the walk.
  g.image({ name: 'by-tag', tags: [m1.slice(0, 7)] });
  const h = history();
  const resolve = h.resolvePrefixes.bind(h);
  let readM1 = false;
  const commits = h.commits.bind(h);
  h.commits = async (ids) => ((readM1 ||= ids.includes(m1)), commits(ids));
  h.resolvePrefixes = async (prefixes) => (readM1 ? resolve(prefixes) : new Map());
  const plan = await planWith({ yaml: POLICY.replace('last: 1', 'last: 2'), graph: g.build(), history: h });
  assert.ok(plan.kept.some((k) => k.tags.includes('release')));
  assert.equal(plan.untag, []);
});

test('§5 stale tags are removed through deleteTag where the registry can, else left and reported', async () => {
  const item = { digest: 'sha256:aa', tag: 'sha-0000000', why: 'stale', listed: { digest: 'sha256:aa', tags: ['sha-0000000', 'main'] } };
  const can = new FakeRegistry();
  const removed: string[] = [];
  Object.assign(can, { capabilities: { listsUntagged: true, deletesTagAlone: true }, deleteTag: async (t: string) => (removed.push(t), 'deleted' as const) });
  const ok = await removeTags(can, [item], { clock: instantClock(), concurrency: 2 });
  assert.equal(ok.map((r) => r.status), ['deleted']);
  assert.equal(removed, ['sha-0000000']);
  const cannot = new FakeRegistry();
  const left = await removeTags(cannot, [item], { clock: instantClock(), concurrency: 2 });
  assert.equal(left.map((r) => r.status), ['skipped']);
  assert.match(left[0]?.message ?? '', /cannot remove a tag/);
  assert.equal(cannot.deleted, []);
});

test.run();
