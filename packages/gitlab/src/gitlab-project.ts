/**
 * A GitLab project's side of a run, built once: one `GitLabHttp` (one pacer for the token), the
 * gitbeaker API over it, the project's git history, and its registry repositories, chosen by path
 * globs (`acme/app`, `acme/app/*`; default all of them).
 */
import { InputError, type GitHistory } from '@regsweep/core';
import { Minimatch } from 'minimatch';
import type { DigestCache } from '@regsweep/oci-registry';
import { createGitLabApi, field, stringField, type GitLabApi } from './gitlab-api.js';
import { readFailure, TOKEN_HINT } from './gitlab-errors.js';
import { GitLabHistory } from './gitlab-history.js';
import { GitLabHttp, type GitLabHttpOptions } from './gitlab-http.js';
import { GitLabRegistry, type GitLabRegistryOptions, type GitLabRepository } from './gitlab-registry.js';

export interface GitLabProjectOptions extends GitLabHttpOptions {
  /** `CI_PROJECT_ID` (or the project's path). */
  projectId: string;
  /** `CI_PROJECT_PATH`: `group/project`. */
  projectPath: string;
  /** `CI_REGISTRY`. */
  registry: string;
  /** Open merge requests count as `mr-<iid>` references (default true). */
  mergeRequests?: boolean;
  listing?: GitLabRegistryOptions['listing'];
  cache?: { cache: DigestCache; readOnly: boolean };
  oci?: GitLabRegistryOptions['oci'];
  log?: (message: string) => void;
}

export interface GitLabProject {
  http: GitLabHttp;
  api: GitLabApi;
  history: GitHistory & { stats(): ReturnType<GitLabHistory['stats']> };
  /** The registry repositories whose paths match `patterns` (all when empty). */
  repositories(patterns: readonly string[]): Promise<GitLabRegistry[]>;
}

/** The registry user for a token: `gitlab-ci-token` for the job token, any name for an access token. */
export function registryCredentials(auth: GitLabHttpOptions['auth']): { username: string; password: string } {
  return { username: auth.kind === 'job' ? 'gitlab-ci-token' : 'regsweep', password: auth.value };
}

/** Longest repository glob accepted (a GitLab repository path has at most 255 characters). */
const MAX_REPOSITORY_GLOB_LENGTH = 256;

export function matchRepositories(all: readonly GitLabRepository[], patterns: readonly string[], projectPath: string): { chosen: GitLabRepository[]; unmatched: string[] } {
  if (patterns.length === 0) return { chosen: [...all], unmatched: [] };
  // A pattern without the project's path is relative to it: `web` = `group/project/web`; `.` is the
  // project's own repository (CI_REGISTRY_IMAGE).
  const full = patterns.map((p) => (p === '.' ? projectPath : p === projectPath || p.startsWith(`${projectPath}/`) ? p : `${projectPath}/${p.replace(/^\/+/, '')}`));
  const tooLong = patterns.find((p) => p.length > MAX_REPOSITORY_GLOB_LENGTH);
  if (tooLong !== undefined) {
    throw new InputError(`a repository glob is ${tooLong.length} characters long; at most ${MAX_REPOSITORY_GLOB_LENGTH} are accepted`, 'list the repositories by shorter globs such as web or services/*');
  }
  // No extglobs (`+(a|aa)…` runs in exponential time on a backtracking engine); `*`, `**`, `?`, `[…]`, `{…}` stay.
  const matchers = full.map((p) => new Minimatch(p, { nonegate: true, nocomment: true, dot: true, noext: true }));
  const chosen = all.filter((r) => matchers.some((m) => m.match(r.path)));
  const unmatched = patterns.filter((_, i) => !all.some((r) => matchers[i]?.match(r.path)));
  return { chosen, unmatched };
}

export function openGitLabProject(o: GitLabProjectOptions): GitLabProject {
  const http = new GitLabHttp(o);
  const api = createGitLabApi(http);
  const history = new GitLabHistory({
    api, project: o.projectId, projectPath: o.projectPath, jobToken: o.auth.kind === 'job', mergeRequests: o.mergeRequests ?? true,
  });
  const repositories = async (patterns: readonly string[]): Promise<GitLabRegistry[]> => {
    let listed: unknown[];
    try {
      listed = await api.repositories(o.projectId);
    } catch (err) {
      throw readFailure(err, { input: `registry repositories of ${o.projectPath}`, what: 'the registry repositories', project: o.projectPath, jobToken: false });
    }
    const all: GitLabRepository[] = listed.map((r) => {
      const id = field(r, 'id');
      const path = stringField(r, 'path');
      if (typeof id !== 'number' || path === undefined) throw new InputError(`GitLab listed a registry repository of ${o.projectPath} without an id and a path`, TOKEN_HINT);
      return { id, path };
    });
    const { chosen, unmatched } = matchRepositories(all, patterns, o.projectPath);
    if (unmatched.length > 0) {
      throw new InputError(`no registry repository of ${o.projectPath} matches ${unmatched.map((p) => JSON.stringify(p)).join(', ')}`,
        `the project has ${all.length === 0 ? 'no registry repositories' : all.map((r) => r.path).join(', ')}; fix REGSWEEP_REPOSITORIES (the repositories input)`);
    }
    return chosen.map((repository) => new GitLabRegistry({
      http, api, project: o.projectId, repository, registry: o.registry, credentials: registryCredentials(o.auth),
      ...(o.listing !== undefined ? { listing: o.listing } : {}), ...(o.cache !== undefined ? { cache: o.cache } : {}),
      ...(o.oci !== undefined ? { oci: o.oci } : {}), ...(o.log !== undefined ? { log: o.log } : {}),
    }));
  };
  return { http, api, history, repositories };
}
