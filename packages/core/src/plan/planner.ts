/**
 * The planner (policy-semantics.md §4-§6): decides for every listed digest whether it is kept, with
 * every reason that holds, or deleted, with why nothing kept it. Pure: all it learns comes through its
 * arguments and the `GitHistory` port.
 */
import { IncompleteInputError } from '../errors.js';
import type { ClusterImageUse, Digest, GitHistory, GitRef, ListedImage } from '../ports.js';
import type { CleanupPolicy } from '../policy/types.js';
import type { ImageGraph, ImageNode } from '../graph/graph.js';
import { mapImageCommits, planningUnits, type ImageCommits } from './mapping.js';
import { compileKeepList, formatAge, imageTime, inUseReasons, keepListReason, recentReason } from './reasons.js';
import { selectReferences } from './select-refs.js';
import { REASON_ORDER, type DeletionItem, type KeptImage, type Plan, type PlannedImage, type Reason } from './types.js';
import { walkHistory, type WalkResult } from './walk.js';

export interface PlanInput {
  registry: { name: string; imageReference?: string };
  graph: ImageGraph;
  policy: CleanupPolicy;
  /** Tag globs always kept: the policy's `keepTags` plus any keep-list file. */
  keepTags: readonly string[];
  /** Required unless `disableGitHistoryBasedPolicy`; also used to map names and abbreviated SHAs. */
  history?: GitHistory;
  /** Images workloads use; empty when the Kubernetes policy is off. */
  clusterImages: readonly ClusterImageUse[];
  now: Date;
}

const short = (id: string): string => (id.startsWith('unresolved:') ? id.slice(11) : id.slice(0, 7));

async function readRefs(history: GitHistory): Promise<GitRef[]> {
  try {
    return await history.refs();
  } catch (err) {
    if (err instanceof Error && (err.name === 'InputError' || err instanceof IncompleteInputError)) throw err;
    throw new IncompleteInputError('git references', err instanceof Error ? err.message : String(err),
      'nothing was deleted; check access to the repository', err);
  }
}

export async function planCleanup(input: PlanInput): Promise<Plan> {
  const { graph, policy, now } = input;
  const warnings: string[] = [];
  const units = planningUnits(graph);
  const unitSet = new Set(units.map((u) => u.digest));
  const history = input.history;
  const useGit = !policy.disableGitHistoryBasedPolicy;
  if (useGit && !history) throw new Error('planCleanup: the git-history policy needs a GitHistory');

  const refs = history ? await readRefs(history) : [];
  const tagged = units.filter((u) => u.tags.length > 0);
  const mapping = history ? await mapImageCommits(tagged, graph, refs, history, policy) : new Map<Digest, ImageCommits>();

  const selected = useGit ? [...selectReferences(refs, policy.keepPolicies, now).values()] : [];
  let walk: WalkResult = { kept: new Map(), commitsRead: 0, commitsVisited: 0 };
  if (useGit && history && selected.length > 0) {
    const imagesByCommit = new Map<string, Digest[]>();
    for (const [digest, m] of mapping) {
      for (const c of m.commits) {
        const list = imagesByCommit.get(c) ?? [];
        list.push(digest);
        imagesByCommit.set(c, list);
      }
    }
    walk = await walkHistory(selected, imagesByCommit, history, now);
  }

  const reasons = new Map<Digest, Reason[]>();
  const add = (d: Digest, r: Reason): void => {
    const list = reasons.get(d) ?? [];
    list.push(r);
    reasons.set(d, list);
  };
  if (!policy.disableKubernetesBasedPolicy) {
    for (const [d, list] of inUseReasons(graph, input.registry.imageReference, input.clusterImages)) for (const r of list) add(d, r);
  }
  const keepList = compileKeepList(input.keepTags);
  const recentHours = policy.disableBuiltWithinLastNHoursPolicy ? 0 : policy.keepImagesBuiltWithinLastNHours;
  for (const n of units) {
    const recent = recentReason(n, now, recentHours);
    if (recent) add(n.digest, recent);
    if (n.tags.length === 0) {
      const keepFor = policy.untagged.keepFor ?? Number.POSITIVE_INFINITY;
      const t = imageTime(n);
      if (keepFor > 0 && (!t || now.getTime() - t.getTime() < keepFor)) {
        add(n.digest, { reason: 'untagged-grace', detail: t ? `untagged for less than untagged.keepFor (${formatAge(now.getTime() - t.getTime())} old)` : 'untagged, age unknown' });
      }
      continue;
    }
    const listed = keepListReason(n, keepList);
    if (listed) add(n.digest, listed);
    for (const k of walk.kept.get(n.digest) ?? []) {
      add(n.digest, { reason: 'git-history', detail: `${k.ref.kind} ${k.ref.name} (${k.policy}) reaches commit ${short(k.commit)} of ${k.commitDate.toISOString()}` });
    }
    if (!mapping.has(n.digest)) {
      const keepFor = policy.unmapped.keepFor;
      const t = imageTime(n);
      if (keepFor === undefined || !t || now.getTime() - t.getTime() < keepFor) {
        add(n.digest, { reason: 'unmapped', detail: 'no commit could be found for it (§3); unmapped images are kept' + (keepFor === undefined ? '' : ' while younger than unmapped.keepFor') });
      }
    }
  }

  // Closure (§5): children of kept indexes, attachments of kept images.
  const queue = [...reasons.keys()];
  const closureOf = (d: Digest, from: Digest, what: string): void => {
    if (!reasons.has(d)) queue.push(d);
    add(d, { reason: 'closure', detail: `${what} ${from}` });
  };
  for (let i = 0; i < queue.length; i++) {
    const n = graph.nodes.get(queue[i] as Digest);
    if (!n) continue;
    for (const c of n.children) if (!reasons.get(c)?.some((r) => r.reason === 'closure')) closureOf(c, n.digest, 'child of kept index');
    for (const a of n.attachments) if (!reasons.get(a)?.some((r) => r.reason === 'closure')) closureOf(a, n.digest, 'attachment of kept image');
  }

  const kept: KeptImage[] = [];
  const toDelete: DeletionItem[] = [];
  const deleting = new Set<Digest>();
  for (const n of graph.nodes.values()) if (n.listed && !reasons.has(n.digest)) deleting.add(n.digest);
  for (const n of graph.nodes.values()) {
    if (!n.listed) continue;
    const base = plannedImage(n, n.listed, mapping.get(n.digest));
    const r = reasons.get(n.digest);
    if (r) {
      kept.push({ ...base, reasons: [...r].sort((a, b) => REASON_ORDER.indexOf(a.reason) - REASON_ORDER.indexOf(b.reason)) });
      continue;
    }
    toDelete.push({ ...base, why: whyDeleted(n, graph, { unitSet, mapping, walk, now, useGit }), after: mustGoFirst(n, deleting) });
  }
  kept.sort(byDigest);
  toDelete.sort(byDigest);
  return {
    registry: input.registry.name, now, kept, delete: toDelete, warnings,
    stats: { images: units.length, refs: refs.length, selectedRefs: selected.length, commitsRead: walk.commitsRead, commitsVisited: walk.commitsVisited },
  };
}

