/** The git-history walk's per-commit state (walk.ts), in flat typed arrays indexed by slot. */
import type { CommitInfo } from '../ports.js';

export type Bits = Uint32Array;

/** Where a commit's slot is: nowhere, in the heap, or waiting to be read. */
export const IDLE = 0;
export const IN_HEAP = 1;
export const UNFETCHED = 2;

/** The walk's per-commit state, in flat arrays indexed by slot (one Map lookup per commit id). */
export class Slots {
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
