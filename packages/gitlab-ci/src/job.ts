/**
 * The GitLab job's composition root, with everything injected (environment, output, fetch, clocks)
 * so it runs in-process in tests as well as from entry.ts:
 * check the artifact paths; read the variables into plain data (variables.ts); run the core pipeline
 * with the job's ports (job-ports.ts: the policy, the kubeconfig variable's clusters, the project's
 * registry repositories opened before anything is read, the API history); then write
 * regsweep-report.json and regsweep.env (the artifacts) and the summary (job-log.ts).
 *
 * Exit codes as the CLI's and the Action's (policy-semantics.md §6): 2 bad input (a variable, the
 * token, a repository) with nothing touched; 1 a repository that could not be planned or a failed
 * deletion; 0 otherwise — also when GitLab's rate limit or max-deletions stopped the run: what is left
 * is listed, and the next scheduled run continues.
 */
import { basename, join, resolve } from 'node:path';
import { createRedactor, describeError, emptyReport, InputError, runPipeline, type Clock, type Report } from '@regsweep/core';
import { prepareOutputPath, realClock, writeAtomic } from '@regsweep/node-host';
import { renderDotenv, renderJobLog } from './job-log.js';
import type { JobDeps, JobResult } from './job-deps.js';
import { jobPorts } from './job-ports.js';
import { readJobVariables, reportDirOf, variableNameText, type Env } from './variables.js';

export const REPORT_FILE = 'regsweep-report.json';
export const DOTENV_FILE = 'regsweep.env';
/** Reads and deletes in flight per repository. */
const CONCURRENCY = 8;

export type { JobDeps, JobResult } from './job-deps.js';

/** Every value that must never reach the log: the tokens the job could use, the kubeconfig. */
function secretsOf(env: Env): Array<string | undefined> {
  const named = (key: string): string | undefined => {
    const name = variableNameText(env[key]);
    return name ? env[name] : undefined;
  };
  return [env['REGSWEEP_TOKEN'], named('REGSWEEP_TOKEN_VARIABLE'), env['CI_JOB_TOKEN'], env['CI_REGISTRY_PASSWORD'], named('REGSWEEP_KUBECONFIG_VARIABLE')];
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
    const { ports, project } = jobPorts(s, deps, say, (secret) => void secrets.add(secret), clock);
    await runPipeline({
      command: 'cleanup', dryRun: s.dryRun, concurrency: CONCURRENCY, noun: 'repositories',
      ...(s.maxDeletions !== undefined ? { maxDeletions: s.maxDeletions } : {}),
    }, ports, report);
    const requests = Object.entries(project()?.http.stats().requests ?? {}).map(([kind, n]) => `${kind} ${n}`).join(', ');
    say(`GitLab requests: ${requests || 'none'}`);
  } catch (error) {
    report.error = { message: describeError(error), exitCode: error instanceof InputError ? 2 : 1 };
    report.exitCode = report.error.exitCode;
  }
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
