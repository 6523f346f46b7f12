/**
 * A deleted image's decision (cleanup-semantics.md §4-§6): the rule that let it go as data, and the
 * one sentence the summary prints, made from that data.
 */
import type { ImageGraph, ImageNode } from '../graph/graph.js';
import { formatDuration } from '../policy/duration.js';
import type { CleanupPolicy } from '../policy/types.js';
import { goneBranches, historyMisses, nearestMiss, type MissContext } from './history-misses.js';
import { isPlanningUnit, type ImageCommits } from './mapping.js';
import { imageTimeMs } from './reasons.js';
import type { DeletionDecision, StorageRole } from './types.js';
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
  const out = decisionByRule(n, m, graph, ctx);
  // The image's age comes last in the JSON, after what the rule says.
  const t = imageTimeMs(n);
  if (t !== undefined) out.decision.ageMs = ctx.now.getTime() - t;
  return out;
}

function decisionByRule(n: ImageNode, m: ImageCommits | undefined, graph: ImageGraph, ctx: DecisionContext): { decision: DeletionDecision; why: string } {
  if (n.kind === 'attachment' && n.subject) {
    const decision: DeletionDecision = { cause: 'attachment', rule: 'closure', of: [n.subject] };
    return { decision, why: graph.nodes.has(n.subject) ? `attachment of ${n.subject}, which is not kept` : `attachment whose subject ${n.subject} is not in the repository` };
  }
  if (!isPlanningUnit(n)) return { decision: { cause: 'child', rule: 'closure', of: n.parents.slice() }, why: `child of deleted index ${n.parents.join(', ')}` };
  const role = ctx.role;
  if (role?.kind === 'cache') {
    return { decision: { cause: 'cache-age', rule: 'cache.keepFor', windowMs: role.keepFor }, why: `cache repository image older than its keepFor (${formatDuration(role.keepFor)})` };
  }
  if (role?.kind === 'final') {
    const repo = role.primary.repository;
    return knownToPrimary(n, role)
      ? { decision: { cause: 'not-kept-in-primary', rule: 'primary', of: [repo] }, why: `not kept in the primary repository ${repo}` }
      : { decision: { cause: 'unknown-to-primary', rule: 'cleanup.unmapped.keepFor', of: [repo] }, why: `unknown to the primary repository ${repo} and older than unmapped.keepFor` };
  }
  if (n.tags.length === 0) {
    const keepFor = ctx.policy.untagged.keepFor ?? 0;
    const older = keepFor > 0 ? ` and older than untagged.keepFor (${formatDuration(keepFor)})` : '';
    return { decision: { cause: 'untagged', rule: 'cleanup.untagged.keepFor', windowMs: keepFor }, why: `untagged and not pinned by any workload${older}` };
  }
  if (!m) {
    const keepFor = ctx.policy.unmapped.keepFor ?? 0;
    return {
      decision: { cause: 'unmapped', rule: 'cleanup.unmapped.keepFor', windowMs: keepFor },
      why: `no commit found for it (unmapped) and older than unmapped.keepFor (${formatDuration(keepFor)})`,
    };
  }
  const commits = m.commits.length === 1 ? short(m.commits[0] as string) : m.commits.map(short).join(', ');
  if (!ctx.useGit || !ctx.misses) {
    return { decision: { cause: 'git-history-disabled', rule: 'cleanup.disableGitHistoryBasedPolicy' }, why: `git-history policy is disabled; commit ${commits} (${m.via})` };
  }
  const { misses, nearest } = historyMisses(n, m, ctx.misses);
  const gone = goneBranches(n, ctx.misses);
  const fate = gone ? `${gone.map((b) => `branch ${b}`).join(', ')} no longer ${gone.length === 1 ? 'exists' : 'exist'}; ` : '';
  const why = `commit ${commits} (${m.via}): ${fate}${nearest ? nearest.detail : 'the policy has no keepPolicies'}`;
  const decision: DeletionDecision = { cause: 'git-history', rule: ctx.policy.defaultKeepPolicies ? 'default keepPolicies' : 'cleanup.keepPolicies', misses };
  if (gone) decision.goneBranches = gone;
  return { decision, why };
}
