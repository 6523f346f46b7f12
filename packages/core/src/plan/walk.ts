/**
 * The git-history walk (cleanup-semantics.md §4.4-§4.6), shared by every selected reference: one
 * newest-first traversal over all parents in which each commit carries the set of references that
 * reach it, so a commit shared by many branches is read and visited once. History is read lazily,
 * frontier by frontier, only as deep as some reference still needs. Tag references look at their own
 * commit only.
 */
import { IncompleteInputError } from '../errors.js';
import type { CommitInfo, Digest, GitHistory } from '../ports.js';
import { Heap } from '../util/heap.js';
import { RefState } from './ref-state.js';
import type { SelectedRef } from './select-refs.js';
import type { Reason } from './types.js';
import { WalkNotes, type HistoryKeep } from './walk-notes.js';
import { IDLE, IN_HEAP, Slots, UNFETCHED, type Bits } from './walk-slots.js';

export type { HistoryKeep } from './walk-notes.js';

export interface WalkResult {
  /**
   * By image position (WalkImages): the git-history reasons that keep it, one per reference (at most a
   * few per image; every one for watched images); undefined where none kept it.
   */
  kept: ReadonlyArray<Reason[] | undefined>;
  /** Watched digests only: every reference's meeting with them, kept or not. */
  sightings: Map<Digest, HistoryKeep[]>;
  /** Each selected reference's state at the end: how many groups it met, why it stopped. */
  refs: readonly RefState[];
  /** Whether the walk read the commit (so the history holds it). */
  read: (id: string) => boolean;
  /** Whether watched digests were followed to the end of every reference's history. */
  watched: ReadonlySet<Digest>;
  commitsRead: number;
  commitsVisited: number;
}

/**
 * The mapped images, each known by its position (an index into `digests`), so that the walk keeps
 * its per-image facts in arrays instead of Maps keyed by digest.
 */
export interface WalkImages {
  /** The digest at each position. */
  digests: readonly Digest[];
  /** Per position, the commit ids the image was built from (none twice; at least one), or undefined: not mapped. */
  commits: ReadonlyArray<{ ids: readonly string[] } | undefined>;
}

/** How many positions are mapped, and per position 1 when it maps to more than one commit (undefined: none does). */
function imageFacts(images: WalkImages): { mapped: number; multiCommit: Uint8Array | undefined } {
  let mapped = 0;
  let multiCommit: Uint8Array | undefined;
  images.commits.forEach((m, i) => {
    if (!m || m.ids.length === 0) return;
    mapped += 1;
    if (m.ids.length > 1) (multiCommit ??= new Uint8Array(images.commits.length))[i] = 1;
  });
  return { mapped, multiCommit };
}

const PARENT = (id: string): string => `commit ${id} (a parent in the history)`;

export async function walkHistory(
  selected: readonly SelectedRef[],
  images: WalkImages,
  history: GitHistory,
  now: Date,
  /** Positions of mapped images to rank beyond the limits (explain): every reference walks on until it reached them. */
  watched: ReadonlySet<number> = new Set(),
): Promise<WalkResult> {
  const facts = imageFacts(images);
  const states = selected.map((s) => new RefState(s, now, facts.mapped, facts.multiCommit, watched.size > 0 ? watched : undefined));
  const walk = new Walk(states, images, history, watched);
  await walk.readTips();
  walk.visitTags();
  walk.startBranches();
  await walk.run();
  const watchedDigests = new Set([...watched].map((i) => images.digests[i] as Digest));
  return { kept: walk.notes.kept, sightings: walk.notes.sightings, read: (id) => walk.holds(id), refs: states, watched: watchedDigests, commitsRead: walk.commitsRead, commitsVisited: walk.commitsVisited };
}

/**
 * One walk. Per commit touched, a slot (walk-slots.ts) holds the references that reached it and still
 * have to visit it (pending) and those that have visited it (seen), one bit per reference each.
 */
