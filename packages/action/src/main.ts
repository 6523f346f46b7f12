/**
 * The action's composition root, with everything injected (inputs, environment, the runner's output
 * functions, fetch, clocks) so it runs in-process in tests as well as under @actions/core (entry.ts).
 *
 * Order: mask the token before anything is logged; read the inputs and the policy; build the GitHub
 * adapters (github.ts); open every package (a wrong token or owner stops the run before anything is
 * read); plan and apply each package (one that fails is reported, the others go on); then write the
 * JSON report, the outputs, the job summary and the annotations.
 *
 * Exit codes as the CLI's (policy-semantics.md §6): 2 bad input (an input, the token, a missing
 * package) with nothing touched; 1 a package that could not be planned or a failed deletion; 0
 * everything else — also when GitHub's hourly budget (or max-deletions) ran out: a notice
 * says what is left, and the next scheduled run continues.
 */
import { isAbsolute, join, resolve } from 'node:path';
import {
  cleanRepositories, createRedactor, describeError, emptyReport, InputError, isBudgetStop, renderSummary, repositoriesFailure,
  type ClusterImageUse, type Clock, type Redactor, type Registry, type Report, type RepositoryFailure,
} from '@regsweep/core';
import { scanKubeconfigValue } from '@regsweep/kubernetes';
import type { PacerClock } from '@regsweep/github';
import { prepareOutputPath, realClock, writeAtomic } from '@regsweep/node-host';
import { setUpGitHub } from './github.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { renderJobSummary } from './job-summary.js';
import { readPolicy } from './policy.js';

/** What @actions/core gives an action (entry.ts), or a test's recorder. */
export interface ActionIo {
  getInput(name: string): string;
  env: Readonly<Record<string, string | undefined>>;
  setSecret(secret: string): void;
  setOutput(name: string, value: string): void;
  debug(message: string): void;
  info(message: string): void;
  /** An annotation. */
  warning(message: string): void;
  notice(message: string): void;
  /** Marks the step failed (exit code 1) with an error annotation. */
  setFailed(message: string): void;
  /** Appends markdown to the job summary ($GITHUB_STEP_SUMMARY). */
  writeSummary(markdown: string): Promise<void>;
}

export interface ActionDeps extends ActionIo {
  /** Where RUNNER_TEMP and GITHUB_WORKSPACE fall back to (os.tmpdir(), process.cwd()). */
  tmpdir: string;
  cwd: string;
  fetch?: typeof globalThis.fetch;
  clock?: Clock;
  pacerClock?: PacerClock;
}

export interface ActionResult {
  exitCode: number;
  report: Report;
  reportPath: string;
}

export const REPORT_FILE = 'regsweep-report.json';
/** Reads and deletes in flight per package. */
const CONCURRENCY = 8;


/**
 * Output functions that print no known secret, even if a message carried one: every line, output and
 * the job summary go through the run's one redactor. `setSecret` both masks a secret in the runner's
 * log (`::add-mask::`) and adds it to the redactor (the kubeconfig's credentials, Bearer tokens).
 */
function redacting(deps: ActionIo, secrets: Redactor): ActionIo {
  const r = (m: string): string => secrets.redact(m);
  return {
    ...deps,
    setSecret: (s) => {
      if (s.trim() === '') return;
      deps.setSecret(s);
      secrets.add(s);
    },
    debug: (m) => deps.debug(r(m)), info: (m) => deps.info(r(m)), warning: (m) => deps.warning(r(m)),
    notice: (m) => deps.notice(r(m)), setFailed: (m) => deps.setFailed(r(m)),
    setOutput: (n, v) => deps.setOutput(n, r(v)), writeSummary: (md) => deps.writeSummary(r(md)),
  };
}

interface CleanResult {
  failures: RepositoryFailure[];
  /** Packages not planned because GitHub's budget ran out while reading them. */
  unplanned: string[];
}

