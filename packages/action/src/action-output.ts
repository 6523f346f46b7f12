/**
 * What the Action gives back to the runner: every line, output and the job summary through the run's
 * one redactor; the JSON report, the step outputs, the log summary, the job summary, the annotations.
 */
import { describeError, renderSummary, type Report } from '@regsweep/core';
import { type Redactor } from '@regsweep/core/internal';
import { writeAtomic } from '@regsweep/node-host';
import { renderJobSummary } from './job-summary.js';
import type { ActionIo } from './action-io.js';

/**
 * Output functions that print no known secret, even if a message carried one. `setSecret` both masks
 * a secret in the runner's log (`::add-mask::`) and adds it to the redactor (the kubeconfig's
 * credentials, Bearer tokens).
 */
export function redacting(deps: ActionIo, secrets: Redactor): ActionIo {
  const r = (m: string): string => secrets.redact(m);
  return {
    ...deps,
    setSecret: (s) => {
      if (s.trim() === '') return;
      deps.setSecret(s);
      secrets.add(s);
    },
    debug: (m) => deps.debug(r(m)), info: (m) => deps.info(r(m)), warning: (m) => deps.warning(r(m)),
    notice: (m) => deps.notice(r(m)), setFailed: (m) => deps.setFailed(r(m)),
    setOutput: (n, v) => deps.setOutput(n, r(v)), writeSummary: (md) => deps.writeSummary(r(md)),
  };
}

export interface ReportTarget {
  /** The report's path, for messages. */
  path: string;
  /** The path once checked; undefined when it could not be written (nothing is). */
  writable: string | undefined;
}

export async function renderActionOutputs(io: ActionIo, report: Report, target: ReportTarget, repository: string, secrets: Redactor): Promise<void> {
  try {
    if (target.writable !== undefined) await writeAtomic(target.writable, secrets.redact(`${JSON.stringify(report, null, 2)}\n`));
  } catch (error) {
    io.warning(`could not write the JSON report ${target.path}: ${describeError(error)}`);
  }
  io.setOutput('deleted', String(report.deleted.length));
  io.setOutput('kept', String(report.kept.length));
  io.setOutput('failed', String(report.failed.length));
  io.setOutput('report', target.writable ?? '');
  io.info(renderSummary(report));
  for (const w of report.warnings) io.warning(w);
  try {
    await io.writeSummary(renderJobSummary(report, { repository, reportPath: target.path }));
  } catch (error) {
    io.info(`no job summary written: ${describeError(error)}`);
  }
  if (report.notAttempted.length > 0) {
    io.notice(`${report.notAttempted.length} deletion(s) left for the next run: ${report.notAttempted[0]?.message ?? ''}`);
  }
  if (report.error) io.setFailed(report.error.message);
  else if (report.failed.length > 0) io.setFailed(`${report.failed.length} deletion(s) failed; the first: ${report.failed[0]?.message ?? ''}`);
}
