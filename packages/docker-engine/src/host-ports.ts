/**
 * The host run's engine and volume ports, as every front end builds them: the engine DOCKER_HOST names
 * (malformed: InputError, exit 2, nothing read) and the volume of the engine's data root.
 */
import type { Clock, HostRepository, HostRunPorts } from '@regsweep/core';
import { parseDockerHost } from './docker-host.js';
import { openDockerEngine } from './engine.js';
import { volumeUsage } from './volume.js';

export interface EngineHostPortsOptions {
  /** DOCKER_HOST (or the front end's input for it); undefined or empty: the local socket. */
  dockerHost: string | undefined;
  /** DOCKER_TLS_VERIFY, refused when set (no TLS to an engine yet). */
  tlsVerify?: string;
  clock: Clock;
  repositories(): Promise<HostRepository[]>;
  progress?(message: string): void;
}

export function engineHostPorts(o: EngineHostPortsOptions): HostRunPorts {
  return {
    clock: o.clock,
    ...(o.progress ? { progress: o.progress } : {}),
    engine: async () => openDockerEngine(o.dockerHost, o.tlsVerify !== undefined ? { tlsVerify: o.tlsVerify } : {}),
    repositories: o.repositories,
    volume: async (engine) => {
      // Only an engine on this machine (a unix socket) keeps its data on a volume statfs here can see.
      if (!('socketPath' in parseDockerHost(o.dockerHost))) return undefined;
      const root = await engine.dataRoot?.();
      return root === undefined ? undefined : volumeUsage(root);
    },
  };
}