/** Plans and applies every package; returns the packages that failed or were left unplanned. */
async function cleanPackages(inputs: ActionInputs, deps: ActionDeps, io: ActionIo, report: Report, clock: Clock): Promise<CleanResult> {
  const workspace = deps.env['GITHUB_WORKSPACE'] || deps.cwd;
  const loaded = await readPolicy(inputs.config, workspace);
  report.policySource = loaded.source;
  report.warnings.push(...loaded.warnings);
  io.info(loaded.source === 'default'
    ? `policy: the default (no .regsweep.yml or werf.yaml in ${workspace}; run actions/checkout first to use yours)`
    : `policy: ${loaded.source}`);
  if (loaded.policy.repositories.length > 0) {
    report.warnings.push(`${loaded.source}: cleanup.repositories was ignored: the action cleans the packages named by its packages input (${inputs.packages.join(', ')})`);
  }
  // In-use protection: every context of the kubeconfig is read before anything is planned; one that
  // cannot be read stops the run (nothing deleted).
  let clusterImages: ClusterImageUse[] = [];
  if (inputs.kubeconfig !== undefined && !loaded.policy.disableKubernetesBasedPolicy) {
    clusterImages = await scanKubeconfigValue(inputs.kubeconfig, { baseDir: workspace, label: 'input kubeconfig', log: io.info, onSecret: io.setSecret });
  } else if (inputs.kubeconfig === undefined) io.info('in-use protection is off: no kubeconfig input given');

  const cacheDir = inputs.cacheDir !== undefined
    ? (isAbsolute(inputs.cacheDir) ? inputs.cacheDir : resolve(workspace, inputs.cacheDir))
    : join(deps.env['RUNNER_TEMP'] || deps.tmpdir, 'regsweep-digest-cache');
  io.info(`digest cache: ${cacheDir}${inputs.dryRun ? ' (read only: dry run)' : ''}`);
  const github = setUpGitHub({
    inputs, pullRequests: inputs.pullRequests && loaded.policy.pullRequests, cacheDir, concurrency: 10,
    log: { debug: io.debug, info: io.info }, onSecret: io.setSecret,
    ...(deps.fetch !== undefined ? { fetch: deps.fetch } : {}),
    ...(deps.pacerClock !== undefined ? { pacerClock: deps.pacerClock } : {}),
  });

  // Every package is opened (its owner resolved) before anything is read: a wrong token or owner stops
  // the run here. A budget already used up (by another job) leaves the package for the next run.
  const result: CleanResult = { failures: [], unplanned: [] };
  const budgetStop = (name: string, error: unknown): void => {
    result.unplanned.push(name);
    report.warnings.push(`${name}: not read: ${describeError(error).split('\n')[0] ?? ''}; nothing was deleted in it, the next run continues`);
  };
  const registries: Registry[] = [];
  for (const name of inputs.packages) {
    try {
      registries.push(await github.openPackage(name));
    } catch (error) {
      if (!isBudgetStop(error)) throw error;
      budgetStop(`${inputs.owner}/${name}`, error);
    }
  }

  const run = await cleanRepositories(registries, {
    policy: loaded.policy, keepTags: loaded.keepTags, history: github.history, clusterImages, clock, now: clock.now(),
    dryRun: inputs.dryRun, concurrency: CONCURRENCY, progress: (m: string) => io.info(m),
  }, report, inputs.maxDeletions);
  result.failures.push(...run.failures);
  for (const u of run.unplanned) budgetStop(u.name, u.error);
  return result;
}


export async function runAction(deps: ActionDeps): Promise<ActionResult> {
  const token = deps.getInput('token').trim();
  const secrets = createRedactor();
  const io = redacting(deps, secrets);
  io.setSecret(token);
  const clock = deps.clock ?? realClock();
  const startedAt = clock.now();
  const report = emptyReport({ command: 'cleanup', dryRun: false, now: startedAt, startedAt, policySource: 'none' });
  const reportPath = join(deps.env['RUNNER_TEMP'] || deps.tmpdir, REPORT_FILE);
  let repository = deps.env['GITHUB_REPOSITORY'] ?? '';
  /** The report path once checked; a path that cannot be written stops the run before any request. */
  let writableReport: string | undefined;
  try {
    writableReport = await prepareOutputPath(reportPath, `the JSON report (${deps.env['RUNNER_TEMP'] ? 'RUNNER_TEMP' : 'the temporary folder'}/${REPORT_FILE})`, {
      fix: 'RUNNER_TEMP must be a folder the job can write (the runner sets it): check that no earlier step changed it or put something in the way',
    });
    const inputs = readInputs((name) => deps.getInput(name), {
      ...(deps.env['GITHUB_REPOSITORY'] ? { repository: deps.env['GITHUB_REPOSITORY'] } : {}),
      ...(deps.env['GITHUB_API_URL'] ? { apiUrl: deps.env['GITHUB_API_URL'] } : {}),
    });
    report.dryRun = inputs.dryRun;
    repository = `${inputs.repository.owner}/${inputs.repository.name}`;
    io.info(`regsweep: ${inputs.dryRun ? 'dry run of the ' : ''}cleanup of ${inputs.packages.map((p) => `${inputs.owner}/${p}`).join(', ')} by the git references of ${repository}`);
    const { failures, unplanned } = await cleanPackages(inputs, deps, io, report, clock);
    if (failures.length > 0) {
      report.error = repositoriesFailure(report, failures, inputs.packages.length, 'packages');
    }
    if (unplanned.length > 0) io.notice(`GitHub's request budget ran out before ${unplanned.join(', ')} could be read: nothing was deleted there; the next run continues`);
  } catch (error) {
    report.error = { message: describeError(error), exitCode: error instanceof InputError ? 2 : 1 };
  }
  report.exitCode = report.error ? report.error.exitCode : report.failed.length > 0 ? 1 : 0;
  report.finishedAt = clock.now().toISOString();
  return finish(io, report, reportPath, writableReport, repository, secrets);
}

async function finish(io: ActionIo, report: Report, reportPath: string, writableReport: string | undefined, repository: string, secrets: Redactor): Promise<ActionResult> {
  try {
    if (writableReport !== undefined) await writeAtomic(writableReport, secrets.redact(`${JSON.stringify(report, null, 2)}\n`));
  } catch (error) {
    io.warning(`could not write the JSON report ${reportPath}: ${describeError(error)}`);
  }
  io.setOutput('deleted', String(report.deleted.length));
  io.setOutput('kept', String(report.kept.length));
  io.setOutput('failed', String(report.failed.length));
  io.setOutput('report', writableReport ?? '');
  io.info(renderSummary(report));
  for (const w of report.warnings) io.warning(w);
  try {
    await io.writeSummary(renderJobSummary(report, { repository, reportPath }));
  } catch (error) {
    io.info(`no job summary written: ${describeError(error)}`);
  }
  if (report.notAttempted.length > 0) {
    io.notice(`${report.notAttempted.length} deletion(s) left for the next run: ${report.notAttempted[0]?.message ?? ''}`);
  }
  if (report.error) io.setFailed(report.error.message);
  else if (report.failed.length > 0) io.setFailed(`${report.failed.length} deletion(s) failed; the first: ${report.failed[0]?.message ?? ''}`);
  return { exitCode: report.exitCode, report, reportPath };
}
