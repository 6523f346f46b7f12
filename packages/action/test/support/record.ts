/**
 * Records an in-process action run for the suite's secret check (test/support/secrets.ts): every log
 * line, annotation and failure the runner was handed, the outputs, the job summary and the JSON
 * report. `setSecret` calls are left out: they are the runner's masking command, which shows no one
 * the value.
 */
import { recordOutput, recordOutputFile } from '@regsweep/test-kit/secrets';

export interface RecordedRun {
  calls: readonly string[];
  outputs: Readonly<Record<string, string>>;
  summary: readonly string[];
}

export function recordRun(r: RecordedRun, reportPath: string): void {
  recordOutput('action-log', r.calls.filter((c) => !c.startsWith('secret ')).join('\n'));
  recordOutput('action-outputs', JSON.stringify(r.outputs, null, 2));
  recordOutput('action-summary.md', r.summary.join('\n'));
  recordOutputFile('regsweep-report.json', reportPath);
}