class Walk {
  /** What each reference kept and (watched images) met. */
  readonly notes: WalkNotes;
  commitsRead = 0;
  commitsVisited = 0;
  /**
   * The references that keep the images of the commit being visited (keepAll): the first `keeperCount`
   * (overwritten, not emptied: an array set to length 0 loses its store and grows anew at every commit).
   */
  private readonly keepers: RefState[] = [];
  private keeperCount = 0;
  private readonly words: number;
  private readonly active: Bits;
  private readonly slots: Slots;
  private readonly heap: Heap<number>;
  /** The bits of the references that visited the commit just popped and go on to its parents. */
  private readonly fresh: Bits;
  /** Which words of `fresh` the last visit set. */
  private readonly freshWords: Int32Array;
  private unfetched: number[] = [];
  /** The newest child date of an unfetched commit: the heap may not pass it before they are read. */
  private unfetchedBound = Number.NEGATIVE_INFINITY;
  private activeCount = 0;

  constructor(
    private readonly states: readonly RefState[],
    images: WalkImages,
    private readonly history: GitHistory,
    private readonly watched: ReadonlySet<number>,
  ) {
    this.notes = new WalkNotes(images.digests, watched);
    this.words = Math.max(1, Math.ceil(states.length / 32));
    this.active = new Uint32Array(this.words);
    this.fresh = new Uint32Array(this.words);
    this.freshWords = new Int32Array(this.words);
    this.slots = new Slots(this.words, images.commits);
    this.heap = new Heap<number>((a, b) => this.slots.newerFirst(a, b));
  }

  holds(id: string): boolean {
    return this.slots.holds(id);
  }

  async readTips(): Promise<void> {
    const tips = this.states.map((s) => s.selected.ref);
    await this.read([...new Set(tips.map((r) => this.slots.slotOf(r.commit)))], (id) => {
      const r = tips.find((t) => t.commit === id);
      return `commit ${id} of ${r?.kind ?? 'reference'} ${r?.name ?? ''}`;
    });
  }

  /** Tags look at their own commit only (depth 1). */
  visitTags(): void {
    for (const state of this.states) {
      if (state.selected.ref.kind !== 'tag') continue;
      const slot = this.slots.slotOf(state.selected.ref.commit);
      const info = this.slots.info(slot);
      const images = this.slots.imagesOf(slot);
      const kept = state.visit(info, images);
      this.notes.keep(state, info, kept);
      if (images && kept.length < images.length && state.lastRankAt !== info) this.notes.sightTagGroup(state, info, images, kept);
      state.done = true;
    }
  }

  startBranches(): void {
    this.states.forEach((state, i) => {
      if (state.done) return;
      const bit = new Uint32Array(this.words);
      bit[i >> 5] = 1 << (i & 31);
      this.active[i >> 5]! |= bit[i >> 5]!;
      this.activeCount += 1;
      this.addPending(state.selected.ref.commit, bit, Int32Array.of(i >> 5), 1, Number.POSITIVE_INFINITY);
    });
  }

  /** Newest commit first, until every reference is done or nothing is left to visit. */
  async run(): Promise<void> {
    while (this.activeCount > 0) {
      const top = this.heap.peek();
      if (this.unfetched.length > 0 && (top === undefined || this.unfetchedBound >= this.slots.date(top))) {
        // Read here, not in a helper: the walk reads about one commit per call (its parents are the next
        // newest), and each async frame between it and the history costs a promise per read.
        const batch = this.unfetched;
        this.unfetchedBound = Number.NEGATIVE_INFINITY;
        this.store(batch, await this.history.commits(this.idsOf(batch)), PARENT);
        for (let i = 0; i < batch.length; i++) {
          this.heap.push(batch[i] as number);
          this.slots.state[batch[i] as number] = IN_HEAP;
        }
        batch.length = 0;
        continue;
      }
      const slot = this.heap.pop();
      if (slot === undefined) break;
      this.slots.state[slot] = IDLE;
      const commit = this.slots.info(slot);
      const count = this.visit(slot, commit);
      const { parents } = commit;
      if (count > 0) for (let i = 0; i < parents.length; i++) this.addPending(parents[i] as string, this.fresh, this.freshWords, count, commit.date.getTime());
    }
  }

