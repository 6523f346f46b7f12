/**
 * The order of a run over several repositories (werf's storage layout, cleanup-semantics.md §7): primaries first
 * (cleaned by the policy), then finals (following their primary's plan), then caches (by age).
 */
import { primaryDecisions } from '../plan/planner.js';
import type { Plan, StorageRole } from '../plan/types.js';
import type { RepositorySpec } from '../policy/types.js';

const RANK: Readonly<Record<RepositorySpec['role'], number>> = { primary: 0, final: 1, cache: 2, secondary: 3 };

/** Primaries first, then finals, then caches; the given order within each role. */
export function inPlanOrder<T extends { spec: RepositorySpec }>(list: readonly T[]): T[] {
  return list.map((r, i) => ({ r, i })).sort((a, b) => RANK[a.r.spec.role] - RANK[b.r.spec.role] || a.i - b.i).map(({ r }) => r);
}

/**
 * The storage role `spec` is planned with (undefined: a primary, by the policy), or why it is not
 * planned at all: a final whose primary has no plan (fail closed).
 */
export function storageRoleOf(spec: RepositorySpec, plansByRef: ReadonlyMap<string, Plan>): StorageRole | { notPlanned: string } | undefined {
  if (spec.role === 'cache') return { kind: 'cache', keepFor: spec.keepFor };
  if (spec.role === 'secondary') return { notPlanned: 'secondary repositories are never planned' };
  if (spec.role === 'primary') return undefined;
  const primary = plansByRef.get(spec.follows);
  if (!primary) {
    return { notPlanned: `not planned: the primary repository it follows, ${spec.follows}, could not be planned; nothing was deleted in it (fail closed)` };
  }
  return { kind: 'final', primary: primaryDecisions(primary) };
}
