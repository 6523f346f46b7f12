/**
 * Runs the committed bundle (`node dist/github/index.js`) the way a GitHub runner does: a clean
 * environment with every input as `INPUT_<NAME>` (upper case, spaces to `_`, hyphens kept, as
 * @actions/core's getInput reads them), the GITHUB_* and RUNNER_* variables, the workspace as the
 * working directory, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files to read back.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runNodeScript } from '@regsweep/test-kit/node-process';
import { recordOutputFile } from '@regsweep/test-kit/secrets';

const root = new URL('../../../../', import.meta.url).pathname;
export const BUNDLE = join(root, 'dist/github/index.js');

/** The input names action.yml declares. */
export async function declaredInputs(): Promise<string[]> {
  const doc: unknown = parse(await readFile(join(root, 'action.yml'), 'utf8'));
  const inputs = typeof doc === 'object' && doc !== null && 'inputs' in doc ? doc.inputs : undefined;
  return typeof inputs === 'object' && inputs !== null ? Object.keys(inputs).sort() : [];
}

export interface RunnerDirs {
  base: string;
  workspace: string;
  temp: string;
}

export async function runnerDirs(): Promise<RunnerDirs> {
  const base = await mkdtemp(join(tmpdir(), 'regsweep-action-e2e-'));
  const dirs = { base, workspace: join(base, 'workspace'), temp: join(base, 'runner-temp') };
  await mkdir(dirs.workspace, { recursive: true });
  await mkdir(dirs.temp, { recursive: true });
  return dirs;
}

export const removeDirs = (dirs: RunnerDirs): Promise<void> => rm(dirs.base, { recursive: true, force: true });

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  ms: number;
}

/** `name<<DELIMITER\nvalue\nDELIMITER` blocks, as @actions/core appends them to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!m) continue;
    const [, name = '', delimiter] = m;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    out[name] = value.join('\n');
  }
  return out;
}

let runs = 0;

/**
 * Runs the bundle with `inputs` (every declared input must be given) in the runner's environment, plus
 * `extraEnv` (the cache service's variables, for one).
 */
export async function runBundle(dirs: RunnerDirs, apiUrl: string, inputs: Record<string, string>, timeoutMs = 45_000, extraEnv: Record<string, string> = {}): Promise<ActionRun> {
  const n = ++runs;
  const outputFile = join(dirs.base, `output-${n}.txt`);
  const summaryFile = join(dirs.base, `summary-${n}.md`);
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'schedule', GITHUB_WORKFLOW: 'registry cleanup',
    GITHUB_REPOSITORY: 'acme/app', GITHUB_REPOSITORY_OWNER: 'acme', GITHUB_API_URL: apiUrl, GITHUB_GRAPHQL_URL: `${apiUrl}/graphql`,
    GITHUB_SERVER_URL: 'https://github.com', GITHUB_WORKSPACE: dirs.workspace, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: dirs.temp, RUNNER_OS: 'Linux', RUNNER_ARCH: 'X64', GITHUB_RUN_ID: String(4000 + n), GITHUB_RUN_ATTEMPT: '1',
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const run = await runNodeScript(BUNDLE, { cwd: dirs.workspace, env, timeoutMs });
  recordOutputFile('github-output', outputFile);
  recordOutputFile('step-summary.md', summaryFile);
  recordOutputFile('regsweep-report.json', join(dirs.temp, 'regsweep-report.json'));
  return {
    ...run,
    outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
  };
}
