/**
 * The `host-cleanup` input: after the registry cleanup, the runner's own Docker Engine (DOCKER_HOST, or
 * the `docker-host` input) loses its images of the packages that the registry no longer has, build
 * leftovers, and above the volume threshold the least recently used (docs/host-cleanup.md). For
 * self-hosted runners; a GitHub-hosted runner is new for every job, so there it is skipped with a note.
 * Its report is a second file beside the registry's, with outputs of its own.
 */
import { join } from 'node:path';
import { renderSummary, type Clock, type Report } from '@regsweep/core';
import type { Redactor } from '@regsweep/core/internal';
import { hostCleanupAfterRegistry } from '@regsweep/docker-engine';
import { writeAtomic } from '@regsweep/node-host';
import type { ActionDeps, ActionIo } from './action-io.js';
import type { ActionInputs } from './inputs.js';

export const HOST_REPORT_FILE = 'regsweep-host-report.json';

/** Runs the host cleanup when asked and the registry cleanup succeeded; its exit code (0 when not run). */
export async function runHostStep(inputs: ActionInputs, registryReport: Report, deps: ActionDeps, io: ActionIo, clock: Clock, secrets: Redactor): Promise<number> {
  if (!inputs.hostCleanup) return 0;
  io.setOutput('host-removed', '0');
  io.setOutput('host-report', '');
  if (deps.env['RUNNER_ENVIRONMENT'] === 'github-hosted') {
    io.notice('host-cleanup: skipped on a GitHub-hosted runner (it is new for every job); it is for self-hosted runners');
    return 0;
  }
  if (registryReport.exitCode !== 0) {
    io.warning('host-cleanup: skipped because the registry cleanup did not succeed (the registry\'s state is not known)');
    return 0;
  }
  const report = await hostCleanupAfterRegistry({
    registryReport, dryRun: inputs.dryRun, safetyWindowMs: inputs.hostSafetyWindowMs, clock, progress: (m) => io.info(m),
    dockerHost: inputs.dockerHost ?? deps.env['DOCKER_HOST'], tlsVerify: deps.env['DOCKER_TLS_VERIFY'],
  });
  const path = join(deps.env['RUNNER_TEMP'] || deps.tmpdir, HOST_REPORT_FILE);
  await writeAtomic(path, secrets.redact(`${JSON.stringify(report, null, 2)}\n`));
  io.setOutput('host-removed', String(report.deleted.length));
  io.setOutput('host-report', path);
  const summary = renderSummary(report);
  io.info(summary);
  for (const w of report.warnings) io.warning(w);
  await io.writeSummary(`\n### Build host\n\n\`\`\`\n${summary}\n\`\`\`\n`).catch(() => undefined);
  if (report.error) io.setFailed(`host-cleanup: ${report.error.message}`);
  else if (report.failed.length > 0) io.setFailed(`host-cleanup: ${report.failed.length} removal(s) failed; the first: ${report.failed[0]?.message ?? ''}`);
  return report.exitCode;
}
