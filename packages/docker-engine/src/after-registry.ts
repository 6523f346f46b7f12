/**
 * Host cleanup right after a registry cleanup, as the Action and the GitLab job run it: the registry's
 * state from that cleanup's report, the engine of DOCKER_HOST (or the front end's input), the defaults
 * of docs/host-cleanup.md. Returns the host run's report.
 */
import { emptyReport, repositoriesFromReport, runHostCleanup, type Clock, type Report } from '@regsweep/core';
import { engineHostPorts } from './host-ports.js';

export interface AfterRegistryOptions {
  registryReport: Report;
  dryRun: boolean;
  safetyWindowMs: number;
  dockerHost: string | undefined;
  tlsVerify: string | undefined;
  clock: Clock;
  progress(message: string): void;
}

export async function hostCleanupAfterRegistry(o: AfterRegistryOptions): Promise<Report> {
  const now = o.clock.now();
  const report = emptyReport({ command: 'host cleanup', dryRun: o.dryRun, now, startedAt: now, policySource: 'none' });
  await runHostCleanup({
    mode: 'cleanup', dryRun: o.dryRun, safetyWindowMs: o.safetyWindowMs, removeStoppedContainers: false,
    allowedVolumeUsage: 70, allowedVolumeUsageMargin: 5, leftoverLabels: [],
  }, engineHostPorts({
    dockerHost: o.dockerHost, clock: o.clock, progress: o.progress, ...(o.tlsVerify !== undefined ? { tlsVerify: o.tlsVerify } : {}),
    repositories: async () => repositoriesFromReport(o.registryReport),
  }), report);
  report.finishedAt = o.clock.now().toISOString();
  return report;
}
