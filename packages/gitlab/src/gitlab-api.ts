/**
 * The few GitLab REST v4 calls regsweep makes, through @gitbeaker/rest with `GitLabHttp` as its
 * requester (pacing, retries and rate limits are regsweep's; URLs, encoding and `Link` paging are
 * gitbeaker's). Answers are returned as GitLab sends them (snake_case) and parsed by the callers:
 * gitbeaker's schema types describe more than regsweep reads, and a field GitLab leaves out must
 * fail a read, not slip through a cast.
 */
import { Gitlab } from '@gitbeaker/rest';
import type { GitLabHttp } from './gitlab-http.js';
import { parseTagRules, type TagRule } from './gitlab-tag-rules.js';

export type ProjectId = string | number;

export interface GitLabApi {
  branches(project: ProjectId): Promise<unknown[]>;
  tags(project: ProjectId): Promise<unknown[]>;
  openMergeRequests(project: ProjectId): Promise<unknown[]>;
  /** One page (`perPage` commits) of the history from `ref` (a branch, a tag or a commit id). */
  commitsFrom(project: ProjectId, ref: string, perPage: number): Promise<unknown[]>;
  /** One commit by id or abbreviated id. */
  commit(project: ProjectId, sha: string): Promise<unknown>;
  repositories(project: ProjectId): Promise<unknown[]>;
  registryTags(project: ProjectId, repositoryId: number): Promise<unknown[]>;
  registryTag(project: ProjectId, repositoryId: number, tag: string): Promise<unknown>;
  removeRegistryTag(project: ProjectId, repositoryId: number, tag: string): Promise<void>;
  /**
   * The project's container tag rules, protection and immutable
   * (`GET /projects/:id/registry/protection/tag/rules`), or undefined where the token may not read
   * them (or the GitLab has none of this API).
   */
  tagRules(project: ProjectId): Promise<TagRule[] | undefined>;
}

export function createGitLabApi(http: GitLabHttp): GitLabApi {
  const auth = http.auth.kind === 'job' ? { jobToken: http.auth.value } : { token: http.auth.value };
  // gitbeaker's requester type is generic over its resource options; ours ignores them.
  const gl = new Gitlab({ host: http.serverUrl, ...auth, requesterFn: http.requesterFn() as never });
  const list = (p: Promise<unknown>): Promise<unknown[]> => p.then((v) => (Array.isArray(v) ? v : []));
  return {
    branches: (project) => list(gl.Branches.all(project, { perPage: 100 })),
    tags: (project) => list(gl.Tags.all(project, { perPage: 100 })),
    openMergeRequests: (project) => list(gl.MergeRequests.all({ projectId: project, state: 'opened', perPage: 100 })),
    commitsFrom: (project, ref, perPage) => list(gl.Commits.all(project, { refName: ref, perPage, maxPages: 1 })),
    commit: (project, sha) => gl.Commits.show(project, sha) as Promise<unknown>,
    repositories: (project) => list(gl.ContainerRegistry.allRepositories({ projectId: project, perPage: 100 })),
    registryTags: (project, repositoryId) => list(gl.ContainerRegistry.allTags(project, repositoryId, { perPage: 100 })),
    registryTag: (project, repositoryId, tag) => gl.ContainerRegistry.showTag(project, repositoryId, tag) as Promise<unknown>,
    removeRegistryTag: async (project, repositoryId, tag) => {
      await gl.ContainerRegistry.removeTag(project, repositoryId, tag);
    },
    tagRules: async (project) => {
      // gitbeaker has no resource for these rules (GitLab 17.9+): sent directly, through the same pacer.
      const res = await http.send('GET', http.api(`/projects/${encodeURIComponent(String(project))}/registry/protection/tag/rules`));
      return res.status === 200 ? parseTagRules(res.data) : undefined;
    },
  };
}

export { field, stringField } from './gitlab-fields.js';
