/**
 * One cleanup or purge of one repository, from the ports to the report entry: inventory, plan, and
 * (unless a dry run) execution. The pipeline (pipeline/pipeline.ts) calls these for every repository.
 */
import { describeError, IncompleteInputError, InputError } from './errors.js';
import { executeDeletions, removeTags, type ItemResult, type TagResult } from './execute/executor.js';
import { planConflictError, planConflicts } from './execute/recheck.js';
import { readInventory } from './graph/inventory.js';
import { planCleanup, planPurge, type PlanInput } from './plan/planner.js';
import { untaggedNeedsRead } from './plan/read-rule.js';
import type { Plan } from './plan/types.js';
import type { CleanupPolicy } from './policy/types.js';
import { BudgetExhausted, type Clock, type ClusterImageUse, type GitHistory, type Registry } from './ports.js';
import { DeletionBudget } from './pipeline/budget.js';
import { addToReport, type Report } from './report/report.js';

export interface Progress {
  (message: string): void;
}

/** The named phases of one repository's run, in order; a front end may fold each (CI log sections). */
export type PhaseName = 'listing' | 'reading manifests' | 'planning' | 'checking the plan' | 'deleting' | 'removing stale tags';

/** Told when a repository's run enters a phase. */
export interface PhaseListener {
  (repository: string, phase: PhaseName): void;
}

export interface RunOptions {
  registry: Registry;
  policy: CleanupPolicy;
  keepTags: readonly string[];
  history?: GitHistory;
  clusterImages: readonly ClusterImageUse[];
  clock: Clock;
  now: Date;
  dryRun: boolean;
  concurrency: number;
  /** The whole run's deletion budget, shared by every repository (absent: none). */
  budget?: DeletionBudget;
  progress?: Progress;
  phase?: PhaseListener;
  /** werf's storage role of the repository (final: follows a primary's plan; cache: by age). Absent: the policy. */
  role?: PlanInput['role'];
  /** explain: the images (tags or digests) followed past every limit (PlanInput.explain). */
  explain?: readonly string[];
}

function progressEvery(progress: Progress | undefined, label: string, detail: () => string = () => ''): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    if (!progress) return;
    if (done === total || done - last >= Math.max(50, Math.ceil(total / 20))) {
      last = done;
      progress(`${label} ${done}/${total}${detail()}`);
    }
  };
}

/**
 * "reading manifests: 15/15 (13 from cache)", then "reading configs: …": one count per kind across the
 * inventory's rounds (an index's children are read in a round of their own).
 */
function readingProgress(o: RunOptions): (done: number, total: number, what: string) => void {
  const counts = new Map<string, { base: number; done: number; total: number }>();
  const fromCache = (): number => o.registry.readsFromCache?.() ?? 0;
  const cachedBefore = fromCache();
  let started = false;
  let last = 0;
  return (done, total, what) => {
    if (!started) {
      started = true;
      o.phase?.(o.registry.name, 'reading manifests');
    }
    const c = counts.get(what) ?? { base: 0, done: 0, total: 0 };
    if (done < c.done) c.base += c.total; // a new round of the same kind
    c.done = done;
    c.total = total;
    counts.set(what, c);
    if (!o.progress || (done !== total && done - last < Math.max(50, Math.ceil(total / 20)))) return;
    last = done === total ? 0 : done;
    const cached = o.registry.readsFromCache ? ` (${fromCache() - cachedBefore} from cache in all)` : '';
    o.progress(`${o.registry.name}: reading ${what}s: ${c.base + done}/${c.base + total}${cached}`);
  };
}

/** Enters a phase: tells the listener, and says it (with `what`) as a progress line. */
function enter(o: RunOptions, phase: PhaseName, what = ''): void {
  o.phase?.(o.registry.name, phase);
  o.progress?.(`${o.registry.name}: ${phase}${what ? `: ${what}` : ''}`);
}

export async function planRepository(o: RunOptions, mode: 'cleanup' | 'purge' = 'cleanup'): Promise<Plan> {
  // The references are read beside the listing (the planner awaits them; an error surfaces there).
  const refs = mode === 'cleanup' ? o.history?.refs() : undefined;
  refs?.catch(() => undefined);
  enter(o, 'listing');
  const inventory = await readInventory(o.registry, {
    revisionKeys: o.policy.imageCommits.labels,
    concurrency: o.concurrency,
    onProgress: readingProgress(o),
    ...(mode === 'purge' ? {} : {
      untaggedNeedsRead: untaggedNeedsRead({
        capabilities: o.registry.capabilities, imageReference: o.registry.imageReference, policy: o.policy,
        clusterImages: o.policy.disableKubernetesBasedPolicy ? [] : o.clusterImages, now: o.now, role: o.role,
      }),
    }),
  });
  enter(o, 'planning', `${inventory.listing.length} listed digests${o.history ? ', walking the history' : ''}`);
  const plan = mode === 'purge' ? planPurge({ name: o.registry.name }, inventory.graph, o.now) : await planCleanup({
    registry: {
      name: o.registry.name, listsUntagged: o.registry.capabilities.listsUntagged,
      ...(o.registry.imageReference ? { imageReference: o.registry.imageReference } : {}),
    },
    graph: inventory.graph, policy: o.policy, keepTags: o.keepTags,
    ...(o.history ? { history: o.history } : {}), clusterImages: o.clusterImages, now: o.now,
    ...(o.role ? { role: o.role } : {}), ...(o.explain ? { explain: o.explain } : {}), ...(refs ? { refs } : {}),
  });
  plan.stats.manifestReads = inventory.reads.manifests;
  plan.stats.configReads = inventory.reads.configs;
  return plan;
}

