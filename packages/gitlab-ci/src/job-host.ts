/**
 * The host-cleanup input: after the registry cleanup, a shell-executor runner's own Docker Engine
 * (DOCKER_HOST, else the local socket) loses its images of the project's repositories that the
 * registry no longer has, build leftovers, and above 70 % disk use the least recently used
 * (docs/host-cleanup.md). Its report is regsweep-host-report.json beside the registry's.
 */
import { join } from 'node:path';
import { describeError, renderSummary, type Clock, type Report } from '@regsweep/core';
import { hostCleanupAfterRegistry } from '@regsweep/docker-engine';
import { writeAtomic } from '@regsweep/node-host';
import type { Env, JobSettings } from './variables.js';

export const HOST_REPORT_FILE = 'regsweep-host-report.json';

/** Runs the host cleanup when asked and the registry cleanup succeeded; its exit code (0 when not run). */
export async function runHostCleanupStep(s: JobSettings | undefined, registry: Report, env: Env, say: (line: string) => void, redact: (t: string) => string, clock: Clock): Promise<number> {
  if (!s?.hostCleanup) return 0;
  if (registry.exitCode !== 0) {
    say('host-cleanup: skipped because the registry cleanup did not succeed (the registry\'s state is not known)');
    return 0;
  }
  const report = await hostCleanupAfterRegistry({
    registryReport: registry, dryRun: s.dryRun, safetyWindowMs: s.hostSafetyWindowMs, clock, progress: say,
    dockerHost: env['DOCKER_HOST'], tlsVerify: env['DOCKER_TLS_VERIFY'],
  });
  const path = join(s.reportDir, HOST_REPORT_FILE);
  try {
    await writeAtomic(path, redact(`${JSON.stringify(report, null, 2)}\n`));
  } catch (error) {
    say(`could not write ${path}: ${describeError(error)}`);
  }
  for (const line of renderSummary(report).split('\n')) say(line);
  say(`host report: ${path} (artifact)`);
  if (report.error) say(`ERROR: host-cleanup: ${report.error.message}`);
  else if (report.failed.length > 0) say(`ERROR: host-cleanup: ${report.failed.length} removal(s) failed; the first: ${report.failed[0]?.message ?? ''}`);
  return report.exitCode;
}
