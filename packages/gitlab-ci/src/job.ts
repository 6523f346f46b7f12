/**
 * The GitLab job's composition root, with everything injected (environment, output, fetch, clocks)
 * so it runs in-process in tests as well as from entry.ts:
 * read the variables (variables.ts) and the policy; open the project (one `GitLabHttp`, one pacer for
 * the token) and choose its registry repositories (a wrong token or repository stops the run before
 * anything is read); plan and apply each repository (one that fails is reported, the others go on);
 * then write regsweep-report.json and regsweep.env (the artifacts) and the summary (job-log.ts).
 *
 * Exit codes as the CLI's and the Action's (policy-semantics.md §6): 2 bad input (a variable, the
 * token, a repository) with nothing touched; 1 a repository that could not be planned or a failed
 * deletion; 0 otherwise — also when GitLab's rate limit or max-deletions stopped the run: what is left
 * is listed, and the next scheduled run continues.
 */
import { basename, isAbsolute, join, resolve } from 'node:path';
import {
  cleanRepositories, createRedactor, describeError, emptyReport, InputError, isBudgetStop, repositoriesFailure, sharedHistory,
  type ClusterImageUse, type Clock, type Registry, type Report, type RepositoryFailure,
} from '@regsweep/core';
import { scanKubeconfigValue } from '@regsweep/kubernetes';
import { loadPolicy } from '@regsweep/cli';
import { prepareOutputPath, realClock, writeAtomic } from '@regsweep/node-host';
import { openGitLabProject, type GitLabProject } from '@regsweep/gitlab';
import type { PacerClock } from '@regsweep/core';
import { DigestCache } from '@regsweep/oci-registry';
import { renderDotenv, renderJobLog } from './job-log.js';
import { readJobVariables, reportDirOf, variableNameText, type Env, type JobSettings } from './variables.js';

export const REPORT_FILE = 'regsweep-report.json';
export const DOTENV_FILE = 'regsweep.env';
/** Reads and deletes in flight per repository. */
const CONCURRENCY = 8;

export interface JobDeps {
  env: Env;
  /** One line of the job log. */
  out(line: string): void;
  /** Where the digest cache goes when REGSWEEP_CACHE_DIR is not set (os.tmpdir()). */
  tmpdir: string;
  fetch?: typeof globalThis.fetch;
  clock?: Clock;
  pacerClock?: PacerClock;
}

export interface JobResult {
  exitCode: number;
  report: Report;
  reportPath: string;
  dotenvPath: string;
}

/** Every value that must never reach the log: the tokens the job could use, the kubeconfig. */
function secretsOf(env: Env): Array<string | undefined> {
  const named = (key: string): string | undefined => {
    const name = variableNameText(env[key]);
    return name ? env[name] : undefined;
  };
  return [env['REGSWEEP_TOKEN'], named('REGSWEEP_TOKEN_VARIABLE'), env['CI_JOB_TOKEN'], env['CI_REGISTRY_PASSWORD'], named('REGSWEEP_KUBECONFIG_VARIABLE')];
}

interface CleanResult {
  failures: RepositoryFailure[];
  unplanned: string[];
}

