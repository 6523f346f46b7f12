/**
 * Runs the committed bundle (`node dist/gitlab/index.js`) the way a GitLab runner runs the
 * component's job: a clean environment with GitLab's predefined variables pointing at the fake GitLab
 * (packages/gitlab/test/support), the `REGSWEEP_*` variables the template sets from its inputs, and
 * CI_PROJECT_DIR as the working directory; then the artifacts (report, dotenv) are read back.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '@regsweep/core';
import { runNodeScript, type NodeRun } from '@regsweep/test-kit/node-process';
import { recordOutputFile } from '@regsweep/test-kit/secrets';
import { TOKENS } from '@regsweep/test-kit/fake-gitlab';

const root = new URL('../../../../', import.meta.url).pathname;
export const JOB_BUNDLE = join(root, 'dist/gitlab/index.js');

export interface JobRun extends NodeRun {
  report: Report | undefined;
  dotenv: Record<string, string>;
}

/** GitLab's predefined variables of a scheduled pipeline on main of project 42, `acme/app`. */
export function predefinedVariables(gitlabUrl: string, projectDir: string): Record<string, string> {
  const url = new URL(gitlabUrl);
  return {
    CI: 'true', GITLAB_CI: 'true', CI_SERVER: 'yes', CI_SERVER_URL: gitlabUrl, CI_API_V4_URL: `${gitlabUrl}/api/v4`,
    CI_SERVER_HOST: url.hostname, CI_SERVER_PORT: url.port, CI_SERVER_PROTOCOL: 'http', CI_SERVER_FQDN: url.host,
    CI_PROJECT_ID: '42', CI_PROJECT_PATH: 'acme/app', CI_PROJECT_NAME: 'app', CI_PROJECT_NAMESPACE: 'acme', CI_PROJECT_DIR: projectDir,
    // GitLab gives the registry's host and port, no scheme (a development GitLab: 127.0.0.1:5000); a
    // loopback host is plain HTTP, as Docker treats it.
    CI_REGISTRY: url.host, CI_REGISTRY_IMAGE: `${url.host}/acme/app`, CI_REGISTRY_USER: 'gitlab-ci-token', CI_JOB_TOKEN: TOKENS.job,
    CI_REGISTRY_PASSWORD: TOKENS.job, CI_COMMIT_REF_NAME: 'main', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main',
    CI_PIPELINE_SOURCE: 'schedule', CI_JOB_NAME: 'regsweep-cleanup', CI_JOB_STAGE: 'cleanup',
  };
}

export async function projectDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'regsweep-gitlab-job-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `KEY=value` lines. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

export async function runJobProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<JobRun> {
  const cwd = env['CI_PROJECT_DIR'] ?? root;
  const run = await runNodeScript(JOB_BUNDLE, { cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: cwd, ...env }, timeoutMs });
  const dir = env['REGSWEEP_REPORT_DIR'] ?? cwd;
  recordOutputFile('regsweep-report.json', join(dir, 'regsweep-report.json'));
  recordOutputFile('regsweep.env', join(dir, 'regsweep.env'));
  const reportText = await readFile(join(dir, 'regsweep-report.json'), 'utf8').catch(() => undefined);
  const dotenvText = await readFile(join(dir, 'regsweep.env'), 'utf8').catch(() => '');
  return {
    ...run,
    report: reportText !== undefined ? (JSON.parse(reportText) as Report) : undefined,
    dotenv: parseDotenv(dotenvText),
  };
}
