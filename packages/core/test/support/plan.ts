import { planCleanup, type PlanInput } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/types.js';
import { parsePolicyText } from '../../src/policy/parse.js';
import type { ImageGraph } from '../../src/graph/graph.js';
import type { GitHistory } from '../../src/ports.js';

export const NOW = new Date('2026-11-20T12:00:00Z');

export function policyFrom(yaml: string) {
  return parsePolicyText(yaml, 'test.yaml').policy;
}

export async function planWith(opts: { yaml?: string; graph: ImageGraph; history: GitHistory; now?: Date; extra?: Partial<PlanInput> }): Promise<Plan> {
  const policy = policyFrom(opts.yaml ?? 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n');
  return planCleanup({
    registry: { name: 'test/repo', imageReference: 'registry.test/acme/app' },
    graph: opts.graph, policy, keepTags: policy.keepTags, history: opts.history, clusterImages: [], now: opts.now ?? NOW,
    ...opts.extra,
  });
}

/** The kept tags of a plan, sorted, for readable assertions. */
export function keptTags(plan: Plan): string[] {
  return plan.kept.flatMap((k) => k.tags).sort();
}

export function deletedTags(plan: Plan): string[] {
  return plan.delete.flatMap((k) => k.tags).sort();
}

export function reasonsOf(plan: Plan, digest: string): string[] {
  return [...new Set(plan.kept.find((k) => k.digest === digest)?.reasons.map((r) => r.reason) ?? [])];
}
