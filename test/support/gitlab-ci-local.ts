/**
 * gitlab-ci-local (npm, shell executor) around throwaway git repositories:
 * - `componentProject`: a copy of the component project (remote `gitlab.example.com:acme/regsweep`)
 *   with the working tree's templates/cleanup.yml and dist/gitlab/ plus the files a test gives;
 *   gitlab-ci-local resolves `component: gitlab.example.com/acme/regsweep/cleanup@<HEAD's SHA>` from
 *   that checkout (regsweep's own pipeline);
 * - `userProject`: a project of a user (remote `gitlab.example.com:acme/app`) that includes the
 *   component at a release. gitlab-ci-local would fetch the template from the GitLab server over git;
 *   here the working tree's template is put where it keeps fetched includes
 *   (`.gitlab-ci-local/includes/<host>/<project>/<ref>/`), which it then reads instead.
 * gitlab-ci-local interpolates the inputs as GitLab does and runs the jobs as processes.
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

export function componentProject(files: Record<string, string>): Promise<ComponentProject> {
  return gitProject('acme/regsweep', {
    ...files,
    'templates/cleanup.yml': { copy: 'templates/cleanup.yml' },
    'dist/gitlab/index.js': { copy: 'dist/gitlab/index.js' },
    'dist/gitlab/package.json': { copy: 'dist/gitlab/package.json' },
  });
}

/** A project `acme/app` whose pipeline includes `gitlab.example.com/acme/regsweep/cleanup@<componentRef>`. */
export function userProject(files: Record<string, string>, componentRef: string): Promise<ComponentProject> {
  const fetched = `.gitlab-ci-local/includes/gitlab.example.com/acme/regsweep/${componentRef}/templates/cleanup.yml`;
  return gitProject('acme/app', { ...files, [fetched]: { copy: 'templates/cleanup.yml' } });
}

/** A git repository of one commit with the files given (text, or a file of the working tree to copy). */
async function gitProject(path: string, files: Record<string, string | { copy: string }>): Promise<ComponentProject> {
  const base = await mkdtemp(join(tmpdir(), 'regsweep-component-'));
  const dir = join(base, 'project');
  const home = join(base, 'home');
  await mkdir(home);
  const write = async (file: string, text: string): Promise<void> => {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  };
  for (const [file, content] of Object.entries(files)) {
    if (typeof content === 'string') await write(file, content);
    else await mkdir(dirname(join(dir, file)), { recursive: true }).then(() => cp(join(root, content.copy), join(dir, file)));
  }
  const git = (...args: string[]) => exec('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args]);
  await git('init', '-q', '-b', 'main');
  await git('remote', 'add', 'origin', `git@gitlab.example.com:${path}.git`);
  await writeFile(join(dir, '.gitignore'), '.gitlab-ci-local/\n');
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
