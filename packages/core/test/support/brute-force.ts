/**
 * A plain reference implementation of the git-history policy (cleanup-semantics.md §4), written
 * straight from the text and without any of the planner's machinery (no shared walk, no early stop,
 * no laziness): select references per policy, walk every selected reference's whole history
 * breadth-first, group reached images by their newest reached commit, order groups by date, apply
 * last / in / And / Or, take the union. Image commits follow §3 for the forms the random worlds use
 * with `simpleMapping` (full-id labels and tags, reference names).
 */
import type { ImageGraph, ImageNode } from '../../src/graph/graph.js';
import type { CommitInfo, Digest, GitRef } from '../../src/ports.js';
import type { CleanupPolicy, Limit, NamePattern } from '../../src/policy/types.js';

const FULL = /^[0-9a-f]{40}$/;

const matches = (p: NamePattern, name: string): boolean => (p.kind === 'literal' ? p.value === name : p.regex.test(name));
const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9._-]/g, '-');

/** §3 for full ids and names: label (an index: its children's labels), else sha tags, else names. */
export function simpleImageCommits(graph: ImageGraph, n: ImageNode, refs: readonly GitRef[]): string[] {
  let labels = n.revisions;
  if (labels.length === 0 && n.kind === 'index') labels = n.children.flatMap((c) => graph.nodes.get(c)?.revisions ?? []);
  const fromLabels = labels.map((l) => l.toLowerCase()).filter((l) => FULL.test(l));
  if (fromLabels.length > 0) return [...new Set(fromLabels)];
  const fromTags = n.tags.map((t) => (t.startsWith('sha-') ? t.slice(4) : t)).filter((t) => FULL.test(t));
  if (fromTags.length > 0) return [...new Set(fromTags)];
  const fromNames: string[] = [];
  for (const t of n.tags) {
    for (const r of refs) {
      if (r.kind === 'tag' ? r.name === t : r.name === t || slug(r.name) === t) fromNames.push(r.commit);
    }
  }
  return [...new Set(fromNames)];
}

interface Selected {
  ref: GitRef;
  images: Limit;
  policyIndex: number;
}

function selectRefs(refs: readonly GitRef[], policy: CleanupPolicy, now: number): Selected[] {
  const selected = new Map<string, Selected>();
  policy.keepPolicies.forEach((kp, policyIndex) => {
    const { kind, pattern, limit } = kp.references;
    const matching = refs
      .filter((r) => r.kind === kind && matches(pattern, r.name))
      .sort((a, b) => b.date.getTime() - a.date.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    matching.forEach((ref, rank) => {
      if (limit) {
        const byLast = limit.last === undefined || rank < limit.last;
        const byIn = limit.in === undefined || ref.date.getTime() > now - limit.in;
        if (limit.operator === 'Or' ? !(byLast || byIn) : !(byLast && byIn)) return;
      }
      selected.set(`${ref.kind}:${ref.name}`, { ref, images: kp.imagesPerReference, policyIndex });
    });
  });
  return [...selected.values()];
}

/** Every commit reachable from `tip` over all parents (a tag: its own commit only). */
function reachable(tip: string, commits: ReadonlyMap<string, CommitInfo>, depthOne: boolean): Set<string> {
  const seen = new Set<string>([tip]);
  if (depthOne) return seen;
  const queue = [tip];
  while (queue.length > 0) {
    const c = commits.get(queue.shift() as string);
    for (const p of c?.parents ?? []) {
      if (!seen.has(p)) {
        seen.add(p);
        queue.push(p);
      }
    }
  }
  return seen;
}

/** One selected reference's image groups: each reached digest's group rank (1 = newest) and whether it is kept. */
export interface BruteForceReference {
  ref: GitRef;
  policyIndex: number;
  groups: Map<Digest, { rank: number; kept: boolean }>;
}

/** Every selected reference with the rank of every image group it reaches, walking its whole history. */
export function bruteForceGroups(graph: ImageGraph, refs: readonly GitRef[], commits: ReadonlyMap<string, CommitInfo>, policy: CleanupPolicy, now: Date): BruteForceReference[] {
  if (policy.disableGitHistoryBasedPolicy) return [];
  // Only tagged, listed images that are not attachments are candidates (§5: untagged are not).
  const images: Array<{ digest: Digest; commits: string[] }> = [];
  for (const n of graph.nodes.values()) {
    if (!n.listed || n.kind === 'attachment' || n.tags.length === 0) continue;
    images.push({ digest: n.digest, commits: simpleImageCommits(graph, n, refs) });
  }
  const dateOf = (id: string): number => (commits.get(id) as CommitInfo).date.getTime();
  const newerFirst = (a: string, b: string): number => dateOf(b) - dateOf(a) || (a < b ? -1 : a > b ? 1 : 0);
  const out: BruteForceReference[] = [];
  for (const { ref, images: limit, policyIndex } of selectRefs(refs, policy, now.getTime())) {
    const visited = reachable(ref.commit, commits, ref.kind === 'tag');
    const byCommit = new Map<string, Digest[]>();
    for (const image of images) {
      const reached = image.commits.filter((c) => visited.has(c) && commits.has(c)).sort(newerFirst);
      const newest = reached[0];
      if (newest === undefined) continue;
      byCommit.set(newest, [...(byCommit.get(newest) ?? []), image.digest]);
    }
    const ordered = [...byCommit.keys()].sort(newerFirst);
    const last = limit.last ?? Number.POSITIVE_INFINITY;
    const inWindow = (c: string): boolean => limit.in === undefined || dateOf(c) > now.getTime() - limit.in;
    let keep: string[];
    if (limit.in === undefined) keep = ordered.slice(0, last);
    else if (limit.operator === 'And') keep = ordered.filter(inWindow).slice(0, last);
    else keep = ordered.filter((c, i) => i < last || inWindow(c));
    const keptCommits = new Set(keep);
    const groups = new Map<Digest, { rank: number; kept: boolean }>();
    ordered.forEach((c, i) => {
      for (const d of byCommit.get(c) ?? []) groups.set(d, { rank: i + 1, kept: keptCommits.has(c) });
    });
    out.push({ ref, policyIndex, groups });
  }
  return out;
}

/** The digests the git-history policy keeps. */
export function bruteForceGitKept(
  graph: ImageGraph,
  refs: readonly GitRef[],
  commits: ReadonlyMap<string, CommitInfo>,
  policy: CleanupPolicy,
  now: Date,
): Set<Digest> {
  const kept = new Set<Digest>();
  for (const r of bruteForceGroups(graph, refs, commits, policy, now)) for (const [d, g] of r.groups) if (g.kept) kept.add(d);
  return kept;
}