  /**
   * Lets every active reference pending on the commit visit it. Answers how many words of `fresh` hold
   * the bits of those that go on to its parents (their indexes are in `freshWords`); 0: none goes on.
   */
  private visit(slot: number, commit: CommitInfo): number {
    const images = this.slots.imagesOf(slot);
    const bits = this.slots.page(slot);
    const p = this.slots.offset(slot);
    const summary = p + 2 * this.words;
    let count = 0;
    let visitedHere = false;
    // The pending words the summary marks (the others are 0), in ascending order: the references' order.
    for (let s = 0; s < this.slots.summaryWords; s++) {
      let marked = bits[summary + s]!;
      bits[summary + s] = 0;
      while (marked !== 0) {
        const mark = marked & -marked;
        marked ^= mark;
        const w = s * 32 + 31 - Math.clz32(mark);
        const f = bits[p + w]! & this.active[w]! & ~bits[p + this.words + w]!;
        bits[p + w] = 0;
        if (f === 0) continue;
        visitedHere = true;
        bits[p + this.words + w]! |= f;
        const goOn = this.visitWord(w, f, commit, images);
        if (goOn !== 0) {
          this.fresh[w] = goOn;
          this.freshWords[count++] = w;
        }
      }
    }
    if (visitedHere) this.commitsVisited += 1;
    if (this.keeperCount > 0 && images) this.notes.keepAll(this.keepers, this.keeperCount, commit, images);
    this.keeperCount = 0;
    return count;
  }

  /** The references of word `w` whose bits `f` holds visit the commit; answers the bits of those that go on. */
  private visitWord(w: number, f: number, commit: CommitInfo, images: readonly number[] | undefined): number {
    let goOn = f;
    for (let x = f; x !== 0;) {
      const low = x & -x;
      x ^= low;
      const state = this.states[w * 32 + 31 - Math.clz32(low)] as RefState;
      const kept = state.visit(commit, images);
      // Every reference that keeps all the commit's images is noted in one pass (visit); anything else (a
      // part of them, watched digests) one by one.
      if (kept === images && this.watched.size === 0) this.keepers[this.keeperCount++] = state;
      else this.notes.keep(state, commit, kept);
      if (state.done) {
        this.active[w]! &= ~low;
        this.activeCount -= 1;
        goOn &= ~low;
      }
    }
    return goOn;
  }

  /** ORs the words of `bits` at the `count` indexes in `which` into the commit's pending set and queues it (heap, or to read) unless it is queued. */
  private addPending(id: string, bits: Bits, which: Int32Array, count: number, childDate: number): void {
    const slots = this.slots;
    const slot = slots.slotOf(id);
    slots.orPending(slot, bits, which, count);
    if (slots.state[slot] !== IDLE) return;
    if (slots.hasInfo(slot)) {
      this.heap.push(slot);
      slots.state[slot] = IN_HEAP;
    } else {
      this.unfetched.push(slot);
      slots.state[slot] = UNFETCHED;
      this.unfetchedBound = Math.max(this.unfetchedBound, childDate);
    }
  }

  /** Reads the commits of the slots not read yet. */
  private async read(slots: readonly number[], what: (id: string) => string): Promise<void> {
    const wanted = slots.filter((slot) => !this.slots.hasInfo(slot));
    if (wanted.length > 0) this.store(wanted, await this.history.commits(this.idsOf(wanted)), what);
  }

  private idsOf(slots: readonly number[]): string[] {
    const ids = new Array<string>(slots.length);
    for (let i = 0; i < slots.length; i++) ids[i] = this.slots.id(slots[i] as number);
    return ids;
  }

  /** Holds what the history answered for the slots (none read yet); one it does not have fails the walk closed. */
  private store(slots: readonly number[], got: ReadonlyMap<string, CommitInfo>, what: (id: string) => string): void {
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as number;
      const id = this.slots.id(slot);
      const info = got.get(id);
      if (!info) {
        throw new IncompleteInputError('git history', `${what(id)} could not be read`,
          'nothing was deleted; make sure the history is complete (not shallow, not filtered) and readable');
      }
      this.slots.setInfo(slot, info);
      this.commitsRead += 1;
    }
  }
}
