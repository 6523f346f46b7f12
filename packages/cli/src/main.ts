/** The CLI's composition root: parse, build adapters, call the core, print and write the report. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  applyPlan, defaultCleanupPolicy, emptyReport, IncompleteInputError, InputError, planRepository, renderSummary,
  type Clock, type GitHistory, type Plan, type Report,
} from '@regsweep/core';
import { openLocalGit, type LocalGitHistory } from '@regsweep/git-local';
import { parseCommand, USAGE, type Command } from './args.js';
import { explainTags } from './explain.js';
import { loadPolicy } from './policy-file.js';
import { openRegistry } from './registry-ref.js';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  /** Environment variables (registry credentials, cache folder); the process's own in bin.ts. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Standard input, read once for `--password-stdin`. */
  readStdin?: () => Promise<string>;
}

export const realClock = (fixedNow?: Date): Clock => ({
  now: () => fixedNow ?? new Date(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
});

/** Writes a file atomically: a temporary file beside it, then a rename. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

function exitCodeOf(err: unknown): number {
  return err instanceof InputError ? 2 : 1;
}

function describeError(err: unknown): string {
  if (err instanceof InputError || err instanceof IncompleteInputError) return err.hint ? `${err.message}\n  fix: ${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

async function readPassword(io: Io): Promise<string> {
  const text = io.readStdin ? await io.readStdin() : '';
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new InputError('--password-stdin: standard input was empty', 'pipe the password or token in: echo "$TOKEN" | regsweep … --password-stdin');
  return password;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    io.stderr(`regsweep: ${describeError(err)}\n\n${USAGE}\n`);
    return exitCodeOf(err);
  }
  if (command.kind === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const startedAt = new Date();
  const clock = realClock(command.now);
  const now = clock.now();
  const progress = command.quiet ? undefined : (m: string) => io.stderr(`regsweep: ${m}\n`);
  let report: Report = emptyReport({ command: command.kind === 'purge' ? 'purge' : 'cleanup', dryRun: command.dryRun, now, startedAt, policySource: 'none' });
  let history: LocalGitHistory | undefined;
  try {
    const loaded = command.kind === 'purge' ? undefined : await loadPolicy({ cwd: io.cwd, ...(command.config ? { config: command.config } : {}), ...(command.keepList ? { keepList: command.keepList } : {}) });
    report.policySource = loaded?.source ?? 'none';
    report.warnings.push(...(loaded?.warnings ?? []));
    const password = command.passwordStdin ? await readPassword(io) : undefined;
    const registries = [];
    for (const ref of command.registries) {
      registries.push(await openRegistry(ref, io.cwd, {
        plainHttp: command.plainHttp, concurrency: command.concurrency, dryRun: command.dryRun,
        ...(io.env ? { env: io.env } : {}),
        ...(command.username !== undefined && password !== undefined ? { username: command.username, password } : {}),
        ...(command.cacheDir !== undefined ? { cacheDir: command.cacheDir } : {}),
        ...(progress ? { note: progress } : {}),
      }));
    }
    if (loaded && command.kind !== 'purge') {
      const policy = { ...loaded.policy };
      if (command.withoutKube) policy.disableKubernetesBasedPolicy = true;
      else if (!policy.disableKubernetesBasedPolicy) {
        report.warnings.push('this build of regsweep does not scan Kubernetes yet: in-use protection is off (pass --without-kube to say that is intended)');
      }
      history = await openLocalGit(resolve(io.cwd, command.git));
      const plans: Plan[] = [];
      for (const registry of registries) {
        const options = {
          registry, policy, keepTags: loaded.keepTags, history: history as GitHistory, clusterImages: [], clock, now,
          dryRun: command.dryRun, concurrency: command.concurrency, ...(progress ? { progress } : {}),
          ...(command.kind === 'cleanup' && command.maxDeletions !== undefined ? { maxDeletions: command.maxDeletions } : {}),
        };
        const plan = await planRepository(options);
        plans.push(plan);
        if (command.kind === 'cleanup') await applyPlan(options, plan, report);
      }
      if (command.kind === 'explain') {
        const { text, missing } = explainTags(plans, command.tags);
        io.stdout(text);
        if (missing.length > 0) {
          io.stderr(`regsweep: no image has the tag(s) ${missing.join(', ')}\n`);
          return 2;
        }
        return 0;
      }
    } else {
      for (const registry of registries) {
        const options = { registry, policy: defaultCleanupPolicy(), keepTags: [], clusterImages: [], clock, now, dryRun: command.dryRun, concurrency: command.concurrency, ...(progress ? { progress } : {}) };
        const plan = await planRepository(options, 'purge');
        await applyPlan(options, plan, report);
      }
    }
    report.exitCode = report.failed.length > 0 ? 1 : 0;
  } catch (err) {
    report.exitCode = exitCodeOf(err);
    report.error = { message: describeError(err), exitCode: report.exitCode };
  } finally {
    await history?.close();
  }
  report.finishedAt = new Date().toISOString();
  io.stdout(`${renderSummary(report)}\n`);
  if (report.error) io.stderr(`regsweep: ${report.error.message}\n`);
  if (command.report) {
    try {
      await writeAtomic(resolve(io.cwd, command.report), `${JSON.stringify(report, null, 2)}\n`);
    } catch (err) {
      io.stderr(`regsweep: could not write the report ${command.report}: ${describeError(err)}\n`);
      return report.exitCode || 1;
    }
  }
  return report.exitCode;
}
