/**
 * One selected reference's choosing of images (cleanup-semantics.md §4.5), fed commit by commit,
 * newest first. Images are the walk's unit positions (walk.ts). Groups: the images whose newest
 * reached commit is this commit (same-commit images count once). Each group gets its rank; once the
 * reference keeps no more, it stops, unless it was asked to watch images (explain): then it walks on,
 * keeping nothing, until it has reached them all.
 */
import type { CommitInfo } from '../ports.js';
import type { SelectedRef } from './select-refs.js';

/** Why a reference stopped keeping: its `last`, its `in`, or every mapped image reached. */
export type StopCause = 'last' | 'in' | 'all-images';

export class RefState {
  readonly cutoff: number | undefined;
  readonly operator: 'And' | 'Or';
  readonly last: number;
  /** Groups met so far (the next group's rank is taken + 1). */
  taken = 0;
  /** How many digests this reference has reached. */
  reachedCount = 0;
  /**
   * The reached images that other commits may list again. A reference visits each commit once, so
   * an image of one commit cannot come back; only `multiCommit` images are held.
   */
  readonly reached = new Set<number>();
  /** Whether the reference still keeps what it reaches. */
  keeping = true;
  /** Why it stopped keeping, once it has. */
  stoppedBy: StopCause | undefined;
  /** Nothing more to do: not keeping, and no watched image left to reach. */
  done = false;
  /** The rank and window of the group of the last `visit` that reached images. */
  lastRank = 0;
  lastInWindow = true;
  /** The commit of that visit and the digests first reached there. */
  lastRankAt: CommitInfo | undefined;
  lastFresh: readonly number[] = [];
  /** The last commit the reference kept an image at. */
  lastKept: CommitInfo | undefined;
  /** Watched images this reference has not reached yet. */
  private watchLeft: number;

  constructor(
    readonly selected: SelectedRef,
    now: Date,
    private readonly mappedImages: number,
    /** Per image, 1 when more than one commit lists it; undefined when none does. */
    private readonly multiCommit: Uint8Array | undefined,
    /** Images to rank even beyond the limits (explain); the walk goes on until this reference reached them all. */
    private readonly watched?: ReadonlySet<number>,
  ) {
    const { images } = selected;
    this.cutoff = images.in === undefined ? undefined : now.getTime() - images.in;
    // Without `in`, the operator has no effect: `last` alone decides.
    this.operator = images.in === undefined ? 'And' : images.operator;
    this.last = images.last ?? Number.POSITIVE_INFINITY;
    this.watchLeft = watched?.size ?? 0;
    if (this.operator === 'And' && this.last === 0) this.stop('last');
  }

  /** Stops keeping; done too unless watched images are left to reach. */
  private stop(cause: StopCause): void {
    if (this.keeping) this.stoppedBy = cause;
    this.keeping = false;
    if (this.watchLeft === 0) this.done = true;
  }

  /** Visits a commit; returns the images this reference keeps at it. */
  visit(commit: CommitInfo, images: readonly number[] | undefined): readonly number[] {
    if (this.done) return [];
    const inWindow = this.cutoff === undefined || commit.date.getTime() > this.cutoff;
    // Commits come newest first: once outside `in`, nothing later can be a candidate (And),
    // or be kept beyond the first N (Or).
    if (this.keeping && !inWindow && (this.operator === 'And' || this.taken >= this.last)) {
      this.stop('in');
      if (this.done) return [];
    }
    if (!images) return [];
    const multi = this.multiCommit;
    const fresh = multi ? images.filter((d) => multi[d] === 0 || !this.reached.has(d)) : images;
    if (fresh.length === 0) return [];
    if (multi) for (const d of fresh) if (multi[d] === 1) this.reached.add(d);
    this.reachedCount += fresh.length;
    if (this.watchLeft > 0) for (const d of fresh) if (this.watched?.has(d)) this.watchLeft -= 1;
    const keep = this.keeping && (this.taken < this.last || (this.operator === 'Or' && inWindow));
    this.taken += 1;
    this.lastRank = this.taken;
    this.lastInWindow = inWindow;
    this.lastRankAt = commit;
    this.lastFresh = fresh;
    if (keep) this.lastKept = commit;
    if (this.keeping && this.operator === 'And' && this.taken >= this.last) this.stop('last');
    if (this.last === Number.POSITIVE_INFINITY && this.reachedCount >= this.mappedImages) this.stop('all-images');
    if (!this.keeping && this.watchLeft === 0) this.done = true;
    return keep ? fresh : [];
  }
}