/**
 * Lists the registry again right before the first write and stops (nothing deleted) when the listing
 * contradicts the plan (execute/recheck.ts). Not in a dry run, and not when nothing is to be written.
 */
export async function recheckBeforeWriting(o: RunOptions, plan: Plan): Promise<void> {
  if (o.dryRun || (plan.delete.length === 0 && plan.untag.length === 0)) return;
  enter(o, 'checking the plan', 'listing again before deleting');
  let fresh;
  try {
    fresh = await o.registry.list();
  } catch (err) {
    if (err instanceof IncompleteInputError || err instanceof InputError) throw err;
    throw new IncompleteInputError(`registry ${o.registry.name}`, `could not list images again before deleting: ${describeError(err)}`,
      'nothing was deleted; run again when the registry answers', err);
  }
  const conflicts = planConflicts(plan, fresh);
  if (conflicts.length > 0) throw planConflictError(o.registry.name, conflicts);
}

/**
 * A dry run's deletions, as the real run would order and budget them: the executor runs against a
 * registry that deletes nothing (one at a time, so the preview is the same every time), so the whole
 * run's budget and an item that must wait for another apply exactly as they would.
 */
async function previewDeletions(o: RunOptions, plan: Plan): Promise<ItemResult[]> {
  const r = o.registry;
  const nothing: Registry = {
    name: r.name, capabilities: r.capabilities,
    list: () => r.list(), getManifest: (d) => r.getManifest(d), getBlobJson: (d) => r.getBlobJson(d),
    deleteImage: async () => 'deleted',
  };
  return executeDeletions(nothing, plan.delete, { clock: o.clock, concurrency: 1, ...(o.budget !== undefined ? { budget: o.budget } : {}) });
}

export async function applyPlan(o: RunOptions, plan: Plan, report: Report): Promise<ItemResult[] | undefined> {
  await recheckBeforeWriting(o, plan);
  let results: ItemResult[] | undefined;
  if (o.dryRun) results = await previewDeletions(o, plan);
  else if (plan.delete.length > 0) {
    await o.registry.checkDeletable?.();
    o.phase?.(o.registry.name, 'deleting');
    const started = o.clock.now().getTime();
    let deleted = 0;
    // The rate counts deletes only (not what a spent budget left for the next run), once 10 s have passed.
    const tick = progressEvery(o.progress, `${o.registry.name}: deleting:`, () => {
      const minutes = (o.clock.now().getTime() - started) / 60_000;
      return minutes >= 1 / 6 ? ` (${Math.round(deleted / minutes)} a minute)` : '';
    });
    results = await executeDeletions(o.registry, plan.delete, {
      clock: o.clock, concurrency: o.concurrency,
      ...(o.budget !== undefined ? { budget: o.budget } : {}),
      onProgress: (r, done, total) => {
        if (r.status === 'deleted' || r.status === 'gone') deleted += 1;
        tick(done, total);
      },
    });
  } else results = [];
  let tagResults: TagResult[] | undefined;
  if (!o.dryRun && plan.untag.length > 0) {
    if (plan.delete.length === 0 && o.registry.capabilities.deletesTagAlone) await o.registry.checkDeletable?.();
    enter(o, 'removing stale tags', `${plan.untag.length}`);
    tagResults = await removeTags(o.registry, plan.untag, { clock: o.clock, concurrency: o.concurrency });
  }
  addToReport(report, plan, results, tagResults);
  const deletedSome = (results ?? []).some((r) => r.status === 'deleted');
  const left = plan.stats.childrenLeft ?? 0;
  const waiting = left > 0 ? ` (${left} untagged child manifest(s) of the deleted multi-arch indexes wait for it)` : '';
  if (deletedSome && o.registry.afterDeleting) report.notes.push(`${o.registry.name}: ${o.registry.afterDeleting}${waiting}`);
  return results;
}


/** Whether a run stopped because the platform's request budget ran out (anywhere in the cause chain). */
export function isBudgetStop(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof BudgetExhausted) return true;
  }
  return false;
}

/** A repository that could not be planned or cleaned, and the error. */
export interface RepositoryFailure {
  name: string;
  error: unknown;
}
