/**
 * What the history walk (walk.ts) notes as references meet image groups: the git-history reasons that
 * keep each image (by its position), and for images `explain` watches, every meeting, kept or not.
 */
import type { CommitInfo, Digest } from '../ports.js';
import { KeptGroupTexts } from './decision-text.js';
import type { RefState, StopCause } from './ref-state.js';
import type { SelectedRef } from './select-refs.js';
import type { Reason } from './types.js';

/** One reference's meeting with an image group: the commit, the group's rank and whether it was within `in`. */
export interface HistoryKeep {
  selected: SelectedRef;
  commit: CommitInfo;
  rank: number;
  inWindow: boolean;
  /** A group met after the reference stopped keeping (explain walks on): why it had stopped. */
  afterStop?: StopCause;
}

/** Reasons noted per image, past which only watched images get more (the report shows a few). */
const MAX_DETAILS = 5;

export class WalkNotes {
  /** By image position: the git-history reasons that keep it, one per reference; undefined where none kept it. */
  readonly kept: Array<Reason[] | undefined>;
  /** Watched digests only: every reference's meeting with them, kept or not. */
  readonly sightings = new Map<Digest, HistoryKeep[]>();
  private readonly texts = new KeptGroupTexts();

  constructor(
    /** The digest at each image position. */
    private readonly digests: readonly Digest[],
    /** Positions of the images explain watches. */
    private readonly watched: ReadonlySet<number>,
  ) {
    this.kept = new Array<Reason[] | undefined>(digests.length);
  }

  /**
   * Notes that each of the first `count` of `states` kept these images of the commit: a git-history
   * reason each (at most MAX_DETAILS per image, but every one for a watched image).
   */
  keepAll(states: readonly RefState[], count: number, commit: CommitInfo, images: readonly number[]): void {
    const kept = this.kept;
    for (let k = 0; k < images.length; k++) {
      const i = images[k] as number;
      const everyOne = this.watched.size > 0 && this.watched.has(i);
      const list = kept[i];
      if (list) {
        // Met again (an image of several commits, or kept by another reference later): one more each.
        for (let s = 0; s < count && (everyOne || list.length < MAX_DETAILS); s++) list.push(this.reason(states[s] as RefState, commit));
        continue;
      }
      // The first reasons: a list of its final length (one grown by push holds room for 17).
      const fresh = new Array<Reason>(everyOne ? count : Math.min(count, MAX_DETAILS));
      for (let s = 0; s < fresh.length; s++) fresh[s] = this.reason(states[s] as RefState, commit);
      kept[i] = fresh;
    }
  }

  private reason(state: RefState, commit: CommitInfo): Reason {
    return this.texts.keptGroup(state.selected, commit, state.lastRank, state.lastInWindow);
  }

  /** Notes what the reference kept at the commit, and (watched images) every group it met there. */
  keep(state: RefState, commit: CommitInfo, images: readonly number[]): void {
    if (images.length > 0) this.keepAll([state], 1, commit, images);
    if (this.watched.size === 0 || state.lastRankAt !== commit) return;
    const afterStop = !state.keeping && state.stoppedBy && images.length === 0 ? { afterStop: state.stoppedBy } : {};
    for (const i of state.lastFresh) {
      if (!this.watched.has(i)) continue;
      this.sight(i, { selected: state.selected, commit, rank: state.lastRank, inWindow: state.lastInWindow, ...afterStop });
    }
  }

  /**
   * A git tag that keeps nothing of its own commit (`last: 0`, or the commit outside `in`) still met
   * those images as its first group: noted for every digest, so that each miss says so (one commit per tag).
   */
  sightTagGroup(state: RefState, commit: CommitInfo, images: readonly number[], kept: readonly number[]): void {
    const inWindow = state.cutoff === undefined || commit.date.getTime() > state.cutoff;
    for (const i of images) {
      if (kept.includes(i)) continue;
      this.sight(i, { selected: state.selected, commit, rank: 1, inWindow, ...(state.stoppedBy ? { afterStop: state.stoppedBy } : {}) });
    }
  }

  private sight(position: number, meeting: HistoryKeep): void {
    const d = this.digests[position] as Digest;
    const list = this.sightings.get(d);
    if (list) list.push(meeting);
    else this.sightings.set(d, [meeting]);
  }
}
