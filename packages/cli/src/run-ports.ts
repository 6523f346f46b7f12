/**
 * The CLI's ports for the core pipeline: the policy file (and --without-kube), the repositories of
 * --registry or the policy's list, opened with the CLI's credentials; the clusters of the kubeconfig;
 * the local git clone (closed by `close`).
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { Clock, GitHistory, PipelinePorts, PipelineRepository, Registry, Report, RepositorySpec } from '@regsweep/core';
import { openLocalGit, type LocalGitHistory } from '@regsweep/git-local';
import type { Command } from './args.js';
import { scanClusters } from './in-use.js';
import { readPassword, type Io } from './io.js';
import { loadPolicy } from '@regsweep/node-host';
import { openRegistry, registryHosts } from './registry-ref.js';
import { chooseRepositories } from './repositories.js';

type RunCommand = Exclude<Command, { kind: 'help' | 'version' | 'demo' | 'host' }>;

export interface CliPorts {
  ports: PipelinePorts;
  /** Closes the git clone's reader, if one was opened. */
  close(): Promise<void>;
}

export function cliPorts(command: RunCommand, io: Io, report: Report, clock: Clock, learn: (secret: string) => void): CliPorts {
  const progress = command.quiet ? undefined : (m: string): void => io.stderr(`regsweep: ${m}\n`);
  /** The command when it plans by the policy (cleanup, explain); purge has none. */
  const planned = command.kind === 'purge' ? undefined : command;
  let history: LocalGitHistory | undefined;
  let pass: string | undefined;
  let runHosts: string[] = [];
  const open = (ref: string, what: string): Promise<Registry> =>
    openRegistry(ref, io.cwd, {
      what, plainHttp: command.plainHttp, concurrency: command.concurrency, dryRun: command.dryRun, runHosts,
      ...(io.env ? { env: io.env } : {}),
      ...(command.username !== undefined && pass !== undefined ? { username: command.username, password: pass } : {}),
      ...(command.cacheDir !== undefined ? { cacheDir: command.cacheDir } : {}),
      ...(progress ? { note: progress } : {}),
      onSecret: learn,
    });
  const repository = (spec: RepositorySpec, origin: string): PipelineRepository => ({ spec, open: () => open(spec.ref, origin) });
  const ports: PipelinePorts = {
    clock,
    ...(progress ? { progress } : {}),
    policy: async () => {
      if (planned === undefined) throw new Error('purge reads no policy');
      const loaded = await loadPolicy({ cwd: io.cwd, ...(planned.config ? { config: planned.config } : {}), ...(planned.keepList ? { keepList: planned.keepList } : {}) });
      if (planned.withoutKube) return { ...loaded, policy: { ...loaded.policy, disableKubernetesBasedPolicy: true } };
      const { kube } = planned;
      if (loaded.policy.disableKubernetesBasedPolicy && kube.contexts.length + kube.namespaces.length + kube.kubeconfigs.length > 0) {
        loaded.warnings.push(`${loaded.source}: cleanup.disableKubernetesBasedPolicy is true, so the Kubernetes flags were ignored`);
      }
      return loaded;
    },
    repositories: async (loaded) => {
      if (command.passwordStdin && pass === undefined) learn((pass = await readPassword(io)));
      if (loaded === undefined) {
        runHosts = registryHosts(command.registries);
        return { repositories: command.registries.map((ref) => repository({ ref, path: '--registry', role: 'primary' }, '--registry')) };
      }
      const chosen = chooseRepositories(command.kind, command.registries, { repositories: loaded.policy.repositories, source: loaded.source });
      // Secondary repositories are never opened, so credentials never go to them.
      runHosts = registryHosts(chosen.repositories.filter((r) => r.spec.role !== 'secondary').map((r) => r.spec.ref));
      return { repositories: chosen.repositories.map((r) => repository(r.spec, r.origin)), warnings: chosen.warnings };
    },
    clusterImages: async () => {
      const env = io.env ?? {};
      const scan = await scanClusters(planned?.kube ?? { contexts: [], namespaces: [], kubeconfigs: [] }, { env, homedir: env['HOME'] ?? homedir(), onSecret: learn, ...(progress ? { log: progress } : {}) });
      if (scan === undefined) report.warnings.push('no kubeconfig found ($KUBECONFIG, ~/.kube/config, in-cluster): in-use protection is off (pass --without-kube to say that is intended)');
      return scan?.uses ?? [];
    },
    history: async () => (history = await openLocalGit(resolve(io.cwd, planned?.git ?? '.'))) as GitHistory,
  };
  return { ports, close: async () => void (await history?.close()) };
}
