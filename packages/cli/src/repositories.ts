/**
 * Several repositories in one run (werf's storage layout, seeds/004): which repositories a cleanup
 * or explain covers, and planning them in order through one walk of the git history: primaries
 * (cleaned by the policy), then finals (following their primary's plan), then caches (by age).
 */
import {
  applyPlan, InputError, planRepository, primaryDecisions, sharedHistory,
  type GitHistory, type Plan, type PlanInput, type Registry, type Report, type RepositorySpec, type RunOptions,
} from '@regsweep/core';

/** A repository to clean, with how messages name where its ref came from. */
export interface Repository {
  spec: RepositorySpec;
  /** `--registry`, or `FILE: cleanup.repositories[1].ref`. */
  origin: string;
}

export const REGISTRY_HINT =
  'pass --registry oci:DIR for an image layout or --registry HOST[:PORT]/NAME for a registry repository, ' +
  'or list the repositories under cleanup.repositories in the policy file';

/**
 * Every `--registry` (each a primary repository) when given; else the policy's `repositories:`; else
 * an InputError. `--registry` wins over the file's list, with a warning that the list was ignored.
 */
export function chooseRepositories(
  verb: string,
  registries: readonly string[],
  policy: { repositories: readonly RepositorySpec[]; source: string },
): { repositories: Repository[]; warnings: string[] } {
  const warnings: string[] = [];
  if (registries.length > 0) {
    if (policy.repositories.length > 0) {
      warnings.push(`${policy.source}: cleanup.repositories (${policy.repositories.length} repositories) was ignored because --registry was given; every --registry is cleaned as a primary repository`);
    }
    return { repositories: registries.map((ref) => ({ spec: { ref, path: '--registry', role: 'primary' }, origin: '--registry' })), warnings };
  }
  if (policy.repositories.length === 0) throw new InputError(`${verb}: --registry is required`, REGISTRY_HINT);
  return { repositories: policy.repositories.map((spec) => ({ spec, origin: `${policy.source}: ${spec.path}.ref` })), warnings };
}

const RANK: Readonly<Record<RepositorySpec['role'], number>> = { primary: 0, final: 1, cache: 2 };

/** Primaries first, then finals, then caches; the given order within each role. */
export function inPlanOrder<T extends { spec: RepositorySpec }>(list: readonly T[]): T[] {
  return list.map((r, i) => ({ r, i })).sort((a, b) => RANK[a.r.spec.role] - RANK[b.r.spec.role] || a.i - b.i).map(({ r }) => r);
}

/** A repository that could not be planned or cleaned; the others go on. */
export interface RepositoryFailure {
  repository: string;
  error: unknown;
}

export interface CleanRunResult {
  /** The plans made, in planning order. */
  plans: Plan[];
  failures: RepositoryFailure[];
  /** Whether anything was deleted or untagged (or tried): a failure after that is not "nothing touched". */
  touched: boolean;
}

export interface CleanRunInput {
  repositories: readonly Repository[];
  /** The opened registry of every ref. */
  registries: ReadonlyMap<string, Registry>;
  /** Options shared by every repository; `history` is wrapped once with `sharedHistory`. */
  base: Omit<RunOptions, 'registry' | 'role' | 'history'> & { history: GitHistory };
  /** Cleanup applies each plan (a dry run reports it); explain only plans. */
  apply: boolean;
  report: Report;
  progress?: (message: string) => void;
}

/** The storage role for planning `spec`, or why it is not planned (its primary has no plan). */
function roleOf(spec: RepositorySpec, plans: ReadonlyMap<string, Plan>): PlanInput['role'] | { notPlanned: string } | undefined {
  if (spec.role === 'cache') return { kind: 'cache', keepFor: spec.keepFor };
  if (spec.role === 'primary') return undefined;
  const primary = plans.get(spec.follows);
  if (!primary) {
    return { notPlanned: `not planned: the primary repository it follows, ${spec.follows}, could not be planned; nothing was deleted in it (fail closed)` };
  }
  return { kind: 'final', primary: primaryDecisions(primary) };
}

/**
 * Plans (and with `apply`, cleans) every repository in plan order through one shared history. A
 * repository that fails is recorded and the run goes on with the others, except finals following a
 * primary that has no plan: they are not planned at all.
 */
export async function cleanRepositories(input: CleanRunInput): Promise<CleanRunResult> {
  const history = sharedHistory(input.base.history);
  const plansByRef = new Map<string, Plan>();
  const result: CleanRunResult = { plans: [], failures: [], touched: false };
  for (const { spec } of inPlanOrder(input.repositories)) {
    const registry = input.registries.get(spec.ref);
    if (!registry) throw new Error(`cleanRepositories: ${spec.ref} was not opened`);
    const role = roleOf(spec, plansByRef);
    if (role && 'notPlanned' in role) {
      result.failures.push({ repository: registry.name, error: new Error(role.notPlanned) });
      continue;
    }
    if (role?.kind === 'final') input.progress?.(`${registry.name}: final repository, follows ${role.primary.repository}`);
    if (role?.kind === 'cache') input.progress?.(`${registry.name}: cache repository, cleaned by age`);
    const options: RunOptions = { ...input.base, registry, history, ...(role ? { role } : {}) };
    try {
      const plan = await planRepository(options);
      plansByRef.set(spec.ref, plan);
      result.plans.push(plan);
      if (input.apply) {
        if (!options.dryRun && (plan.delete.length > 0 || plan.untag.length > 0)) result.touched = true;
        await applyPlan(options, plan, input.report);
      }
    } catch (err) {
      result.failures.push({ repository: registry.name, error: err });
    }
  }
  return result;
}
