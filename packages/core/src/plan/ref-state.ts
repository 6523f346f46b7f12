/**
 * One selected reference's choosing of images (cleanup-semantics.md §4.5), fed commit by commit,
 * newest first. Groups: the images whose newest reached commit is this commit (same-commit images
 * count once).
 */
import type { CommitInfo, Digest } from '../ports.js';
import type { SelectedRef } from './select-refs.js';

export class RefState {
  readonly cutoff: number | undefined;
  readonly operator: 'And' | 'Or';
  readonly last: number;
  /** Groups counted toward `last`. */
  taken = 0;
  /** How many digests this reference has reached. */
  reachedCount = 0;
  /**
   * The reached digests that other commits may list again. A reference visits each commit once, so
   * a digest of one commit cannot come back; only `multiCommit` digests (all, when unknown) are held.
   */
  readonly reached = new Set<Digest>();
  done = false;

  constructor(
    readonly selected: SelectedRef,
    now: Date,
    private readonly mappedImages: number,
    private readonly multiCommit?: ReadonlySet<Digest>,
  ) {
    const { images } = selected;
    this.cutoff = images.in === undefined ? undefined : now.getTime() - images.in;
    // Without `in`, the operator has no effect: `last` alone decides.
    this.operator = images.in === undefined ? 'And' : images.operator;
    this.last = images.last ?? Number.POSITIVE_INFINITY;
    if (this.operator === 'And' && this.last === 0) this.done = true;
  }

  /** Visits a commit; returns the digests this reference keeps at it. */
  visit(commit: CommitInfo, images: readonly Digest[] | undefined): readonly Digest[] {
    if (this.done) return [];
    const inWindow = this.cutoff === undefined || commit.date.getTime() > this.cutoff;
    // Commits come newest first: once outside `in`, nothing later can be a candidate (And),
    // or be kept beyond the first N (Or).
    if (!inWindow && (this.operator === 'And' || this.taken >= this.last)) {
      this.done = true;
      return [];
    }
    if (!images) return [];
    const multi = this.multiCommit;
    const fresh = multi && multi.size === 0 ? images : images.filter((d) => !this.reached.has(d));
    if (fresh.length === 0) return [];
    for (const d of fresh) if (!multi || multi.has(d)) this.reached.add(d);
    this.reachedCount += fresh.length;
    const keep = this.taken < this.last || (this.operator === 'Or' && inWindow);
    this.taken += 1;
    if (this.operator === 'And' && this.taken >= this.last) this.done = true;
    if (this.last === Number.POSITIVE_INFINITY && this.reachedCount >= this.mappedImages) this.done = true;
    return keep ? fresh : [];
  }
}
