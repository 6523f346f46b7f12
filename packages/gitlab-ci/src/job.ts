/**
 * The GitLab job's composition root, with everything injected (environment, output, fetch, clocks)
 * so it runs in-process in tests as well as from entry.ts:
 * check the artifact paths; read the variables into plain data (variables.ts); run the core pipeline
 * with the job's ports (job-ports.ts: the policy, the kubeconfig variable's clusters, the project's
 * registry repositories opened before anything is read, the API history); then write
 * regsweep-report.json and regsweep.env (the artifacts) and the summary (job-log.ts).
 *
 * Exit codes as the CLI's and the Action's (cleanup-semantics.md §6): 2 bad input (a variable, the
 * token, a repository) with nothing touched; 1 a repository that could not be planned or a failed
 * deletion; 0 otherwise — also when GitLab's rate limit or max-deletions stopped the run: what is left
 * is listed, and the next scheduled run continues.
 */
import { join, resolve } from 'node:path';
import { describeError, emptyReport, InputError, runPipeline, VERSION } from '@regsweep/core';
import { createRedactor } from '@regsweep/core/internal';
import { realClock } from '@regsweep/node-host';
import { finish, prepareOutputs, secretsOf } from './job-outputs.js';
import type { JobDeps, JobResult } from './job-deps.js';
import { phaseSections } from './job-log.js';
import { jobPorts } from './job-ports.js';
import { readJobVariables, reportDirOf, type JobSettings } from './variables.js';
import { runHostCleanupStep } from './job-host.js';

export const REPORT_FILE = 'regsweep-report.json';
export const DOTENV_FILE = 'regsweep.env';
/** Reads and deletes in flight per repository. */
const CONCURRENCY = 8;

export type { JobDeps, JobResult } from './job-deps.js';

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
  let settings: JobSettings | undefined;
  try {
    await prepareOutputs(deps.env, [reportPath, dotenvPath]);
    writable = true;
    const s = (settings = readJobVariables(deps.env));
    report.dryRun = s.dryRun;
    say(`regsweep ${VERSION}: ${s.dryRun ? 'dry run of the ' : ''}cleanup of the container registry of ${s.projectPath}` +
      ` (${s.registryImage}) by its git references${s.refName ? `, from a pipeline on ${s.refName}` : ''}; token: ${s.tokenSource}`);
    const { ports, project } = jobPorts(s, deps, say, (secret) => void secrets.add(secret), clock);
    const sections = phaseSections(say, () => Math.floor(clock.now().getTime() / 1000));
    await runPipeline({
      command: 'cleanup', dryRun: s.dryRun, concurrency: CONCURRENCY, noun: 'repositories',
      ...(s.maxDeletions !== undefined ? { maxDeletions: s.maxDeletions } : {}),
    }, { ...ports, phase: sections.phase }, report).finally(sections.close);
    const requests = Object.entries(project()?.http.stats().requests ?? {}).map(([kind, n]) => `${kind} ${n}`).join(', ');
    say(`GitLab requests: ${requests || 'none'}`);
  } catch (error) {
    report.error = { message: describeError(error), exitCode: error instanceof InputError ? 2 : 1 };
    report.exitCode = report.error.exitCode;
  }
  report.finishedAt = clock.now().toISOString();
  const result = await finish(report, { reportPath, dotenvPath, writable }, say, redact, clock);
  const hostExit = await runHostCleanupStep(settings, report, deps.env, say, redact, clock);
  return { ...result, exitCode: result.exitCode || hostExit };
}
