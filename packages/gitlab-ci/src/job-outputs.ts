/**
 * What the GitLab job writes around its run: the secrets it masks, the artifact paths checked before
 * any request, and at the end regsweep-report.json, regsweep.env and the log's summary (job-log.ts).
 */
import { basename } from 'node:path';
import { describeError, type Clock, type Report } from '@regsweep/core';
import { prepareOutputPath, writeAtomic } from '@regsweep/node-host';
import { renderDotenv, renderJobLog } from './job-log.js';
import type { JobResult } from './job-deps.js';
import { variableNameText, type Env } from './variables.js';

/** Every value that must never reach the log: the tokens the job could use, the kubeconfig. */
export function secretsOf(env: Env): Array<string | undefined> {
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
export async function prepareOutputs(env: Env, paths: readonly string[]): Promise<void> {
  const folder = env['REGSWEEP_REPORT_DIR']?.trim() ? 'REGSWEEP_REPORT_DIR' : env['CI_PROJECT_DIR']?.trim() ? 'CI_PROJECT_DIR' : 'the working directory';
  for (const path of paths) {
    await prepareOutputPath(path, `the job's artifact ${basename(path)} (in ${folder})`, {
      fix: `the job writes ${basename(path)} into ${folder} for GitLab to upload: remove what is in the way there (a folder or a link of that name), or make the folder writable`,
    });
  }
}

export interface Outputs {
  reportPath: string;
  dotenvPath: string;
  /** Whether the paths passed the check (else nothing is written). */
  writable: boolean;
}

export async function finish(report: Report, outputs: Outputs, say: (line: string) => void, redact: (t: string) => string, clock: Clock): Promise<JobResult> {
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
