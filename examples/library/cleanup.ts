/**
 * Plans and applies a cleanup of one repository of the REST registry with regsweep's engine: the
 * policy from a `.regsweep.yml` text (or werf's default), the history passed in, one run of the
 * pipeline, and the report — the same report and summary the regsweep CLI prints.
 */
import { defaultCleanupPolicy, emptyReport, policyFromText, renderSummary, runPipeline, type Clock, type GitHistory, type LoadedPolicy, type Report } from '@regsweep/core';
import { RestRegistry } from './rest-registry.js';

export interface CleanupOptions {
  api: string;
  repository: string;
  token: string;
  history: GitHistory;
  /** A `.regsweep.yml`'s text; without it, werf's default policy. */
  policyText?: string;
  dryRun: boolean;
  clock?: Clock;
}

const realClock: Clock = { now: () => new Date(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

export async function cleanUp(options: CleanupOptions): Promise<{ report: Report; summary: string }> {
  const clock = options.clock ?? realClock;
  const now = clock.now();
  const report = emptyReport({ command: 'cleanup', dryRun: options.dryRun, now, startedAt: now, policySource: 'none' });
  const policy = async (): Promise<LoadedPolicy> => options.policyText === undefined
    ? { policy: defaultCleanupPolicy(), keepTags: [], source: 'default', warnings: [] }
    : { ...policyFromText(options.policyText, '.regsweep.yml'), keepTags: [] };
  const registry = new RestRegistry(options.api, options.repository, options.token);
  await runPipeline({ command: 'cleanup', dryRun: options.dryRun, concurrency: 4, noun: 'repositories' }, {
    clock,
    policy,
    repositories: async () => ({
      repositories: [{ spec: { ref: registry.name, path: 'repositories[0]', role: 'primary' }, open: async () => registry }],
    }),
    history: async () => options.history,
  }, report);
  report.finishedAt = clock.now().toISOString();
  return { report, summary: renderSummary(report) };
}
