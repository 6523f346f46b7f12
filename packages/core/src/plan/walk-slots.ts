/** The git-history walk's per-commit state (walk.ts), in flat typed arrays indexed by slot. */
import type { CommitInfo } from '../ports.js';

export type Bits = Uint32Array;

/** Where a commit's slot is: nowhere, in the heap, or waiting to be read. */
export const IDLE = 0;
export const IN_HEAP = 1;
export const UNFETCHED = 2;

const PAGE_BITS = 10;
const PAGE = 1 << PAGE_BITS;

/** The walk's per-commit state, in flat arrays indexed by slot (one Map lookup per commit id). */
export class Slots {
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly infos: Array<CommitInfo | undefined> = [];
  private dates = new Float64Array(64);
  /** IDLE, IN_HEAP or UNFETCHED. */
  state = new Uint8Array(64);
  /**
   * Per slot: `words` pending words, then `words` seen words, then `summaryWords` words with a bit per
   * pending word that may be non-zero (a commit is pending for a few references of 1,700: the walk
   * reads and ORs those words only). In pages of PAGE slots (a page is made when its first slot is;
   * nothing is copied as the walk grows — with 1,700 references a slot holds 440 bytes).
   */
  private readonly pages: Uint32Array[] = [];
  /** Words per slot: pending, seen, summary. */
  private readonly stride: number;
  readonly summaryWords: number;

  constructor(private readonly words: number) {
    this.summaryWords = Math.ceil(words / 32);
    this.stride = 2 * words + this.summaryWords;
  }

  /** The page holding the slot's words, and where in it they start (`words` pending, `words` seen, then the summary). */
  page(slot: number): Uint32Array {
    return this.pages[slot >> PAGE_BITS] as Uint32Array;
  }

  offset(slot: number): number {
    return (slot & (PAGE - 1)) * this.stride;
  }

  slotOf(id: string): number {
    let slot = this.index.get(id);
    if (slot !== undefined) return slot;
    slot = this.ids.length;
    this.index.set(id, slot);
    this.ids.push(id);
    this.infos.push(undefined);
    if (slot >= this.state.length) this.grow(this.state.length * 2);
    if ((slot & (PAGE - 1)) === 0) this.pages.push(new Uint32Array(PAGE * this.stride));
    return slot;
  }

  private grow(capacity: number): void {
    const dates = new Float64Array(capacity);
    dates.set(this.dates);
    this.dates = dates;
    const state = new Uint8Array(capacity);
    state.set(this.state);
    this.state = state;
  }

  /** ORs the words `from` has at the `count` indexes in `which` into the slot's pending words. */
  orPending(slot: number, from: Bits, which: Int32Array, count: number): void {
    const bits = this.page(slot);
    const p = this.offset(slot);
    const summary = p + 2 * this.words;
    for (let k = 0; k < count; k++) {
      const w = which[k] as number;
      bits[p + w]! |= from[w]!;
      bits[summary + (w >> 5)]! |= 1 << (w & 31);
    }
  }

  setInfo(slot: number, info: CommitInfo): void {
    this.infos[slot] = info;
    this.dates[slot] = info.date.getTime();
  }

  id(slot: number): string {
    return this.ids[slot] as string;
  }

  /** Whether the commit was read (its info is held). */
  holds(id: string): boolean {
    const slot = this.index.get(id);
    return slot !== undefined && this.infos[slot] !== undefined;
  }

  hasInfo(slot: number): boolean {
    return this.infos[slot] !== undefined;
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