async function cleanProject(s: JobSettings, deps: JobDeps, say: (line: string) => void, addSecret: (secret: string) => void, report: Report, clock: Clock): Promise<CleanResult> {
  const loaded = await loadPolicy({
    cwd: s.projectDir, ...(s.config !== undefined ? { config: s.config } : {}),
    missingConfig: { name: 'REGSWEEP_CONFIG (the config input)', hint: 'give the path of a regsweep policy or a werf.yaml with a cleanup: section, relative to the project root; leave config empty for .regsweep.yml, werf.yaml or the default policy' },
  });
  report.policySource = loaded.source;
  report.warnings.push(...loaded.warnings);
  say(loaded.source === 'default' ? `policy: the default (no .regsweep.yml or werf.yaml in ${s.projectDir})` : `policy: ${loaded.source}`);
  if (loaded.policy.repositories.length > 0) {
    report.warnings.push(`${loaded.source}: cleanup.repositories was ignored: the job cleans the repositories named by its repositories input (${s.repositories.join(', ') || 'all of the project\'s'})`);
  }
  // In-use protection: every context of the kubeconfig is read before anything is planned; one that
  // cannot be read stops the run (nothing deleted).
  let clusterImages: ClusterImageUse[] = [];
  if (s.kubeconfigVariable !== undefined && !loaded.policy.disableKubernetesBasedPolicy) {
    const value = deps.env[s.kubeconfigVariable]?.trim();
    if (!value) {
      throw new InputError(`REGSWEEP_KUBECONFIG_VARIABLE (the kubeconfig-variable input) names ${s.kubeconfigVariable}, but this job has no such variable (or it is empty); nothing was deleted`,
        `add ${s.kubeconfigVariable} in Settings > CI/CD > Variables as a file-type variable holding the kubeconfig (masked and protected), or leave kubeconfig-variable empty`);
    }
    clusterImages = await scanKubeconfigValue(value, { baseDir: s.projectDir, label: `variable ${s.kubeconfigVariable}`, log: say, onSecret: addSecret });
  } else if (s.kubeconfigVariable === undefined) say('in-use protection is off: no kubeconfig-variable given');

  const cacheDir = s.cacheDir !== undefined ? (isAbsolute(s.cacheDir) ? s.cacheDir : resolve(s.projectDir, s.cacheDir)) : join(deps.tmpdir, 'regsweep-digest-cache');
  let lastPause = 0;
  const project: GitLabProject = openGitLabProject({
    serverUrl: s.serverUrl, auth: s.auth, projectId: s.projectId, projectPath: s.projectPath, registry: s.registry,
    mergeRequests: s.mergeRequests && loaded.policy.pullRequests, listing: s.listing,
    cache: { cache: new DigestCache(cacheDir), readOnly: s.dryRun },
    log: say,
    onRateLimit: (untilMs, status) => {
      if (untilMs - lastPause < 5000) return;
      lastPause = untilMs;
      say(`GitLab's rate limit (${status}): no request is sent until ${new Date(untilMs).toISOString()}`);
    },
    ...(s.requestsPerMinute !== undefined ? { requestsPerMinute: s.requestsPerMinute } : {}),
    oci: { ...(deps.fetch !== undefined ? { fetch: deps.fetch } : {}), onSecret: addSecret },
    ...(deps.fetch !== undefined ? { fetch: deps.fetch } : {}),
    ...(deps.pacerClock !== undefined ? { clock: deps.pacerClock } : {}),
  });

  const result: CleanResult = { failures: [], unplanned: [] };
  const budgetStop = (name: string, error: unknown): void => {
    result.unplanned.push(name);
    report.warnings.push(`${name}: not read: ${describeError(error).split('\n')[0] ?? ''}; nothing was deleted in it, the next run continues`);
  };
  let registries: Registry[] = [];
  try {
    registries = await project.repositories(s.repositories);
  } catch (error) {
    if (!isBudgetStop(error)) throw error;
    budgetStop(`registry repositories of ${s.projectPath}`, error);
  }
  say(`repositories: ${registries.map((r) => r.name).join(', ') || 'none'}`);
  const run = await cleanRepositories(registries, {
    policy: loaded.policy, keepTags: loaded.keepTags, history: sharedHistory(project.history), clusterImages, clock, now: clock.now(),
    dryRun: s.dryRun, concurrency: CONCURRENCY, progress: say,
  }, report, s.maxDeletions);
  result.failures.push(...run.failures);
  for (const u of run.unplanned) budgetStop(u.name, u.error);
  const requests = Object.entries(project.http.stats().requests).map(([kind, n]) => `${kind} ${n}`).join(', ');
  say(`GitLab requests: ${requests || 'none'}`);
  return result;
}


/**
 * Checks the report and the dotenv file (and creates their folder) before any request: a path that
 * cannot be written (a folder or a symbolic link in the way, a read-only folder) stops the run, exit 2,
 * with nothing read or deleted.
 */
