/**
 * The policy of an action run: the `config` input (relative to the workspace), else .regsweep.yml,
 * else werf.yaml's cleanup section in GITHUB_WORKSPACE, else the default policy. The lookup itself is
 * node-host's `loadPolicy` (one implementation of the order and the messages); only a missing `config`
 * file is reported here, naming the input instead of the CLI's flag.
 */
import type { LoadedPolicy } from '@regsweep/core';
import { loadPolicy } from '@regsweep/node-host';

export function readPolicy(config: string | undefined, workspace: string): Promise<LoadedPolicy> {
  return loadPolicy({
    cwd: workspace,
    ...(config !== undefined ? { config } : {}),
    missingConfig: {
      name: 'input config',
      hint: 'pass the path (relative to the repository root) of a regsweep policy or a werf.yaml with a cleanup: section, run actions/checkout before regsweep, or leave config empty for .regsweep.yml, werf.yaml or the default policy',
    },
  });
}
