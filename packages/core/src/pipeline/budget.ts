/**
 * The whole run's deletion budget (`--max-deletions`, the Action's and the job's `max-deletions`): one
 * count shared by every repository of the run, so N means N deletions in all, never N per repository.
 */
export class DeletionBudget {
  #used = 0;

  /** `limit` undefined: no budget. */
  constructor(readonly limit: number | undefined) {}

  /** Takes one deletion from the budget; false (and nothing taken) when it is spent. */
  take(): boolean {
    if (this.limit !== undefined && this.#used >= this.limit) return false;
    this.#used += 1;
    return true;
  }

  /** Gives back a deletion that was taken but never sent (the platform's own budget ran out first). */
  giveBack(): void {
    if (this.#used > 0) this.#used -= 1;
  }

  get used(): number {
    return this.#used;
  }

  /** What an item the budget left for the next run is told. */
  get message(): string {
    return `max-deletions (${this.limit ?? 'no limit'} for the whole run) reached; the next run continues`;
  }
}
