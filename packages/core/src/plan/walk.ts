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

export interface ImageFacts {
  /** How many distinct digests `imagesByCommit` holds. */
  mapped: number;
  /** The digests it lists under more than one commit. */
  multiCommit: ReadonlySet<Digest>;
}

function imageFacts(imagesByCommit: ReadonlyMap<string, readonly Digest[]>): ImageFacts {
  const seen = new Set<Digest>();
  const multiCommit = new Set<Digest>();
  for (const list of imagesByCommit.values()) {
    for (const d of list) {
      if (seen.has(d)) multiCommit.add(d);
      else seen.add(d);
    }
  }
  return { mapped: seen.size, multiCommit };
}

type Bits = Uint32Array;

export async function walkHistory(
  selected: readonly SelectedRef[],
  imagesByCommit: ReadonlyMap<string, readonly Digest[]>,
  history: GitHistory,
  now: Date,
  /** What the caller knows of `imagesByCommit`; worked out here when absent. */
  facts: ImageFacts = imageFacts(imagesByCommit),
): Promise<WalkResult> {
  const states = selected.map((s) => new RefState(s, now, facts.mapped, facts.multiCommit));
  const kept = new Map<Digest, HistoryKeep[]>();
  const infos = new Map<string, CommitInfo>();
  let commitsVisited = 0;

  const keep = (state: RefState, commit: CommitInfo, digests: readonly Digest[]): void => {
    for (const d of digests) {
      const list = kept.get(d);
      if (list && list.length >= MAX_DETAILS) continue;
      const detail = { ref: state.selected.ref, policy: state.selected.policy, commit: commit.id, commitDate: commit.date };
      if (list) list.push(detail);
      else kept.set(d, [detail]);
    }
  };

  const fetch = async (ids: Iterable<string>, what: (id: string) => string): Promise<void> => {
    const wanted: string[] = [];
    for (const id of ids) if (!infos.has(id)) wanted.push(id);
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

  // Per commit touched, a slot in one growing array: the references that reached it and still have
  // to visit it (pending) and those that have visited it (seen), one bit per reference each.
  const words = Math.max(1, Math.ceil(states.length / 32));
  const active: Bits = new Uint32Array(words);
  const slots = new Slots(words);
  const unfetched: number[] = [];
  let unfetchedBound = Number.NEGATIVE_INFINITY;
  const heap = new Heap<number>((a, b) => slots.newerFirst(a, b));
  const fresh: Bits = new Uint32Array(words);

  /** ORs `bits` into the commit's pending set and queues it (heap, or to read) unless it is queued. */
  const addPending = (id: string, bits: Bits, childDate: number): void => {
    const slot = slots.slotOf(id);
    slots.orPending(slot, bits);
    if (slots.state[slot] !== IDLE) return;
    const info = infos.get(id);
    if (info) {
      slots.setInfo(slot, info);
      heap.push(slot);
      slots.state[slot] = IN_HEAP;
    } else {
      unfetched.push(slot);
      slots.state[slot] = UNFETCHED;
      unfetchedBound = Math.max(unfetchedBound, childDate);
    }
  };

  let activeCount = 0;
  states.forEach((state, i) => {
    if (state.done) return;
    const bit = new Uint32Array(words);
    bit[i >> 5] = 1 << (i & 31);
    active[i >> 5]! |= bit[i >> 5]!;
    activeCount += 1;
    addPending(state.selected.ref.commit, bit, Number.POSITIVE_INFINITY);
  });

  while (activeCount > 0) {
    const top = heap.peek();
    if (unfetched.length > 0 && (top === undefined || unfetchedBound >= slots.date(top))) {
      const batch = unfetched.splice(0);
      unfetchedBound = Number.NEGATIVE_INFINITY;
      await fetch(batch.map((slot) => slots.id(slot)), (id) => `commit ${id} (a parent in the history)`);
      for (const slot of batch) {
        slots.setInfo(slot, infos.get(slots.id(slot)) as CommitInfo);
        heap.push(slot);
        slots.state[slot] = IN_HEAP;
      }
      continue;
    }
    const slot = heap.pop();
    if (slot === undefined) break;
    slots.state[slot] = IDLE;
    const commit = slots.info(slot);
    let any = false;
    let visitedHere = false;
    const images = imagesByCommit.get(commit.id);
    const bits = slots.bits;
    const p = slot * 2 * words;
    const seen = p + words;
    for (let w = 0; w < words; w++) {
      let f = bits[p + w]! & active[w]! & ~bits[seen + w]!;
      bits[p + w] = 0;
      bits[seen + w]! |= f;
      if (f !== 0) visitedHere = true;
      let x = f;
      while (x !== 0) {
        const low = x & -x;
        x ^= low;
        const state = states[w * 32 + 31 - Math.clz32(low)] as RefState;
        keep(state, commit, state.visit(commit, images));
        if (state.done) {
          active[w]! &= ~low;
          activeCount -= 1;
          f &= ~low;
        }
      }
      fresh[w] = f;
      if (f !== 0) any = true;
    }
    if (visitedHere) commitsVisited += 1;
    if (!any) continue;
    for (const parent of commit.parents) addPending(parent, fresh, commit.date.getTime());
  }
  return { kept, commitsRead: infos.size, commitsVisited };
}

const IDLE = 0;
const IN_HEAP = 1;
const UNFETCHED = 2;

/** The walk's per-commit state, in flat arrays indexed by slot (one Map lookup per commit id). */
class Slots {
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly infos: Array<CommitInfo | undefined> = [];
  private dates = new Float64Array(64);
  /** IDLE, IN_HEAP or UNFETCHED. */
  state = new Uint8Array(64);
  /** Per slot: `words` pending words, then `words` seen words. */
  bits: Uint32Array;

  constructor(private readonly words: number) {
    this.bits = new Uint32Array(64 * 2 * words);
  }

  slotOf(id: string): number {
    let slot = this.index.get(id);
    if (slot !== undefined) return slot;
    slot = this.ids.length;
    this.index.set(id, slot);
    this.ids.push(id);
    this.infos.push(undefined);
    if (slot >= this.state.length) this.grow(this.state.length * 2);
    return slot;
  }

  private grow(capacity: number): void {
    const dates = new Float64Array(capacity);
    dates.set(this.dates);
    this.dates = dates;
    const state = new Uint8Array(capacity);
    state.set(this.state);
    this.state = state;
    const bits = new Uint32Array(capacity * 2 * this.words);
    bits.set(this.bits);
    this.bits = bits;
  }

  orPending(slot: number, from: Bits): void {
    const p = slot * 2 * this.words;
    for (let w = 0; w < this.words; w++) this.bits[p + w]! |= from[w]!;
  }

  setInfo(slot: number, info: CommitInfo): void {
    this.infos[slot] = info;
    this.dates[slot] = info.date.getTime();
  }

  id(slot: number): string {
    return this.ids[slot] as string;
  }

  info(slot: number): CommitInfo {
    return this.infos[slot] as CommitInfo;
  }

  date(slot: number): number {
    return this.dates[slot] as number;
  }

  /** Newest committer date first; ties by id, so that the order is deterministic. */
  newerFirst(a: number, b: number): boolean {
    const d = (this.dates[b] as number) - (this.dates[a] as number);
    return d < 0 || (d === 0 && (this.infos[a] as CommitInfo).id < (this.infos[b] as CommitInfo).id);
  }
}
