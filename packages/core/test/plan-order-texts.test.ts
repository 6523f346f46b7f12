/**
 * The planner's fast paths against the plain ones they replace: digestOrder (packed numbers sorted
 * natively) against a string sort, with digests that tie in their leading bits and digests that are
 * not sha256; KeptGroupTexts' cached sentences against sentences written out here in full; UnitMappings'
 * in-order reader against its lookup by digest, asked in and out of order; KeptReasons (reasons in an
 * array by node index) against what a Map by digest answers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { digestOrder } from '../src/plan/plan-lists.js';
import { KeptGroupTexts } from '../src/plan/decision-text.js';
import type { PolicyPosition, ReferenceName } from '../src/plan/types.js';
import { UnitMappings } from '../src/plan/mapping.js';
import { KeptReasons } from '../src/plan/kept-reasons.js';
import type { Reason } from '../src/plan/types.js';
import type { ImageNode } from '../src/graph/graph.js';
import type { SelectedRef } from '../src/plan/select-refs.js';
import type { Limit } from '../src/policy/types.js';

const hex = (seed: number, n: number): string => {
  let s = seed >>> 0;
  let out = '';
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out += '0123456789abcdef'[(s >>> 16) & 15];
  }
  return out;
};

const byString = (list: ReadonlyArray<{ digest: string }>): number[] =>
  [...list.keys()].sort((a, b) => ((list[a] as { digest: string }).digest < (list[b] as { digest: string }).digest ? -1 : 1));

test('digestOrder: the string order of sha256 digests, also where many share their leading 40 bits', () => {
  const list: Array<{ digest: string }> = [];
  for (let i = 0; i < 3000; i++) {
    // Every third digest shares its first 12 hex digits (48 bits, more than the packed number keeps) with others.
    const head = i % 3 === 0 ? `abcdef01234${i % 7}` : hex(i, 12);
    list.push({ digest: `sha256:${head}${hex(i * 31 + 7, 52)}` });
  }
  assert.equal([...digestOrder(list)], byString(list));
});

test('digestOrder: anything that is not a lowercase sha256 digest falls back to the string order', () => {
  const list = [{ digest: 'sha512:ff' }, { digest: `sha256:${hex(1, 64)}` }, { digest: `sha256:${hex(2, 64).toUpperCase()}` }, { digest: 'sha256:0' }];
  assert.equal([...digestOrder(list)], byString(list));
  assert.equal([...digestOrder([])], []);
});

test('KeptGroupTexts: within last, beyond last (kept by in, Or), shared commits and references', () => {
  const texts = new KeptGroupTexts();
  const policy: PolicyPosition = { path: 'cleanup.keepPolicies[1]', index: 1, line: 7 };
  const main: ReferenceName = { kind: 'branch', name: 'main' };
  const date = new Date('2026-11-30T10:00:00Z');
  const or = { last: 2, in: 7 * 24 * 3_600_000, operator: 'Or' as const };
  const selected = (position: PolicyPosition, reference: ReferenceName, images: Limit): SelectedRef =>
    ({ ref: { ...reference, commit: 'c'.repeat(40), date }, images, policy: position.path, position, reference });
  const ref = selected(policy, main, or);
  const commit = { id: 'a'.repeat(40), parents: [], date };
  const first = texts.keptGroup(ref, commit, 1, true);
  const third = texts.keptGroup(ref, commit, 3, true);
  assert.is(first.detail, '1st image group of branch main; cleanup.keepPolicies[1] (line 7) keeps 2 or any within 168h (commit aaaaaaa of 2026-11-30)');
  assert.is(third.detail, '3rd image group of branch main; within in: 168h (cleanup.keepPolicies[1] (line 7): last: 2 or in: 168h) (commit aaaaaaa of 2026-11-30)');
  assert.equal(third.group, { policy, reference: main, commit: { id: 'a'.repeat(40), date }, rank: 3, limit: or, inWindow: true, kept: true });
  assert.is(third.reason, 'git-history');
  assert.is(third.rule, 'cleanup.keepPolicies[1]');
  const plain = texts.keptGroup(selected({ path: 'default keepPolicies[0]', index: 0 }, { kind: 'tag', name: 'v1.0.0' }, { last: 10, operator: 'And' }), { id: 'b'.repeat(40), parents: [], date }, 9, true);
  assert.is(plain.detail, '9th image group of tag v1.0.0; default keepPolicies[0] keeps 10 (commit bbbbbbb of 2026-11-30)');
});

const node = (digest: string, tags: string[]): ImageNode => ({
  digest, index: 0, tags, listed: { digest, tags }, kind: 'image', children: [], parents: [], subject: undefined, attachments: [], revisions: [], created: undefined, platform: undefined, blobs: [],
});

test('UnitMappings: the reader answers like the lookup by digest, in the graph order, out of it, and for nodes that are not units', () => {
  const units = [node('sha256:a', ['x']), node('sha256:b', ['y']), node('sha256:c', ['z'])];
  const commits = [{ ids: ['1'.repeat(40)], via: 'revision label' }, undefined, { ids: ['2'.repeat(40)], via: 'tag z' }];
  const mappings = new UnitMappings(units, commits);
  assert.is(mappings.size, 2);
  const other = node('sha256:d', []);
  const inOrder = mappings.reader();
  assert.equal([units[0], other, units[1], units[2]].map((n) => inOrder(n as ImageNode)), [commits[0], undefined, undefined, commits[2]]);
  const outOfOrder = mappings.reader();
  assert.equal([units[2], units[0], units[2], other].map((n) => outOfOrder(n as ImageNode)), [commits[2], commits[0], commits[2], undefined]);
  assert.is(mappings.get('sha256:b'), undefined);
  assert.ok(mappings.has('sha256:c'));
  assert.is(UnitMappings.NONE.get('sha256:a'), undefined);
});

test('KeptReasons: by node, by digest, in the order the first reasons came; a misnumbered graph is refused', () => {
  const nodes = ['sha256:a', 'sha256:b', 'sha256:c'].map((d, i) => ({ ...node(d, []), index: i }));
  const graph = { nodes: new Map(nodes.map((n) => [n.digest, n])) };
  const reasons = new KeptReasons(graph);
  const r = (detail: string): Reason => ({ reason: 'closure', rule: 'closure', detail });
  reasons.add('sha256:c', r('c1'));
  reasons.set(nodes[0] as ImageNode, [r('a1')]);
  reasons.add('sha256:c', r('c2'));
  reasons.add('sha256:elsewhere', r('e1'));
  assert.equal(reasons.digests(), ['sha256:c', 'sha256:a', 'sha256:elsewhere']);
  assert.equal(reasons.of(nodes[2] as ImageNode)?.map((x) => x.detail), ['c1', 'c2']);
  assert.equal(reasons.get('sha256:elsewhere')?.map((x) => x.detail), ['e1']);
  assert.ok(reasons.has('sha256:a') && !reasons.has('sha256:b'));
  assert.is(reasons.of(nodes[1] as ImageNode), undefined);
  const twice = { nodes: new Map(nodes.map((n) => [n.digest, { ...n, index: 0 }])) };
  assert.throws(() => new KeptReasons(twice), /sha256:b has index 0, not its position 1/);
});

test.run();
