/**
 * The planner (policy-semantics.md §4-§6): decides for every listed digest whether it is kept, with
 * every reason that holds, or deleted, with why nothing kept it. Pure: all it learns comes through its
 * arguments and the `GitHistory` port.
 */
import { IncompleteInputError } from '../errors.js';
import type { ClusterImageUse, Digest, GitHistory, GitRef, ListedImage } from '../ports.js';
import type { CleanupPolicy } from '../policy/types.js';
import type { ImageGraph, ImageNode } from '../graph/graph.js';
import { isPlanningUnit, mapImageCommits, planningUnits, type ImageCommits } from './mapping.js';
import { compileKeepList, formatAge, imageTimeMs, inUseReasons, keepListReason, recentReason } from './reasons.js';
import { selectReferences } from './select-refs.js';
import { findStaleTags } from './stale-tags.js';
import { REASON_ORDER, type DeletionItem, type KeptImage, type Plan, type PlannedImage, type Reason, type ReasonName } from './types.js';
import { walkHistory, type WalkResult } from './walk.js';

export interface PlanInput {
  /**
   * `listsUntagged: false` (an OCI Distribution registry): a subject missing from the listing may
   * exist untagged, so its attachments are kept rather than judged orphaned. Default true.
   */
  registry: { name: string; imageReference?: string; listsUntagged?: boolean };
  graph: ImageGraph;
  policy: CleanupPolicy;
  /** Tag globs always kept: the policy's `keepTags` plus any keep-list file. */
  keepTags: readonly string[];
  /** Required unless `disableGitHistoryBasedPolicy`; also used to map names and abbreviated SHAs. */
  history?: GitHistory;
  /** Images workloads use; empty when the Kubernetes policy is off. */
  clusterImages: readonly ClusterImageUse[];
  now: Date;
  /**
   * werf's storage roles (seeds/004): a `final` repository follows the primary repository's
   * decisions; a `cache` repository is cleaned by age only. Absent: cleaned by the policy.
   */
  role?: { kind: 'final'; primary: PrimaryDecisions } | { kind: 'cache'; keepFor: number };
}

/** What a final repository follows: the primary repository's plan, as sets. */
export interface PrimaryDecisions {
  repository: string;
  keptDigests: ReadonlySet<Digest>;
  keptTags: ReadonlySet<string>;
  /** Every digest and tag the primary listed, kept or not. */
  knownDigests: ReadonlySet<Digest>;
  knownTags: ReadonlySet<string>;
}

export function primaryDecisions(plan: Plan): PrimaryDecisions {
  const keptDigests = new Set(plan.kept.map((k) => k.digest));
  const keptTags = new Set(plan.kept.flatMap((k) => k.tags));
  const knownDigests = new Set([...keptDigests, ...plan.delete.map((d) => d.digest)]);
  const knownTags = new Set([...keptTags, ...plan.delete.flatMap((d) => d.tags)]);
  return { repository: plan.registry, keptDigests, keptTags, knownDigests, knownTags };
}

/** The role reason of a unit (final: follows the primary; cache: younger than keepFor), if any. */
function roleReason(n: ImageNode, role: NonNullable<PlanInput['role']>, nowMs: number): Reason | undefined {
  if (role.kind === 'cache') {
    const t = imageTimeMs(n);
    if (t === undefined) return { reason: 'cache-age', detail: 'cache repository image of unknown age (kept to be safe)' };
    return nowMs - t < role.keepFor ? { reason: 'cache-age', detail: `cache repository image ${formatAge(nowMs - t)} old, younger than its keepFor` } : undefined;
  }
  const p = role.primary;
  if (p.keptDigests.has(n.digest)) return { reason: 'primary', detail: `the same digest is kept in ${p.repository}` };
  const tag = n.tags.find((t) => p.keptTags.has(t));
  return tag !== undefined ? { reason: 'primary', detail: `tag ${tag} is kept in ${p.repository}` } : undefined;
}

