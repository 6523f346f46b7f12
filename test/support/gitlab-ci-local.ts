/**
 * gitlab-ci-local (npm, shell executor) around a throwaway copy of the component project: a git
 * repository whose remote is `gitlab.example.com:acme/regsweep`, holding the working tree's
 * templates/cleanup.yml and dist/gitlab/ plus the files a test gives (`@SOURCE@` in them becomes the
 * copy's file:// URL, for the component's source input). gitlab-ci-local resolves
 * `component: gitlab.example.com/acme/regsweep/cleanup@<HEAD's SHA>` from that checkout, interpolates
 * the inputs as GitLab does, and runs the jobs as processes.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { TOKENS } from '@regsweep/test-kit/fake-gitlab';
import { recordOutput } from '@regsweep/test-kit/secrets';

const root = new URL('../../', import.meta.url).pathname;
const GCL = join(root, 'node_modules/.bin/gitlab-ci-local');
export const exec = promisify(execFile);

export interface ComponentProject {
  dir: string;
  home: string;
  head(): Promise<string>;
  write(path: string, text: string): Promise<void>;
  remove(): Promise<void>;
}

export async function componentProject(files: Record<string, string>): Promise<ComponentProject> {
  const base = await mkdtemp(join(tmpdir(), 'regsweep-component-'));
  const dir = join(base, 'project');
  const home = join(base, 'home');
  await mkdir(join(dir, 'templates'), { recursive: true });
  await mkdir(home);
  await cp(join(root, 'templates/cleanup.yml'), join(dir, 'templates/cleanup.yml'));
  await cp(join(root, 'dist/gitlab'), join(dir, 'dist/gitlab'), { recursive: true });
  const write = async (path: string, text: string): Promise<void> => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text.replaceAll('@SOURCE@', `file://${dir}`));
  };
  for (const [path, text] of Object.entries(files)) await write(path, text);
  const git = (...args: string[]) => exec('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args]);
  await git('init', '-q', '-b', 'main');
  await git('remote', 'add', 'origin', 'git@gitlab.example.com:acme/regsweep.git');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'pipeline');
  return {
    dir, home, write,
    head: async () => (await git('rev-parse', 'HEAD')).stdout.trim(),
    remove: () => rm(base, { recursive: true, force: true }),
  };
}

/** The variables the fake GitLab's project 42 (`acme/app`) needs, overriding gitlab-ci-local's own. */
export function fakeGitLabVariables(url: string, projectDir: string): Record<string, string> {
  return {
    CI_SERVER_URL: url, CI_API_V4_URL: `${url}/api/v4`, CI_PROJECT_ID: '42', CI_PROJECT_PATH: 'acme/app',
    CI_REGISTRY: url, CI_JOB_TOKEN: TOKENS.job, CI_PROJECT_DIR: projectDir,
  };
}

export async function gitlabCiLocal(p: ComponentProject, variables: Record<string, string>, extra: string[] = []): Promise<{ code: number; out: string; stdout: string }> {
  const args = ['--force-shell-executor', '--ignore-predefined-vars', Object.keys(variables).join(',')];
  for (const [k, v] of Object.entries(variables)) args.push('--variable', `${k}=${v}`);
  try {
    const { stdout, stderr } = await exec(GCL, [...args, ...extra], { cwd: p.dir, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: p.home }, timeout: 120_000 });
    recordOutput('gitlab-ci-local', stdout + stderr);
    return { code: 0, out: stdout + stderr, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    recordOutput('gitlab-ci-local', `${e.stdout ?? ''}${e.stderr ?? ''}`);
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}`, stdout: e.stdout ?? '' };
  }
}

/** The job names in the standard output of `gitlab-ci-local --list` (the jobs the pipeline would have). */
export function listedJobs(stdout: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => /^name\s+description\s+stage/.test(l));
  return start < 0 ? [] : lines.slice(start + 1).map((l) => l.split(/\s+/)[0] ?? '').filter((n) => n !== '');
}
