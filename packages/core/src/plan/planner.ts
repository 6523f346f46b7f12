/**
 * The planner (docs/cleanup-semantics.md §4-§6): decides for every listed digest whether it is kept,
 * with every reason that holds, or deleted, with why nothing kept it. Pure: all it learns comes through
 * its arguments and the `GitHistory` port. The steps: map images to commits, walk the history of the
 * selected references, collect each unit's reasons (unit-reasons.ts), close over what kept images need
 * (closure.ts), split into the plan's lists (plan-lists.ts) and find stale tags.
 */
import { IncompleteInputError } from '../errors.js';
import type { ClusterImageUse, Digest, GitHistory, GitRef } from '../ports.js';
import type { CleanupPolicy } from '../policy/types.js';
import type { ImageGraph, ImageNode } from '../graph/graph.js';
import { KeptReasons } from './kept-reasons.js';
import { closeOverKept, keepAttachmentsOfUnlistedSubjects } from './closure.js';
import { mapImageCommits, planningUnits, UnitMappings } from './mapping.js';
import { childrenLeftBehind, freedBytes } from './freed.js';
import { namesImage } from './explain-target.js';
import { missContext } from './history-misses.js';
import { splitKeptAndDeleted } from './plan-lists.js';
import { compileKeepList, inUseReasons } from './reasons.js';
import { selectReferences } from './select-refs.js';
import { findStaleTags, type KnownHistory } from './stale-tags.js';
import type { Plan, PrimaryDecisions, Reason, StorageRole } from './types.js';
import { addUnitReasons } from './unit-reasons.js';
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
   * werf's storage roles (cleanup-semantics.md §7): a `final` repository follows the primary repository's
   * decisions; a `cache` repository is cleaned by age only. Absent: cleaned by the policy.
   */
  role?: StorageRole;
  /**
   * Images to explain (`regsweep explain`), by tag or digest (namesImage): the history walk follows them
   * past every limit, so that each policy's miss names a rank or says no reference reaches them. Costs
   * reading more history.
   */
  explain?: readonly string[];
  /** The history's references, when the caller asked for them already (read beside the listing). */
  refs?: Promise<GitRef[]>;
}

export function primaryDecisions(plan: Plan): PrimaryDecisions {
  const keptDigests = new Set(plan.kept.map((k) => k.digest));
  const keptTags = new Set(plan.kept.flatMap((k) => k.tags));
  const knownDigests = new Set([...keptDigests, ...plan.delete.map((d) => d.digest)]);
  const knownTags = new Set([...keptTags, ...plan.delete.flatMap((d) => d.tags)]);
  return { repository: plan.registry, keptDigests, keptTags, knownDigests, knownTags };
}

async function readRefs(history: GitHistory, early: Promise<GitRef[]> | undefined): Promise<GitRef[]> {
  try {
    return await (early ?? history.refs());
  } catch (err) {
    if (err instanceof Error && (err.name === 'InputError' || err instanceof IncompleteInputError)) throw err;
    throw new IncompleteInputError('git references', err instanceof Error ? err.message : String(err),
      'nothing was deleted; check access to the repository', err);
  }
}

const NO_WALK: WalkResult = { kept: [], sightings: new Map(), read: () => false, refs: [], watched: new Set(), commitsRead: 0, commitsVisited: 0 };

export async function planCleanup(input: PlanInput): Promise<Plan> {
  const { graph, policy, now, history, role } = input;
  const { units, tagged } = planningUnits(graph);
  const useGit = !policy.disableGitHistoryBasedPolicy && role === undefined;
  if (useGit && !history) throw new Error('planCleanup: the git-history policy needs a GitHistory');

  const refs = history ? await readRefs(history, input.refs) : [];
  const mapping = history ? await mapImageCommits(tagged, graph, refs, history, policy) : UnitMappings.NONE;
  const selection = useGit ? selectReferences(refs, policy.keepPolicies, now) : undefined;
  const selected = selection ? [...selection.selected.values()] : [];
  const watched = watchedUnits(mapping, input.explain);
  const walk = useGit && history && selected.length > 0 ? await walkSelected(selected, mapping, history, now, watched) : NO_WALK;

  const reasons = new KeptReasons(graph);
  const add = (d: Digest, r: Reason): void => reasons.add(d, r);
  const inUse = policy.disableKubernetesBasedPolicy ? new Map<Digest, Reason[]>() : inUseReasons(graph, input.registry.imageReference, input.clusterImages);
  for (const [d, list] of inUse) for (const r of list) add(d, r);
  const keepList = compileKeepList(input.keepTags);
  addUnitReasons(units, reasons, inUse, { policy, now, role, keepList, walk, mapping });
  if (input.registry.listsUntagged === false) keepAttachmentsOfUnlistedSubjects(graph, add);
  closeOverKept(graph, reasons, add);

  const misses = selection ? missContext(selection.policies, walk, refs, now, policy.imageCommits.tagPatterns) : undefined;
  const { kept, toDelete, keptNodes, deletedNodes } = splitKeptAndDeleted(graph, reasons, mapping, { now, policy, useGit, role, misses });
  const untag = history && !role ? await findStaleTags(kept, history, policy.imageCommits.tagPatterns, keepList, knownHistory(walk, mapping)) : [];
  const freed = freedBytes(graph, keptNodes, deletedNodes);
  const childrenLeft = input.registry.listsUntagged ? 0 : childrenLeftBehind(graph, (d) => reasons.has(d), deletedNodes);
  return {
    registry: input.registry.name, now, kept, delete: toDelete, untag, warnings: [],
    stats: {
      images: units.length, refs: refs.length, selectedRefs: selected.length, commitsRead: walk.commitsRead, commitsVisited: walk.commitsVisited,
      ...(freed !== undefined ? { freedBytes: freed } : {}), ...(childrenLeft > 0 ? { childrenLeft } : {}),
    },
  };
}

/** What the walk and the mapping learnt of the history, for the stale tags (asked again only for the rest). */
function knownHistory(walk: WalkResult, mapping: UnitMappings): KnownHistory {
  const resolved = mapping.resolvedPrefixes;
  return { holds: walk.read, resolves: (p) => resolved.get(p) };
}

/** The positions (in the mapping's units) of the mapped units explain names. */
function watchedUnits(mapping: UnitMappings, targets: readonly string[] | undefined): Set<number> {
  const out = new Set<number>();
  if (!targets || targets.length === 0) return out;
  mapping.units.forEach((n, i) => {
    if (mapping.commits[i] && targets.some((t) => namesImage(t, n.digest, n.tags))) out.add(i);
  });
  return out;
}

/** Walks the selected references' history, with the mapped images known by their position in the mapping. */
function walkSelected(selected: Parameters<typeof walkHistory>[0], mapping: UnitMappings, history: GitHistory, now: Date, watched: ReadonlySet<number>): Promise<WalkResult> {
  return walkHistory(selected, { digests: mapping.units.map((n) => n.digest), commits: mapping.commits }, history, now, watched);
}

export { planPurge } from './plan-lists.js';
export type { PrimaryDecisions, StorageRole } from './types.js';
