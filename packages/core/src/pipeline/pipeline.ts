/**
 * The one run every front end calls (the CLI, the Action, the GitLab job): read the policy, read what
 * the clusters run, open every repository, then plan each repository through one shared history and
 * (unless explaining or a dry run) apply its plan under one whole-run deletion budget; the outcome
 * goes into the report, with one error naming every repository that failed and the exit code
 * (docs/cleanup-semantics.md §6). Each step that touches the world is a port the front end passes in.
 */
import { describeError, InputError } from '../errors.js';
import { sharedHistory } from '../history-cache.js';
import type { Plan } from '../plan/types.js';
import { defaultCleanupPolicy } from '../policy/defaults.js';
import type { CleanupPolicy, RepositorySpec } from '../policy/types.js';
import type { Clock, ClusterImageUse, GitHistory, Registry } from '../ports.js';
import type { Report } from '../report/report.js';
import { applyPlan, isBudgetStop, planRepository, type PhaseName, type RepositoryFailure, type RunOptions } from '../run.js';
import { DeletionBudget } from './budget.js';
import { inPlanOrder, storageRoleOf } from './order.js';

/** A policy as a front end found it: the policy, the keep-list globs, where it came from. */
export interface LoadedPolicy {
  policy: CleanupPolicy;
  keepTags: string[];
  /** A file path, or `default`. */
  source: string;
  warnings: string[];
  /** Why the default policy applies although a file was read (or none was found); said in the summary. */
  note?: string;
}

/** A repository of the run: what the policy or the front end says about it, and how to open it. */
export interface PipelineRepository {
  spec: RepositorySpec;
  /** One registry, or several (the registry repositories of a GitLab project, all primaries). */
  open(): Promise<Registry | readonly Registry[]>;
}

/** The run's plain settings: what to do, whether to write, how much in flight, the deletion budget. */
export interface PipelineSettings {
  command: 'cleanup' | 'explain' | 'purge';
  dryRun: boolean;
  /** Reads and deletes in flight per repository. */
  concurrency: number;
  /** The whole run's deletion budget. */
  maxDeletions?: number;
  /** What the failure message calls the repositories: `repositories`, `packages`. */
  noun: string;
  /** Put before `fix:` in an error's second line (the CLI indents it). */
  fixIndent?: string;
  /** explain: the images (tags or digests) the history walk follows past every limit (ranks for each policy's miss). */
  explain?: readonly string[];
}

/**
 * What the run needs from the world, as functions the caller passes: the clock, the policy, the
 * repositories (each opened into a `Registry`), and where the policy needs them the clusters and the
 * git history.
 */
export interface PipelinePorts {
  clock: Clock;
  /** The policy; not called for purge (the default policy, nothing kept). */
  policy(): Promise<LoadedPolicy>;
  /** The repositories, given the policy; `warnings` say what the front end ignored. */
  repositories(loaded: LoadedPolicy | undefined): Promise<{ repositories: PipelineRepository[]; warnings?: string[] }>;
  /** Every image reference in use; not called when the policy turns the Kubernetes policy off. */
  clusterImages?(loaded: LoadedPolicy): Promise<readonly ClusterImageUse[]>;
  /** The project's git history; required unless purging or the policy does not use git. */
  history?(loaded: LoadedPolicy): Promise<GitHistory>;
  progress?(message: string): void;
  /** Told when a repository's run enters a named phase (listing, reading manifests, planning, …): CI logs fold each. */
  phase?(repository: string, phase: PhaseName): void;
}

/** What a run did beyond the report: the plans, the repositories that failed and those left for the next run. */
export interface PipelineResult {
  /** The plans made, in planning order (explain renders them). */
  plans: Plan[];
  failures: RepositoryFailure[];
  /** Repositories left for the next run because the platform's request budget ran out. */
  unplanned: string[];
}

/** Runs the whole pipeline; every outcome, errors included, lands in `report` (`error`, `exitCode`). */
export async function runPipeline(settings: PipelineSettings, ports: PipelinePorts, report: Report): Promise<PipelineResult> {
  const result: PipelineResult = { plans: [], failures: [], unplanned: [] };
  const indent = settings.fixIndent ?? '';
  report.dryRun = settings.dryRun; // what the report says (and how its entries read) follows the run
  try {
    const loaded = settings.command === 'purge' ? undefined : await ports.policy();
    if (loaded) {
      report.policySource = loaded.source;
      if (loaded.note !== undefined) report.policyNote = loaded.note;
      report.warnings.push(...loaded.warnings);
    }
    const policy = loaded?.policy ?? defaultCleanupPolicy();
    // What the clusters run is read first (no forge budget spent when a context cannot be read),
    // then every repository is opened before anything is listed: a bad ref or token stops the run
    // untouched.
    const clusterImages = loaded && !policy.disableKubernetesBasedPolicy && ports.clusterImages ? await ports.clusterImages(loaded) : [];
    const chosen = await ports.repositories(loaded);
    report.warnings.push(...(chosen.warnings ?? []));
    const opened = await openAll(untouchedSecondaries(chosen.repositories, report), result, report);
    if (clusterImages.length > 0) warnUnmatchable(opened, report);
    const history = loaded && ports.history ? sharedHistory(await ports.history(loaded)) : undefined;
    const base: Omit<RunOptions, 'registry'> = {
      policy, keepTags: loaded?.keepTags ?? [], clusterImages, clock: ports.clock, now: ports.clock.now(),
      dryRun: settings.dryRun, concurrency: settings.concurrency, budget: new DeletionBudget(settings.maxDeletions),
      ...(history ? { history } : {}), ...(ports.progress ? { progress: ports.progress } : {}),
      ...(ports.phase ? { phase: (repository: string, phase: PhaseName) => ports.phase?.(repository, phase) } : {}),
    };
    await planAndApply(opened, base, settings, result, report);
    if (result.failures.length > 0) report.error = failureError(report, result, opened.length, settings.noun, indent);
  } catch (error) {
    report.error = { message: describeError(error, indent), exitCode: error instanceof InputError ? 2 : 1 };
  }
  report.exitCode = report.error ? report.error.exitCode : report.failed.length > 0 ? 1 : 0;
  return result;
}

