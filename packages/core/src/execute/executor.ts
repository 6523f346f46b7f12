/**
 * Applies a plan's deletions through the `Registry` port (cleanup-semantics.md §6): attachments before
 * their subject and an index before its children (each item waits for its `after` list), bounded
 * concurrency, retries of transient failures with backoff, 404 = already gone. A failure blocks only
 * the items that must wait for it; independent deletions go on.
 */
import { InputError } from '../errors.js';
import { BudgetExhausted, DeleteSkipped, RegistryError, type Clock, type Digest, type Registry } from '../ports.js';
import type { DeletionItem, StaleTag } from '../plan/types.js';
import { DeletionBudget } from '../pipeline/budget.js';
import { mapLimit } from '../util/pool.js';

export type ItemStatus = 'deleted' | 'gone' | 'failed' | 'skipped' | 'not-attempted';

export interface ItemResult {
  item: DeletionItem;
  status: ItemStatus;
  /** Why it failed, was skipped or was not attempted. */
  message?: string;
  attempts: number;
}

export interface ExecuteOptions {
  clock: Clock;
  concurrency: number;
  /** Attempts per item for transient failures (default 4). */
  attempts?: number;
  /** First backoff in ms, doubled each retry (default 500). */
  backoffMs?: number;
  /**
   * The run's deletion budget, shared by every repository of a run: once it is spent no deletion
   * starts and the rest are reported not attempted. Absent: no budget.
   */
  budget?: DeletionBudget;
  onProgress?: (result: ItemResult, done: number, total: number) => void;
}

function isTransient(err: unknown): boolean {
  if (err instanceof RegistryError) return err.transient;
  if (err instanceof DeleteSkipped) return false;
  if (err instanceof InputError) return false; // a wrong token or setting: retrying cannot help
  return true; // network errors and the like
}

/** `halt`: the registry's budget ran out (BudgetExhausted); start no further deletions. */
type Attempt = { status: ItemStatus; message?: string; attempts: number; halt?: true };

/** One write with retries of transient failures (backoff doubling from `backoffMs`). */
async function withRetries(write: () => Promise<'deleted' | 'gone'>, options: ExecuteOptions): Promise<Attempt> {
  const attempts = options.attempts ?? 4;
  const backoff = options.backoffMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return { status: await write(), attempts: attempt };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof DeleteSkipped) return { status: 'skipped', message, attempts: attempt };
      if (err instanceof BudgetExhausted) return { status: 'not-attempted', message, attempts: attempt - 1, halt: true };
      if (!isTransient(err) || attempt >= attempts) return { status: 'failed', message, attempts: attempt };
      await options.clock.sleep(backoff * 2 ** (attempt - 1));
    }
  }
}

export interface TagResult {
  item: StaleTag;
  status: ItemStatus;
  message?: string;
}

/** Removes stale tags alone (their digests stay), a few at a time. */
export async function removeTags(registry: Registry, items: readonly StaleTag[], options: ExecuteOptions): Promise<TagResult[]> {
  const remove = registry.deleteTag?.bind(registry);
  if (!remove || !registry.capabilities.deletesTagAlone) {
    return items.map((item) => ({ item, status: 'skipped', message: `${registry.name} cannot remove a tag without deleting its digest, so the tag stays` }));
  }
  let halted: string | undefined;
  return mapLimit(items, Math.max(1, options.concurrency), async (item) => {
    if (halted !== undefined) return { item, status: 'not-attempted', message: halted };
    const r = await withRetries(() => remove(item.tag), options);
    if (r.halt) halted = r.message;
    return { item, status: r.status, ...(r.message !== undefined ? { message: r.message } : {}) };
  });
}

export async function executeDeletions(registry: Registry, items: readonly DeletionItem[], options: ExecuteOptions): Promise<ItemResult[]> {
  const byDigest = new Map<Digest, DeletionItem>(items.map((i) => [i.digest, i]));
  const waitingOn = new Map<Digest, number>();
  const dependents = new Map<Digest, Digest[]>();
  for (const item of items) {
    const before = item.after.filter((d) => byDigest.has(d));
    waitingOn.set(item.digest, before.length);
    for (const d of before) dependents.set(d, [...(dependents.get(d) ?? []), item.digest]);
  }
  const results = new Map<Digest, ItemResult>();
  const ready: Digest[] = items.filter((i) => waitingOn.get(i.digest) === 0).map((i) => i.digest);
  let done = 0;

  const finish = (r: ItemResult): void => {
    results.set(r.item.digest, r);
    done += 1;
    options.onProgress?.(r, done, items.length);
    const ok = r.status === 'deleted' || r.status === 'gone';
    for (const dep of dependents.get(r.item.digest) ?? []) {
      if (results.has(dep)) continue;
      if (ok) {
        const left = (waitingOn.get(dep) ?? 1) - 1;
        waitingOn.set(dep, left);
        if (left === 0) ready.push(dep);
      } else {
        const short = r.item.digest.slice(0, 19);
        // Waiting on an item the budget left for the next run leaves this one for the next run too.
        const status = r.status === 'not-attempted' ? 'not-attempted' : 'skipped';
        block(dep, status, `not deleted because ${short}… must go first and was not deleted (${r.status})`);
      }
    }
  };
  const block = (d: Digest, status: 'skipped' | 'not-attempted', message: string): void => {
    const item = byDigest.get(d) as DeletionItem;
    finish({ item, status, message, attempts: 0 });
  };

  // Set once the registry reports its budget exhausted: nothing further starts; the next run continues.
  let halted: string | undefined;
  const deleteOne = async (item: DeletionItem): Promise<ItemResult> => {
    const { halt, ...r } = await withRetries(() => registry.deleteImage(item.listed), options);
    if (halt) halted ??= r.message;
    // Never sent (the platform's budget ran out first): it does not count against the run's.
    if (r.status === 'not-attempted') options.budget?.giveBack();
    return { item, ...r };
  };

  let running = 0;
  const budget = options.budget ?? new DeletionBudget(undefined);
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (running < Math.max(1, options.concurrency) && ready.length > 0) {
        const d = ready.shift() as Digest;
        if (results.has(d)) continue;
        const item = byDigest.get(d) as DeletionItem;
        if (halted !== undefined) {
          finish({ item, status: 'not-attempted', message: halted, attempts: 0 });
          continue;
        }
        if (!budget.take()) {
          finish({ item, status: 'not-attempted', message: budget.message, attempts: 0 });
          continue;
        }
        running += 1;
        void deleteOne(item).then((r) => {
          running -= 1;
          finish(r);
          pump();
        });
      }
      if (running === 0 && ready.length === 0) resolve();
    };
    pump();
  });
  // Anything never reached (a cycle in `after`, which a valid plan does not have) is reported.
  for (const item of items) {
    if (!results.has(item.digest)) results.set(item.digest, { item, status: 'not-attempted', message: 'waiting on an item that never finished', attempts: 0 });
  }
  return items.map((i) => results.get(i.digest) as ItemResult);
}
