/**
 * The CLI's ports for `regsweep host cleanup|purge`: the Docker Engine of --docker-host / DOCKER_HOST,
 * the repositories of --registry or the policy file (each registry listed for the registry sync), and
 * the volume of the engine's data root.
 */
import { InputError, normalizeRepository, type Clock, type HostRepository, type HostRunPorts, type HostRunSettings } from '@regsweep/core';
import { engineHostPorts } from '@regsweep/docker-engine';
import { loadPolicy } from '@regsweep/node-host';
import type { HostCommand } from './host-args.js';
import { readPassword, type Io } from './io.js';
import { openRegistry, registryHosts } from './registry-ref.js';

export function hostSettings(command: HostCommand): HostRunSettings {
  return {
    mode: command.mode, dryRun: command.dryRun, safetyWindowMs: command.safetyWindowMs, removeStoppedContainers: command.removeStoppedContainers,
    allowedVolumeUsage: command.allowedVolumeUsage, allowedVolumeUsageMargin: command.allowedVolumeUsageMargin,
    leftoverLabels: command.leftoverLabels, fixIndent: '  ', ...(command.maxDeletions !== undefined ? { maxDeletions: command.maxDeletions } : {}),
  };
}

const REPOSITORY_HINT = 'name them with --registry HOST[:PORT]/NAME (as the images are tagged), or list them under cleanup.repositories in the policy file';

/** The repositories' refs: every --registry, else the policy file's registry repositories (layouts have no host images). */
async function repositoryRefs(command: HostCommand, io: Io): Promise<string[]> {
  if (command.registries.length > 0) {
    const layout = command.registries.find((r) => r.startsWith('oci:') || !r.includes('/'));
    if (layout !== undefined) throw new InputError(`--registry ${JSON.stringify(layout)}: host cleanup needs HOST[:PORT]/NAME, the name the images are tagged with`, REPOSITORY_HINT);
    return command.registries;
  }
  const loaded = await loadPolicy({ cwd: io.cwd, ...(command.config ? { config: command.config } : {}) });
  const refs = loaded.policy.repositories.map((r) => r.ref).filter((ref) => !ref.startsWith('oci:'));
  if (refs.length === 0) throw new InputError(`host ${command.mode}: no repository to clean (${loaded.source} lists no registry repository)`, REPOSITORY_HINT);
  return refs;
}

export function hostPorts(command: HostCommand, io: Io, clock: Clock, learn: (secret: string) => void): HostRunPorts {
  const env = io.env ?? {};
  const progress = command.quiet ? undefined : (m: string): void => io.stderr(`regsweep: ${m}\n`);
  return engineHostPorts({
    dockerHost: command.dockerHost ?? env['DOCKER_HOST'], clock, ...(env['DOCKER_TLS_VERIFY'] !== undefined ? { tlsVerify: env['DOCKER_TLS_VERIFY'] } : {}),
    ...(progress ? { progress } : {}),
    repositories: async () => {
      const refs = await repositoryRefs(command, io);
      if (!command.registrySync) return refs.map((ref): HostRepository => ({ name: normalizeRepository(ref) }));
      let password: string | undefined;
      if (command.passwordStdin) learn((password = await readPassword(io)));
      const out: HostRepository[] = [];
      for (const ref of refs) {
        const registry = await openRegistry(ref, io.cwd, {
          plainHttp: command.plainHttp, concurrency: command.concurrency, dryRun: true, runHosts: registryHosts(refs), env, cacheDir: null, onSecret: learn,
          ...(command.username !== undefined && password !== undefined ? { username: command.username, password } : {}),
          ...(progress ? { note: progress } : {}),
        });
        progress?.(`${registry.name}: listing the registry for the registry sync`);
        const listed = await registry.list();
        out.push({ name: normalizeRepository(ref), registry: { digests: new Set(listed.map((l) => l.digest)), tags: new Set(listed.flatMap((l) => l.tags)) } });
      }
      return out;
    },
  });
}