/** Whether the primary repository decided about this image at all (else the unmapped rule applies). */
function knownToPrimary(n: ImageNode, role: PlanInput['role']): boolean {
  return role?.kind === 'final' && (role.primary.knownDigests.has(n.digest) || n.tags.some((t) => role.primary.knownTags.has(t)));
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
  const history = input.history;
  const role = input.role;
  const useGit = !policy.disableGitHistoryBasedPolicy && role === undefined;
  if (useGit && !history) throw new Error('planCleanup: the git-history policy needs a GitHistory');

  const refs = history ? await readRefs(history) : [];
  const tagged = units.filter((u) => u.tags.length > 0);
  const mapping = history ? await mapImageCommits(tagged, graph, refs, history, policy) : new Map<Digest, ImageCommits>();

  const selected = useGit ? [...selectReferences(refs, policy.keepPolicies, now).values()] : [];
  let walk: WalkResult = { kept: new Map(), commitsRead: 0, commitsVisited: 0 };
  if (useGit && history && selected.length > 0) {
    const imagesByCommit = new Map<string, Digest[]>();
    const multiCommit = new Set<Digest>();
    for (const [digest, m] of mapping) {
      if (m.commits.length > 1) multiCommit.add(digest);
      for (const c of m.commits) {
        const list = imagesByCommit.get(c);
        if (list) list.push(digest);
        else imagesByCommit.set(c, [digest]);
      }
    }
    // Every mapping has at least one commit (and no commit twice), so the mapping's size is the
    // number of mapped digests.
    walk = await walkHistory(selected, imagesByCommit, history, now, { mapped: mapping.size, multiCommit });
  }

  const reasons = new Map<Digest, Reason[]>();
  const add = (d: Digest, r: Reason): void => {
    const list = reasons.get(d) ?? [];
    list.push(r);
    reasons.set(d, list);
  };
  const inUse = policy.disableKubernetesBasedPolicy ? new Map<Digest, Reason[]>() : inUseReasons(graph, input.registry.imageReference, input.clusterImages);
  for (const [d, list] of inUse) for (const r of list) add(d, r);
  const keepList = compileKeepList(input.keepTags);
  const recentHours = policy.disableBuiltWithinLastNHoursPolicy ? 0 : policy.keepImagesBuiltWithinLastNHours;
  const nowMs = now.getTime();
  const refText = new Map<GitRef, { policy: string; text: string }>();
  for (const n of units) {
    // The unit's reasons, in the order they are found; entered in `reasons` once, at the end.
    const had = inUse.size > 0 && inUse.has(n.digest) ? reasons.get(n.digest) : undefined;
    let list = had;
    const recent = recentReason(n, now, recentHours);
    if (recent) (list ??= []).push(recent);
    const byRole = role ? roleReason(n, role, nowMs) : undefined;
    if (byRole) (list ??= []).push(byRole);
    if (role?.kind === 'cache') {
      const listed = keepListReason(n, keepList);
      if (listed) (list ??= []).push(listed);
    } else if (n.tags.length === 0) {
      const keepFor = policy.untagged.keepFor ?? Number.POSITIVE_INFINITY;
      const t = imageTimeMs(n);
      if (keepFor > 0 && (t === undefined || nowMs - t < keepFor)) {
        (list ??= []).push({ reason: 'untagged-grace', detail: t !== undefined ? `untagged for less than untagged.keepFor (${formatAge(nowMs - t)} old)` : 'untagged, age unknown' });
      }
    } else {
      const listed = keepListReason(n, keepList);
      if (listed) (list ??= []).push(listed);
      const keeps = walk.kept.size > 0 ? walk.kept.get(n.digest) : undefined;
      if (keeps) {
        let commit = '';
        let reaches = '';
        for (const k of keeps) {
          // The keeps of one image mostly share a commit, and a reference keeps many images: each
          // text is made once.
          if (k.commit !== commit) reaches = ` reaches commit ${short((commit = k.commit))} of ${k.commitDate.toISOString()}`;
          let who = refText.get(k.ref);
          if (who?.policy !== k.policy) refText.set(k.ref, (who = { policy: k.policy, text: `${k.ref.kind} ${k.ref.name} (${k.policy})` }));
          (list ??= []).push({ reason: 'git-history', detail: who.text + reaches });
        }
      }
      // A final repository's image the primary never listed is treated like an unmapped one.
      if (role?.kind === 'final' ? !knownToPrimary(n, role) : !mapping.has(n.digest)) {
        const keepFor = policy.unmapped.keepFor;
        const t = imageTimeMs(n);
        if (keepFor === undefined || t === undefined || nowMs - t < keepFor) {
          (list ??= []).push({ reason: 'unmapped', detail: 'no commit could be found for it (§3); unmapped images are kept' + (keepFor === undefined ? '' : ' while younger than unmapped.keepFor') });
        }
      }
    }
    if (list && !had) reasons.set(n.digest, list);
  }

  // An attachment whose subject is not listed, on a registry that cannot list untagged digests: the
  // subject may still be there, untagged (and in use by digest): keep it rather than orphan-delete it.
  if (input.registry.listsUntagged === false) {
    for (const n of graph.nodes.values()) {
      if (n.listed && n.kind === 'attachment' && n.subject && !graph.nodes.has(n.subject)) {
        add(n.digest, { reason: 'closure', detail: `attachment of ${n.subject}, which this registry cannot list because it has no tag; kept in case it exists` });
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

  // One sort of the listed digests; both lists are then filled in digest order.
  const listedDigests: Digest[] = [];
  for (const n of graph.nodes.values()) if (n.listed) listedDigests.push(n.digest);
  listedDigests.sort();
  const deleting = (d: Digest): boolean => !reasons.has(d) && graph.nodes.get(d)?.listed !== undefined;
  const kept: KeptImage[] = [];
  const toDelete: DeletionItem[] = [];
  const why: WhyContext = { walk, now, useGit, role };
  for (const d of listedDigests) {
    const n = graph.nodes.get(d) as ImageNode;
    const m = mapping.get(d);
    const base = plannedImage(n, n.listed as ListedImage, m);
    const r = reasons.get(d);
    if (r) {
      const k = base as KeptImage;
      k.reasons = inReasonOrder(r);
      kept.push(k);
    } else {
      const del = base as DeletionItem;
      del.why = whyDeleted(n, m, graph, why);
      del.after = mustGoFirst(n, deleting);
      toDelete.push(del);
    }
  }
  const untag = history && !role ? await findStaleTags(kept, history, policy.imageCommits.tagPatterns, keepList) : [];
  return {
    registry: input.registry.name, now, kept, delete: toDelete, untag, warnings,
    stats: { images: units.length, refs: refs.length, selectedRefs: selected.length, commitsRead: walk.commitsRead, commitsVisited: walk.commitsVisited },
  };
}

const byDigest = (a: { digest: string }, b: { digest: string }): number => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);

const REASON_RANK = new Map<ReasonName, number>(REASON_ORDER.map((r, i) => [r, i]));
const rank = (r: Reason): number => REASON_RANK.get(r.reason) ?? -1;

/** A copy in REASON_ORDER (a stable sort, skipped when the list is in order already). */
function inReasonOrder(list: readonly Reason[]): Reason[] {
  for (let i = 1; i < list.length; i++) {
    if (rank(list[i - 1] as Reason) > rank(list[i] as Reason)) return list.slice().sort((a, b) => rank(a) - rank(b));
  }
  return list.slice();
}

/** Keys in a fixed order (digest, tags, kind, listed, platform, commits), as reports serialise them. */
function plannedImage(n: ImageNode, listed: ListedImage, m: ImageCommits | undefined): PlannedImage {
  const p: PlannedImage = { digest: n.digest, tags: n.tags.slice(), kind: n.kind, listed };
  if (n.platform) p.platform = n.platform;
  if (m) p.commits = { ids: m.commits, via: m.via };
  return p;
}

/** Order (§6): its attachments and the indexes that list it are deleted before it. */
function mustGoFirst(n: ImageNode, deleting: (d: Digest) => boolean): Digest[] {
  const out: Digest[] = [];
  for (const d of n.attachments) if (deleting(d)) out.push(d);
  for (const d of n.parents) if (deleting(d)) out.push(d);
  return out;
}

/** Purge (§6): every listed digest is deleted, in the safe order. */
export function planPurge(registry: { name: string }, graph: ImageGraph, now: Date): Plan {
  const deleting = new Set<Digest>();
  for (const n of graph.nodes.values()) if (n.listed) deleting.add(n.digest);
  const toDelete: DeletionItem[] = [];
  for (const n of graph.nodes.values()) {
    if (!n.listed) continue;
    toDelete.push({ ...plannedImage(n, n.listed, undefined), why: 'purge: every image of the repository is deleted', after: mustGoFirst(n, (d) => deleting.has(d)) });
  }
  toDelete.sort(byDigest);
  return { registry: registry.name, now, kept: [], delete: toDelete, untag: [], warnings: [], stats: { images: deleting.size, refs: 0, selectedRefs: 0, commitsRead: 0, commitsVisited: 0 } };
}

interface WhyContext {
  walk: WalkResult;
  now: Date;
  useGit: boolean;
  role: PlanInput['role'];
}

function whyDeleted(n: ImageNode, m: ImageCommits | undefined, graph: ImageGraph, ctx: WhyContext): string {
  const t = imageTimeMs(n);
  const age = t !== undefined ? `, built ${formatAge(ctx.now.getTime() - t)} ago` : '';
  if (n.kind === 'attachment' && n.subject) {
    return graph.nodes.has(n.subject) ? `attachment of ${n.subject}, which is not kept` : `attachment whose subject ${n.subject} is not in the repository`;
  }
  if (!isPlanningUnit(n)) return `child of deleted index ${n.parents.join(', ')}`;
  if (ctx.role?.kind === 'cache') return `cache repository image older than its keepFor${age}`;
  if (ctx.role?.kind === 'final') {
    return knownToPrimary(n, ctx.role) ? `not kept in the primary repository ${ctx.role.primary.repository}${age}` : `unknown to the primary repository and older than unmapped.keepFor${age}`;
  }
  if (n.tags.length === 0) return `untagged and not pinned by any workload${age}`;
  if (!m) return `unmapped and older than unmapped.keepFor${age}`;
  const commits = m.commits.map(short).join(', ');
  if (!ctx.useGit) return `git-history policy is disabled; commit ${commits} (${m.via})${age}`;
  return `commit ${commits} (${m.via}) is not among the images any selected reference keeps${age}`;
}
