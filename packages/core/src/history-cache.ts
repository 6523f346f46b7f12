/**
 * A `GitHistory` that remembers what it read, so several repositories planned in one run share one
 * walk of the history: refs are read once, and each commit and prefix is asked for once.
 */
import type { CommitInfo, GitHistory, GitRef } from './ports.js';

export function sharedHistory(history: GitHistory): GitHistory {
  let refs: Promise<GitRef[]> | undefined;
  const commits = new Map<string, CommitInfo | null>();
  const prefixes = new Map<string, string | null>();
  return {
    refs: () => (refs ??= history.refs()),
    async commits(ids) {
      const missing = ids.filter((id) => !commits.has(id));
      if (missing.length > 0) {
        const got = await history.commits(missing);
        for (const id of missing) commits.set(id, got.get(id) ?? null);
      }
      const out = new Map<string, CommitInfo>();
      for (const id of ids) {
        const c = commits.get(id);
        if (c) out.set(id, c);
      }
      return out;
    },
    async resolvePrefixes(asked) {
      const missing = asked.filter((p) => !prefixes.has(p));
      if (missing.length > 0) {
        const got = await history.resolvePrefixes(missing);
        for (const p of missing) prefixes.set(p, got.get(p) ?? null);
      }
      const out = new Map<string, string>();
      for (const p of asked) {
        const id = prefixes.get(p);
        if (id) out.set(p, id);
      }
      return out;
    },
  };
}

const FULL_COMMIT_ID = /^[0-9a-f]{40}$/;

/**
 * `commits(ids)` of a history read from a forge's API in pages: the asked full ids that are neither
 * in `store.cache` nor known to be unknown are read a batch at a time (a batch's pages often hold the
 * next batch's commits), by `readBatch`, which fills `store.cache`; ids it did not fill are remembered
 * as unknown. Answers from the cache, keyed by the ids as asked (lookup is case-insensitive).
 */
export async function commitsFromPages(
  ids: readonly string[],
  store: { cache: Map<string, CommitInfo>; unknown: Set<string> },
  batchSize: () => number,
  readBatch: (batch: string[]) => Promise<void>,
  /** Batches read at once (default 1). More saves round trips; a page may then hold a commit another batch asks for. */
  inFlight = 1,
): Promise<Map<string, CommitInfo>> {
  const asked = [...new Set(ids)];
  const missing = (): string[] =>
    [...new Set(asked.map((id) => id.toLowerCase()))].filter((id) => FULL_COMMIT_ID.test(id) && !store.cache.has(id) && !store.unknown.has(id));
  for (let todo = missing(); todo.length > 0; todo = missing()) {
    const size = Math.max(1, batchSize());
    const batches: string[][] = [];
    for (let i = 0; i < todo.length && batches.length < Math.max(1, inFlight); i += size) batches.push(todo.slice(i, i + size));
    await Promise.all(batches.map((batch) => readBatch(batch)));
    for (const batch of batches) for (const id of batch) if (!store.cache.has(id)) store.unknown.add(id);
  }
  const found = new Map<string, CommitInfo>();
  for (const id of asked) {
    const c = store.cache.get(id.toLowerCase());
    if (c) found.set(id, c);
  }
  return found;
}