async function prepareOutputs(env: Env, paths: readonly string[]): Promise<void> {
  const folder = env['REGSWEEP_REPORT_DIR']?.trim() ? 'REGSWEEP_REPORT_DIR' : env['CI_PROJECT_DIR']?.trim() ? 'CI_PROJECT_DIR' : 'the working directory';
  for (const path of paths) {
    await prepareOutputPath(path, `the job's artifact ${basename(path)} (in ${folder})`, {
      fix: `the job writes ${basename(path)} into ${folder} for GitLab to upload: remove what is in the way there (a folder or a link of that name), or make the folder writable`,
    });
  }
}

export async function runJob(deps: JobDeps): Promise<JobResult> {
  // One redaction (as GitLab masks: [MASKED]) of the job's tokens and of what is learnt on the way
  // (the kubeconfig's credentials, registry JWTs).
  const secrets = createRedactor({ mask: '[MASKED]' });
  for (const secret of secretsOf(deps.env)) secrets.add(secret);
  const redact = (text: string): string => secrets.redact(text);
  const say = (line: string): void => deps.out(redact(line));
  const clock = deps.clock ?? realClock();
  const startedAt = clock.now();
  const report = emptyReport({ command: 'cleanup', dryRun: false, now: startedAt, startedAt, policySource: 'none' });
  const reportDir = resolve(reportDirOf(deps.env));
  const reportPath = join(reportDir, REPORT_FILE);
  const dotenvPath = join(reportDir, DOTENV_FILE);
  let writable = false;
  try {
    await prepareOutputs(deps.env, [reportPath, dotenvPath]);
    writable = true;
    const s = readJobVariables(deps.env);
    report.dryRun = s.dryRun;
    say(`regsweep${s.version ? ` ${s.version}` : ''}: ${s.dryRun ? 'dry run of the ' : ''}cleanup of the container registry of ${s.projectPath}` +
      ` (${s.registryImage}) by its git references${s.refName ? `, from a pipeline on ${s.refName}` : ''}; token: ${s.tokenSource}`);
    const { failures } = await cleanProject(s, deps, say, (secret) => void secrets.add(secret), report, clock);
    if (failures.length > 0) {
      report.error = repositoriesFailure(report, failures, report.repositories.length + failures.length, 'repositories');
    }
  } catch (error) {
    report.error = { message: describeError(error), exitCode: error instanceof InputError ? 2 : 1 };
  }
  report.exitCode = report.error ? report.error.exitCode : report.failed.length > 0 ? 1 : 0;
  report.finishedAt = clock.now().toISOString();
  return finish(report, { reportPath, dotenvPath, writable }, say, redact, clock);
}

interface Outputs {
  reportPath: string;
  dotenvPath: string;
  /** Whether the paths passed the check (else nothing is written). */
  writable: boolean;
}

async function finish(report: Report, outputs: Outputs, say: (line: string) => void, redact: (t: string) => string, clock: Clock): Promise<JobResult> {
  const { reportPath, dotenvPath, writable } = outputs;
  const files: ReadonlyArray<readonly [string, string]> = writable ? [[reportPath, `${JSON.stringify(report, null, 2)}\n`], [dotenvPath, renderDotenv(report)]] : [];
  for (const [path, text] of files) {
    try {
      await writeAtomic(path, redact(text));
    } catch (error) {
      say(`could not write ${path}: ${describeError(error)}`);
    }
  }
  for (const line of renderJobLog(report, Math.floor(clock.now().getTime() / 1000))) say(line);
  if (report.notAttempted.length > 0) say(`${report.notAttempted.length} deletion(s) left for the next run: ${report.notAttempted[0]?.message ?? ''}`);
  say(writable ? `report: ${reportPath} (artifact), ${dotenvPath} (dotenv)` : 'no report and no dotenv file written');
  if (report.error) say(`ERROR: ${report.error.message}`);
  else if (report.failed.length > 0) say(`ERROR: ${report.failed.length} deletion(s) failed; the first: ${report.failed[0]?.message ?? ''}`);
  return { exitCode: report.exitCode, report, reportPath, dotenvPath };
}