/**
 * werf's secondary repositories are read-only stores werf pulls from: regsweep never opens, lists or
 * writes them (a read would cost budget and could fail the run for nothing); the report names each
 * untouched. The rest are returned.
 */
function untouchedSecondaries(repositories: readonly PipelineRepository[], report: Report): PipelineRepository[] {
  const rest: PipelineRepository[] = [];
  for (const repository of repositories) {
    if (repository.spec.role !== 'secondary') rest.push(repository);
    else report.untouched.push({ repository: repository.spec.ref, why: `secondary repository (${repository.spec.path}): werf only reads it, so regsweep never touches it` });
  }
  return rest;
}

/** A registry without `imageReference` cannot be matched to what workloads pull: in-use protection is off for it. */
function warnUnmatchable(opened: readonly Opened[], report: Report): void {
  for (const { registry } of opened) {
    if (registry.imageReference === undefined) {
      report.warnings.push(`${registry.name}: no image reference (the adapter's imageReference) to match what the clusters run against, so in-use protection is off for it`);
    }
  }
}

interface Opened {
  spec: RepositorySpec;
  registry: Registry;
}

async function openAll(repositories: readonly PipelineRepository[], result: PipelineResult, report: Report): Promise<Opened[]> {
  const opened: Opened[] = [];
  for (const repository of repositories) {
    try {
      const got = await repository.open();
      for (const registry of Array.isArray(got) ? got : [got as Registry]) opened.push({ spec: repository.spec, registry });
    } catch (error) {
      if (!isBudgetStop(error)) throw error;
      budgetStop(repository.spec.ref, error, result, report);
    }
  }
  return opened;
}

function budgetStop(name: string, error: unknown, result: PipelineResult, report: Report): void {
  result.unplanned.push(name);
  report.warnings.push(`${name}: not read: ${describeError(error).split('\n')[0] ?? ''}; nothing was deleted in it, the next run continues`);
}

/** Plans every repository in plan order (and applies each plan unless explaining); failures go on. */
async function planAndApply(opened: readonly Opened[], base: Omit<RunOptions, 'registry'>, settings: PipelineSettings, result: PipelineResult, report: Report): Promise<void> {
  const plansByRef = new Map<string, Plan>();
  const mode = settings.command === 'purge' ? 'purge' : 'cleanup';
  for (const { spec, registry } of inPlanOrder(opened)) {
    const role = mode === 'purge' ? undefined : storageRoleOf(spec, plansByRef);
    if (role && 'notPlanned' in role) {
      result.failures.push({ name: registry.name, error: new Error(role.notPlanned) });
      continue;
    }
    if (role?.kind === 'final') base.progress?.(`${registry.name}: final repository, follows ${role.primary.repository}`);
    if (role?.kind === 'cache') base.progress?.(`${registry.name}: cache repository, cleaned by age`);
    const options: RunOptions = { ...base, registry, ...(role ? { role } : {}), ...(settings.explain ? { explain: settings.explain } : {}) };
    try {
      const plan = await planRepository(options, mode);
      if (spec.role === 'primary') plansByRef.set(spec.ref, plan);
      result.plans.push(plan);
      if (settings.command !== 'explain') await applyPlan(options, plan, report);
    } catch (error) {
      if (isBudgetStop(error)) budgetStop(registry.name, error, result, report);
      else result.failures.push({ name: registry.name, error });
    }
  }
}

/**
 * The run's error when repositories failed: the one failure's message when the run had one repository,
 * else one line per failed repository. Exit 2 only when every failure was bad input and nothing was
 * written (§6); else 1.
 */
function failureError(report: Report, result: PipelineResult, total: number, noun: string, indent: string): { message: string; exitCode: number } {
  const { failures } = result;
  const [first] = failures;
  const message = total === 1 && first && failures.length === 1
    ? describeError(first.error, indent)
    : `${failures.length} of ${total} ${noun} failed:\n${failures.map((f) => `  ${f.name}: ${describeError(f.error, indent)}`).join('\n')}`;
  const written = report.deleted.some((d) => d.status !== 'would-delete') || report.tagsRemoved.some((t) => t.status !== 'would-remove') || report.failed.length > 0;
  return { message, exitCode: !written && failures.every((f) => f.error instanceof InputError) ? 2 : 1 };
}
