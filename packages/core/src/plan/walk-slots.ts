/** The git-history walk's per-commit state (walk.ts), in flat typed arrays indexed by slot. */
import type { CommitInfo } from '../ports.js';

export type Bits = Uint32Array;

/** Where a commit's slot is: nowhere, in the heap, or waiting to be read. */
export const IDLE = 0;
export const IN_HEAP = 1;
export const UNFETCHED = 2;

const PAGE_BITS = 10;
const PAGE = 1 << PAGE_BITS;

/**
 * The walk's per-commit state, in flat arrays indexed by slot (one Map lookup per commit id). The
 * commits images were built from get their slots first, with those images' positions, so that one
 * lookup finds a commit's slot and its images.
 */
export class Slots {
  private readonly index = new Map<string, number>();
  /** How many slots there are (the arrays below are made longer than that, and grow by assignment). */
  private count = 0;
  private readonly ids: string[];
  private readonly infos: Array<CommitInfo | undefined>;
  /** Per slot, the positions of the images built from the commit (undefined: none). */
  private readonly images: Array<number[] | undefined>;
  private dates = new Float64Array(64);
  /** IDLE, IN_HEAP or UNFETCHED. */
  state = new Uint8Array(64);
  /** Per slot, where its words are (a place, below), or -1 until something is pending there. */
  private places = new Int32Array(64).fill(-1);
  private placed = 0;
  /**
   * Per place: `words` pending words, then `words` seen words, then `summaryWords` words with a bit per
   * pending word that may be non-zero (a commit is pending for a few references of 1,700: the walk
   * reads and ORs those words only). In pages of PAGE places, made as the walk reaches commits (nothing
   * is copied as it grows — with 1,700 references a place holds 440 bytes); a slot the walk never
   * reaches has no place.
   */
  private readonly pages: Uint32Array[] = [];
  /** Words per place: pending, seen, summary. */
  private readonly stride: number;
  readonly summaryWords: number;

  /** `commitsOf[i]`: the commit ids image position i was built from (none twice), or undefined. */
  constructor(private readonly words: number, commitsOf: ReadonlyArray<{ ids: readonly string[] } | undefined> = []) {
    this.summaryWords = Math.ceil(words / 32);
    this.stride = 2 * words + this.summaryWords;
    // Sized once for the commits images were built from (at most one slot each), then filled in one
    // pass with one Map lookup per id: 100,000 pushes onto three growing arrays cost a third more.
    let ids = 0;
    for (let i = 0; i < commitsOf.length; i++) ids += commitsOf[i]?.ids.length ?? 0;
    const capacity = Math.max(64, ids + 64);
    this.ids = new Array<string>(capacity);
    this.infos = new Array<CommitInfo | undefined>(capacity);
    this.images = new Array<number[] | undefined>(capacity);
    if (capacity > this.state.length) this.grow(capacity);
    commitsOf.forEach((m, i) => {
      if (!m) return;
      for (let k = 0; k < m.ids.length; k++) {
        const id = m.ids[k] as string;
        const slot = this.index.get(id);
        if (slot === undefined) {
          this.index.set(id, this.count);
          this.ids[this.count] = id;
          this.images[this.count++] = [i];
        } else (this.images[slot] as number[]).push(i);
      }
    });
  }

  /** The positions of the images built from the slot's commit. */
  imagesOf(slot: number): readonly number[] | undefined {
    return this.images[slot];
  }

  /** The page holding the slot's words (the slot has something pending, or had), and where in it they start. */
  page(slot: number): Uint32Array {
    return this.pages[(this.places[slot] as number) >> PAGE_BITS] as Uint32Array;
  }

  offset(slot: number): number {
    return ((this.places[slot] as number) & (PAGE - 1)) * this.stride;
  }

  slotOf(id: string): number {
    let slot = this.index.get(id);
    if (slot !== undefined) return slot;
    slot = this.count++;
    this.index.set(id, slot);
    this.ids[slot] = id; // its info and images: undefined (holes) until set
    if (slot >= this.state.length) this.grow(this.state.length * 2);
    return slot;
  }

  /** Gives the slot its words, the first time something is pending there. */
  private place(slot: number): void {
    const place = this.placed++;
    this.places[slot] = place;
    if ((place & (PAGE - 1)) === 0) this.pages.push(new Uint32Array(PAGE * this.stride));
  }

  private grow(capacity: number): void {
    const dates = new Float64Array(capacity);
    dates.set(this.dates);
    this.dates = dates;
    const state = new Uint8Array(capacity);
    state.set(this.state);
    this.state = state;
    const places = new Int32Array(capacity).fill(-1);
    places.set(this.places);
    this.places = places;
  }

  /** ORs the words `from` has at the `count` indexes in `which` into the slot's pending words. */
  orPending(slot: number, from: Bits, which: Int32Array, count: number): void {
    if (this.places[slot] === -1) this.place(slot);
    const bits = this.page(slot);
    const p = this.offset(slot);
    const summary = p + 2 * this.words;
    for (let k = 0; k < count; k++) {
      const w = which[k] as number;
      bits[p + w]! |= from[w]!;
      bits[summary + (w >> 5)]! |= 1 << (w & 31);
    }
  }

  /**
   * Holds what the history read for the slot's commit. A commit is known by the id the history answers
   * with: should that differ from the id asked for (a history matching ids in any case), its images are
   * those of the id answered.
   */
  setInfo(slot: number, info: CommitInfo): void {
    this.infos[slot] = info;
    this.dates[slot] = info.date.getTime();
    if (info.id !== this.ids[slot]) {
      const same = this.index.get(info.id);
      this.images[slot] = same === undefined ? undefined : this.images[same];
    }
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