const byDigest = (a: { digest: string }, b: { digest: string }): number => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);

function plannedImage(n: ImageNode, listed: ListedImage, m: ImageCommits | undefined): PlannedImage {
  return {
    digest: n.digest, tags: [...n.tags], kind: n.kind, listed,
    ...(n.platform ? { platform: n.platform } : {}),
    ...(m ? { commits: { ids: m.commits, via: m.via } } : {}),
  };
}

/** Order (§6): its attachments and the indexes that list it are deleted before it. */
function mustGoFirst(n: ImageNode, deleting: ReadonlySet<Digest>): Digest[] {
  return [...n.attachments, ...n.parents].filter((d) => deleting.has(d));
}

/** Purge (§6): every listed digest is deleted, in the safe order. */
export function planPurge(registry: { name: string }, graph: ImageGraph, now: Date): Plan {
  const deleting = new Set<Digest>();
  for (const n of graph.nodes.values()) if (n.listed) deleting.add(n.digest);
  const toDelete: DeletionItem[] = [];
  for (const n of graph.nodes.values()) {
    if (!n.listed) continue;
    toDelete.push({ ...plannedImage(n, n.listed, undefined), why: 'purge: every image of the repository is deleted', after: mustGoFirst(n, deleting) });
  }
  toDelete.sort(byDigest);
  return { registry: registry.name, now, kept: [], delete: toDelete, warnings: [], stats: { images: deleting.size, refs: 0, selectedRefs: 0, commitsRead: 0, commitsVisited: 0 } };
}

interface WhyContext {
  unitSet: Set<Digest>;
  mapping: Map<Digest, ImageCommits>;
  walk: WalkResult;
  now: Date;
  useGit: boolean;
}

function whyDeleted(n: ImageNode, graph: ImageGraph, ctx: WhyContext): string {
  const t = imageTime(n);
  const age = t ? `, built ${formatAge(ctx.now.getTime() - t.getTime())} ago` : '';
  if (n.kind === 'attachment' && n.subject) {
    return graph.nodes.has(n.subject) ? `attachment of ${n.subject}, which is not kept` : `attachment whose subject ${n.subject} is not in the repository`;
  }
  if (!ctx.unitSet.has(n.digest)) return `child of deleted index ${n.parents.join(', ')}`;
  if (n.tags.length === 0) return `untagged and not pinned by any workload${age}`;
  const m = ctx.mapping.get(n.digest);
  if (!m) return `unmapped and older than unmapped.keepFor${age}`;
  const commits = m.commits.map(short).join(', ');
  if (!ctx.useGit) return `git-history policy is disabled; commit ${commits} (${m.via})${age}`;
  return `commit ${commits} (${m.via}) is not among the images any selected reference keeps${age}`;
}
