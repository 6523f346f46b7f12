/**
 * A `GitHistory` from data the caller already has (a forge's answer, a build system's record): the
 * references and every commit reachable from them. regsweep's own adapters read a local clone or a
 * forge's API; this shows the port's contract in a few lines.
 */
import type { CommitInfo, GitHistory, GitRef } from '@regsweep/core';

export function memoryHistory(refs: GitRef[], commits: CommitInfo[]): GitHistory {
  const byId = new Map(commits.map((c) => [c.id, c]));
  return {
    refs: async () => refs,
    // Ids the history does not hold are left out: the engine treats them as gone.
    commits: async (ids) => new Map(ids.flatMap((id) => (byId.has(id) ? [[id, byId.get(id) as CommitInfo] as const] : []))),
    // An abbreviated id resolves only when exactly one commit starts with it.
    resolvePrefixes: async (prefixes) => {
      const resolved = new Map<string, string>();
      for (const prefix of prefixes) {
        const matches = commits.filter((c) => c.id.startsWith(prefix));
        if (matches.length === 1 && matches[0]) resolved.set(prefix, matches[0].id);
      }
      return resolved;
    },
  };
}
