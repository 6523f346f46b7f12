/**
 * The action's composition root, with everything injected (inputs, environment, the runner's output
 * functions, fetch, clocks) so it runs in-process in tests as well as under @actions/core (entry.ts).
 *
 * Order: mask the token before anything is logged; check the report path; read the inputs into plain
 * data (inputs.ts); run the core pipeline with the Action's ports (action-ports.ts: the policy, every
 * package opened before anything is read, the kubeconfig's clusters, the history through the API);
 * then write the JSON report, the outputs, the job summary and the annotations (action-output.ts).
 *
 * Exit codes as the CLI's (cleanup-semantics.md §6): 2 bad input (an input, the token, a missing
 * package) with nothing touched; 1 a package that could not be planned or a failed deletion; 0
 * everything else — also when GitHub's hourly budget (or max-deletions) ran out: a notice
 * says what is left, and the next scheduled run continues.
 */
import { join } from 'node:path';
import { describeError, emptyReport, InputError, runPipeline, VERSION } from '@regsweep/core';
import { createRedactor } from '@regsweep/core/internal';
import { prepareOutputPath, realClock } from '@regsweep/node-host';
import type { ActionDeps, ActionResult } from './action-io.js';
import { actionPorts } from './action-ports.js';
import { digestCacheDir, restoreDigestCache, saveDigestCache, type RestoredCache } from './digest-cache.js';
import { redacting, renderActionOutputs, type ReportTarget } from './action-output.js';
import { logGroups } from './log-groups.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { runHostStep } from './host-step.js';

export type { ActionDeps, ActionIo, ActionResult } from './action-io.js';

export const REPORT_FILE = 'regsweep-report.json';
/** Reads and deletes in flight per package. */
const CONCURRENCY = 8;

export async function runAction(deps: ActionDeps): Promise<ActionResult> {
  const secrets = createRedactor();
  const io = redacting(deps, secrets);
  const token = deps.getInput('token').trim();
  io.setSecret(token);
  const clock = deps.clock ?? realClock();
  const startedAt = clock.now();
  const report = emptyReport({ command: 'cleanup', dryRun: false, now: startedAt, startedAt, policySource: 'none' });
  const target: ReportTarget = { path: join(deps.env['RUNNER_TEMP'] || deps.tmpdir, REPORT_FILE), writable: undefined };
  let repository = deps.env['GITHUB_REPOSITORY'] ?? '';
  let cache: { dir: string; restored?: RestoredCache; complete: boolean } | undefined;
  let inputs: ActionInputs | undefined;
  try {
    // A report path that cannot be written stops the run before any request.
    target.writable = await prepareOutputPath(target.path, `the JSON report (${deps.env['RUNNER_TEMP'] ? 'RUNNER_TEMP' : 'the temporary folder'}/${REPORT_FILE})`, {
      fix: 'RUNNER_TEMP must be a folder the job can write (the runner sets it): check that no earlier step changed it or put something in the way',
    });
    const read = (inputs = readInputs((name) => deps.getInput(name), {
      ...(deps.env['GITHUB_REPOSITORY'] ? { repository: deps.env['GITHUB_REPOSITORY'] } : {}),
      ...(deps.env['GITHUB_API_URL'] ? { apiUrl: deps.env['GITHUB_API_URL'] } : {}),
    }));
    report.dryRun = read.dryRun;
    repository = `${inputs.repository.owner}/${inputs.repository.name}`;
    io.info(`regsweep ${VERSION}: ${read.dryRun ? 'dry run of the ' : ''}cleanup of ${read.packages.map((p) => `${read.owner}/${p}`).join(', ')} by the git references of ${repository}`);
    cache = { dir: digestCacheDir(inputs.cacheDir, deps.env['GITHUB_WORKSPACE'] || deps.cwd, deps.env['RUNNER_TEMP'] || deps.tmpdir), complete: false };
    if (inputs.keepCache && deps.cacheService) cache.restored = await restoreDigestCache(deps.cacheService, cache.dir, deps.env, io);
    const groups = logGroups(io);
    const run = await runPipeline({
      command: 'cleanup', dryRun: inputs.dryRun, concurrency: CONCURRENCY, noun: 'packages',
      ...(inputs.maxDeletions !== undefined ? { maxDeletions: inputs.maxDeletions } : {}),
    }, { ...actionPorts(inputs, deps, io, clock, cache.dir), phase: groups.phase }, report).finally(groups.close);
    // Only a whole run may drop cache entries it did not use (a partial one may not have needed them yet).
    cache.complete = !inputs.dryRun && report.exitCode === 0 && run.unplanned.length === 0 && report.notAttempted.length === 0;
    if (run.unplanned.length > 0) io.notice(`GitHub's request budget ran out before ${run.unplanned.join(', ')} could be read: nothing was deleted there; the next run continues`);
  } catch (error) {
    report.error = { message: describeError(error), exitCode: error instanceof InputError ? 2 : 1 };
    report.exitCode = report.error.exitCode;
  }
  if (cache?.restored && deps.cacheService) await saveDigestCache(deps.cacheService, cache.restored, cache.dir, cache.complete, io);
  report.finishedAt = clock.now().toISOString();
  await renderActionOutputs(io, report, target, repository, secrets);
  const hostExit = inputs ? await runHostStep(inputs, report, deps, io, clock, secrets) : 0;
  return { exitCode: report.exitCode || hostExit, report, reportPath: target.path };
}
