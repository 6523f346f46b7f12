/**
 * The Action's ports for the core pipeline: the policy of the workspace (or the `config` input), the
 * packages of the `packages` input opened through the GitHub adapter (`openGitHubRepository`), the kubeconfig
 * input's clusters, and the repository's history through the GitHub API.
 */
import type { Clock, GitHistory, PipelinePorts } from '@regsweep/core';
import { scanKubeconfigValue } from '@regsweep/kubernetes';
import { openGitHubRepository, type GitHubRepository } from '@regsweep/github';
import type { ActionInputs } from './inputs.js';
import type { ActionDeps, ActionIo } from './action-io.js';
import { readPolicy } from './policy.js';

export function actionPorts(inputs: ActionInputs, deps: ActionDeps, io: ActionIo, clock: Clock, cacheDir: string): PipelinePorts {
  const workspace = deps.env['GITHUB_WORKSPACE'] || deps.cwd;
  let github: GitHubRepository | undefined;
  return {
    clock,
    progress: (m) => io.info(m),
    policy: async () => {
      const loaded = await readPolicy(inputs.config, workspace);
      io.info(loaded.source === 'default'
        ? `policy: the default (no .regsweep.yml or werf.yaml in ${workspace}; run actions/checkout first to use yours)`
        : `policy: ${loaded.source}`);
      return loaded;
    },
    repositories: async (loaded) => {
      io.info(`digest cache: ${cacheDir}${inputs.dryRun ? ' (read only: dry run)' : ''}`);
      const gh = (github = openGitHubRepository({
        token: inputs.token, apiUrl: inputs.apiUrl, registryUrl: inputs.registryUrl, owner: inputs.owner, repository: inputs.repository,
        pullRequests: inputs.pullRequests && (loaded?.policy.pullRequests ?? true), cacheDir, dryRun: inputs.dryRun, concurrency: 10,
        userAgent: 'regsweep-action', log: { debug: io.debug, info: io.info }, onSecret: io.setSecret,
        ...(deps.fetch !== undefined ? { fetch: deps.fetch } : {}),
        ...(deps.pacerClock !== undefined ? { pacerClock: deps.pacerClock } : {}),
      }));
      const ignored = loaded !== undefined && loaded.policy.repositories.length > 0
        ? [`${loaded.source}: cleanup.repositories was ignored: the action cleans the packages named by its packages input (${inputs.packages.join(', ')})`]
        : [];
      return {
        warnings: ignored,
        repositories: inputs.packages.map((name) => ({
          spec: { ref: `${inputs.owner}/${name}`, path: 'input packages', role: 'primary' as const },
          open: () => gh.openPackage(name),
        })),
      };
    },
    clusterImages: async () => {
      if (inputs.kubeconfig === undefined) {
        io.info('in-use protection is off: no kubeconfig input given');
        return [];
      }
      return scanKubeconfigValue(inputs.kubeconfig, { baseDir: workspace, label: 'input kubeconfig', log: io.info, onSecret: io.setSecret });
    },
    history: async (): Promise<GitHistory> => {
      if (github === undefined) throw new Error('the history is read after the packages are opened');
      return github.history;
    },
  };
}
