/**
 * The git-history walk (policy-semantics.md §4.4-§4.6), shared by every selected reference: one
 * newest-first traversal over all parents in which each commit carries the set of references that
 * reach it, so a commit shared by many branches is read and visited once. History is read lazily,
 * frontier by frontier, only as deep as some reference still needs. Tag references look at their own
 * commit only.
 */
import { IncompleteInputError } from '../errors.js';
import type { CommitInfo, Digest, GitHistory, GitRef } from '../ports.js';
import { Heap } from '../util/heap.js';
import { RefState } from './ref-state.js';
import type { SelectedRef } from './select-refs.js';

export interface HistoryKeep {
  ref: GitRef;
  policy: string;
  commit: string;
  commitDate: Date;
}

export interface WalkResult {
  kept: Map<Digest, HistoryKeep[]>;
  commitsRead: number;
  commitsVisited: number;
}

const MAX_DETAILS = 5;

type Bits = Uint32Array;

function newerFirst(a: CommitInfo, b: CommitInfo): boolean {
  const d = b.date.getTime() - a.date.getTime();
  return d < 0 || (d === 0 && a.id < b.id);
}

export async function walkHistory(
  selected: readonly SelectedRef[],
  imagesByCommit: ReadonlyMap<string, readonly Digest[]>,
  history: GitHistory,
  now: Date,
): Promise<WalkResult> {
  const mapped = new Set<Digest>();
  for (const list of imagesByCommit.values()) for (const d of list) mapped.add(d);
  const states = selected.map((s) => new RefState(s, now, mapped.size));
  const kept = new Map<Digest, HistoryKeep[]>();
  const infos = new Map<string, CommitInfo>();
  let commitsVisited = 0;

  const keep = (state: RefState, commit: CommitInfo, digests: Digest[]): void => {
    for (const d of digests) {
      const list = kept.get(d) ?? [];
      if (list.length < MAX_DETAILS) list.push({ ref: state.selected.ref, policy: state.selected.policy, commit: commit.id, commitDate: commit.date });
      kept.set(d, list);
    }
  };

  const fetch = async (ids: Iterable<string>, what: (id: string) => string): Promise<void> => {
    const wanted = [...ids].filter((id) => !infos.has(id));
    if (wanted.length === 0) return;
    const got = await history.commits(wanted);
    for (const id of wanted) {
      const info = got.get(id);
      if (!info) {
        throw new IncompleteInputError('git history', `${what(id)} could not be read`,
          'nothing was deleted; make sure the history is complete (not shallow, not filtered) and readable');
      }
      infos.set(id, info);
    }
  };

  const tips = states.map((s) => s.selected.ref);
  await fetch(new Set(tips.map((r) => r.commit)), (id) => {
    const r = tips.find((t) => t.commit === id);
    return `commit ${id} of ${r?.kind ?? 'reference'} ${r?.name ?? ''}`;
  });

  // Tags: depth 1.
  for (const state of states) {
    if (state.selected.ref.kind !== 'tag') continue;
    const info = infos.get(state.selected.ref.commit) as CommitInfo;
    keep(state, info, state.visit(info, imagesByCommit.get(info.id)));
    state.done = true;
  }

  const words = Math.max(1, Math.ceil(states.length / 32));
  const active: Bits = new Uint32Array(words);
  const pending = new Map<string, Bits>();
  const visited = new Map<string, Bits>();
  const inHeap = new Set<string>();
  const unfetched = new Set<string>();
  let unfetchedBound = Number.NEGATIVE_INFINITY;
  const heap = new Heap<CommitInfo>(newerFirst);

  const addPending = (id: string, bits: Bits, childDate: number): void => {
    let p = pending.get(id);
    if (!p) pending.set(id, (p = new Uint32Array(words)));
    for (let w = 0; w < words; w++) p[w]! |= bits[w]!;
    if (inHeap.has(id) || unfetched.has(id)) return;
    const info = infos.get(id);
    if (info) {
      heap.push(info);
      inHeap.add(id);
    } else {
      unfetched.add(id);
      unfetchedBound = Math.max(unfetchedBound, childDate);
    }
  };

  states.forEach((state, i) => {
    if (state.done) return;
    const bit = new Uint32Array(words);
    bit[i >> 5] = 1 << (i & 31);
    active[i >> 5]! |= bit[i >> 5]!;
    addPending(state.selected.ref.commit, bit, Number.POSITIVE_INFINITY);
  });

  const anyActive = (): boolean => active.some((w) => w !== 0);

  while (anyActive()) {
    const top = heap.peek();
    if (unfetched.size > 0 && (!top || unfetchedBound >= top.date.getTime())) {
      const ids = [...unfetched];
      unfetched.clear();
      unfetchedBound = Number.NEGATIVE_INFINITY;
      await fetch(ids, (id) => `commit ${id} (a parent in the history)`);
      for (const id of ids) {
        heap.push(infos.get(id) as CommitInfo);
        inHeap.add(id);
      }
      continue;
    }
    const commit = heap.pop();
    if (!commit) break;
    inHeap.delete(commit.id);
    const bits = pending.get(commit.id) as Bits;
    pending.delete(commit.id);
    let seen = visited.get(commit.id);
    if (!seen) visited.set(commit.id, (seen = new Uint32Array(words)));
    let any = false;
    let visitedHere = false;
    const images = imagesByCommit.get(commit.id);
    for (let w = 0; w < words; w++) {
      let fresh = bits[w]! & active[w]! & ~seen[w]!;
      seen[w]! |= fresh;
      if (fresh !== 0) visitedHere = true;
      let x = fresh;
      while (x !== 0) {
        const low = x & -x;
        x ^= low;
        const state = states[w * 32 + 31 - Math.clz32(low)] as RefState;
        keep(state, commit, state.visit(commit, images));
        if (state.done) {
          active[w]! &= ~low;
          fresh &= ~low;
        }
      }
      bits[w] = fresh;
      if (fresh !== 0) any = true;
    }
    if (visitedHere) commitsVisited += 1;
    if (!any) continue;
    for (const parent of commit.parents) addPending(parent, bits, commit.date.getTime());
  }
  return { kept, commitsRead: infos.size, commitsVisited };
}
