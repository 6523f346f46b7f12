/**
 * A deleted image's decision (cleanup-semantics.md §4-§6): the rule that let it go as data, and the
 * one sentence the summary prints, made from that data. Every decision object is made in one literal
 * with its keys in the report's order (`ageMs` last; absent keys are `undefined`, which JSON leaves out).
 */
import type { ImageGraph, ImageNode } from '../graph/graph.js';
import { formatDuration } from '../policy/duration.js';
import type { CleanupPolicy } from '../policy/types.js';
import { goneBranches, historyMisses, type MissContext } from './history-misses.js';
import { isPlanningUnit, LABEL_VIA, type ImageCommits } from './mapping.js';
import { imageTimeMs } from './reasons.js';
import type { DeletionDecision, PolicyMiss, StorageRole } from './types.js';
import { knownToPrimary, short } from './unit-reasons.js';

export interface DecisionContext {
  now: Date;
  policy: CleanupPolicy;
  useGit: boolean;
  role: StorageRole | undefined;
  /** Present when the git-history policy ran. */
  misses: MissContext | undefined;
}

/** The decision for an image nothing keeps, and its sentence. */
export function deletionDecision(n: ImageNode, m: ImageCommits | undefined, graph: ImageGraph, ctx: DecisionContext): { decision: DeletionDecision; why: string } {
  const t = imageTimeMs(n);
  return decisionByRule(n, m, graph, ctx, t === undefined ? undefined : ctx.now.getTime() - t);
}

function decisionByRule(n: ImageNode, m: ImageCommits | undefined, graph: ImageGraph, ctx: DecisionContext, ageMs: number | undefined): { decision: DeletionDecision; why: string } {
  if (n.kind === 'attachment' && n.subject) {
    const decision: DeletionDecision = { cause: 'attachment', rule: 'closure', of: [n.subject], ageMs };
    return { decision, why: graph.nodes.has(n.subject) ? `attachment of ${n.subject}, which is not kept` : `attachment whose subject ${n.subject} is not in the repository` };
  }
  if (!isPlanningUnit(n)) return { decision: { cause: 'child', rule: 'closure', of: n.parents.slice(), ageMs }, why: `child of deleted index ${n.parents.join(', ')}` };
  const role = ctx.role;
  if (role?.kind === 'cache') {
    return { decision: { cause: 'cache-age', rule: 'cache.keepFor', windowMs: role.keepFor, ageMs }, why: `cache repository image older than its keepFor (${formatDuration(role.keepFor)})` };
  }
  if (role?.kind === 'final') {
    const repo = role.primary.repository;
    return knownToPrimary(n, role)
      ? { decision: { cause: 'not-kept-in-primary', rule: 'primary', of: [repo], ageMs }, why: `not kept in the primary repository ${repo}` }
      : { decision: { cause: 'unknown-to-primary', rule: 'cleanup.unmapped.keepFor', of: [repo], ageMs }, why: `unknown to the primary repository ${repo} and older than unmapped.keepFor` };
  }
  if (n.tags.length === 0) {
    const keepFor = ctx.policy.untagged.keepFor ?? 0;
    const older = keepFor > 0 ? ` and older than untagged.keepFor (${formatDuration(keepFor)})` : '';
    return { decision: { cause: 'untagged', rule: 'cleanup.untagged.keepFor', windowMs: keepFor, ageMs }, why: `untagged and not pinned by any workload${older}` };
  }
  if (!m) {
    const keepFor = ctx.policy.unmapped.keepFor ?? 0;
    return {
      decision: { cause: 'unmapped', rule: 'cleanup.unmapped.keepFor', windowMs: keepFor, ageMs },
      why: `no commit found for it (unmapped) and older than unmapped.keepFor (${formatDuration(keepFor)})`,
    };
  }
  const commits = m.ids.length === 1 ? short(m.ids[0] as string) : m.ids.map(short).join(', ');
  if (!ctx.useGit || !ctx.misses) {
    return { decision: { cause: 'git-history-disabled', rule: 'cleanup.disableGitHistoryBasedPolicy', ageMs }, why: `git-history policy is disabled; commit ${commits} (${m.via})` };
  }
  const { misses, nearest } = historyMisses(n, m, ctx.misses);
  const goneBranchNames = goneBranches(n, ctx.misses);
  const rule = ctx.policy.defaultKeepPolicies ? 'default keepPolicies' : 'cleanup.keepPolicies';
  const decision: DeletionDecision = { cause: 'git-history', rule, misses, goneBranches: goneBranchNames, ageMs };
  // Misses met beyond a limit are the image's own; the others are shared by every image they concern.
  const shared = nearest === undefined || (nearest.outcome !== 'beyond-last' && nearest.outcome !== 'outside-in');
  if (goneBranchNames || m.via !== LABEL_VIA || !shared) return { decision, why: `commit ${commits} (${m.via}): ${fateText(goneBranchNames)}${missText(nearest)}` };
  return { decision, why: `commit ${commits}${labelTail(nearest, ctx.misses)}` };
}

const fateText = (gone: readonly string[] | undefined): string =>
  gone ? `${gone.map((b) => `branch ${b}`).join(', ')} no longer ${gone.length === 1 ? 'exists' : 'exist'}; ` : '';

const missText = (nearest: PolicyMiss | undefined): string => (nearest ? nearest.detail : 'the policy has no keepPolicies');

/** ` (revision label): <nearest miss>`, made once per shared nearest miss (most deleted images share a few). */
function labelTail(nearest: PolicyMiss | undefined, ctx: MissContext): string {
  let tail = ctx.labelTails.get(nearest);
  if (tail === undefined) ctx.labelTails.set(nearest, (tail = ` (${LABEL_VIA}): ${missText(nearest)}`));
  return tail;
}
