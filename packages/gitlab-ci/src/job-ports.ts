/**
 * The GitLab job's ports for the core pipeline: the project's policy (or REGSWEEP_CONFIG), the
 * project's registry repositories opened through `openGitLabProject` (one HTTP client and one pacer
 * for the token), the kubeconfig variable's clusters, and the history through GitLab's API.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { InputError, type Clock, type PipelinePorts } from '@regsweep/core';
import { loadPolicy } from '@regsweep/node-host';
import { openGitLabProject, type GitLabProject } from '@regsweep/gitlab';
import { scanKubeconfigValue } from '@regsweep/kubernetes';
import { DigestCache } from '@regsweep/oci-registry';
import type { JobDeps } from './job-deps.js';
import type { JobSettings } from './variables.js';

export interface JobPorts {
  ports: PipelinePorts;
  /** The project once opened (for the request counts at the end). */
  project(): GitLabProject | undefined;
}

export function jobPorts(s: JobSettings, deps: JobDeps, say: (line: string) => void, addSecret: (secret: string) => void, clock: Clock): JobPorts {
  let project: GitLabProject | undefined;
  const ports: PipelinePorts = {
    clock,
    progress: say,
    policy: async () => {
      const loaded = await loadPolicy({
        cwd: s.projectDir, ...(s.config !== undefined ? { config: s.config } : {}),
        missingConfig: { name: 'REGSWEEP_CONFIG (the config input)', hint: 'give the path of a regsweep policy or a werf.yaml with a cleanup: section, relative to the project root; leave config empty for .regsweep.yml, werf.yaml or the default policy' },
      });
      say(loaded.source === 'default' ? `policy: the default (no .regsweep.yml or werf.yaml in ${s.projectDir})` : `policy: ${loaded.source}`);
      return loaded;
    },
    clusterImages: async () => {
      if (s.kubeconfigVariable === undefined) {
        say('in-use protection is off: no kubeconfig-variable given');
        return [];
      }
      const value = deps.env[s.kubeconfigVariable]?.trim();
      if (!value) {
        throw new InputError(`REGSWEEP_KUBECONFIG_VARIABLE (the kubeconfig-variable input) names ${s.kubeconfigVariable}, but this job has no such variable (or it is empty); nothing was deleted`,
          `add ${s.kubeconfigVariable} in Settings > CI/CD > Variables as a file-type variable holding the kubeconfig (masked and protected), or leave kubeconfig-variable empty`);
      }
      return scanKubeconfigValue(value, { baseDir: s.projectDir, label: `variable ${s.kubeconfigVariable}`, log: say, onSecret: addSecret });
    },
    repositories: async (loaded) => {
      const opened = (project = openProject(s, deps, say, addSecret, loaded?.policy.pullRequests ?? true));
      const ignored = loaded !== undefined && loaded.policy.repositories.length > 0
        ? [`${loaded.source}: cleanup.repositories was ignored: the job cleans the repositories named by its repositories input (${s.repositories.join(', ') || 'all of the project\'s'})`]
        : [];
      return {
        warnings: ignored,
        repositories: [{
          spec: { ref: `registry repositories of ${s.projectPath}`, path: 'input repositories', role: 'primary' },
          open: async () => {
            const registries = await opened.repositories(s.repositories);
            say(`repositories: ${registries.map((r) => r.name).join(', ') || 'none'}`);
            return registries;
          },
        }],
      };
    },
    history: async () => {
      if (project === undefined) throw new Error('the history is read after the project is opened');
      return project.history;
    },
  };
  return { ports, project: () => project };
}

function openProject(s: JobSettings, deps: JobDeps, say: (line: string) => void, addSecret: (secret: string) => void, policyMergeRequests: boolean): GitLabProject {
  const cacheDir = s.cacheDir !== undefined ? (isAbsolute(s.cacheDir) ? s.cacheDir : resolve(s.projectDir, s.cacheDir)) : join(deps.tmpdir, 'regsweep-digest-cache');
  let lastPause = 0;
  return openGitLabProject({
    serverUrl: s.serverUrl, auth: s.auth, projectId: s.projectId, projectPath: s.projectPath, registry: s.registry,
    mergeRequests: s.mergeRequests && policyMergeRequests, listing: s.listing,
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
}
