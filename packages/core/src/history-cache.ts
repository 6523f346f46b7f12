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
