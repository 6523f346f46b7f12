/** The CLI's composition root: parse, build adapters, call the core, print and write the report. */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import {
  applyPlan, createRedactor, defaultCleanupPolicy, DeletionBudget, emptyReport, describeError as describeCoreError, InputError, planRepository, renderSummary,
  type ClusterImageUse, type GitHistory, type Registry, type Report,
} from '@regsweep/core';
import { openLocalGit, type LocalGitHistory } from '@regsweep/git-local';
import { prepareOutputPath, realClock, writeAtomic } from '@regsweep/node-host';
import { parseCommand, USAGE, type Command } from './args.js';
import { explainTags } from './explain.js';
import { scanClusters } from './in-use.js';
import { loadPolicy } from './policy-file.js';
import { openRegistry } from './registry-ref.js';
import { chooseRepositories, cleanRepositories, type CleanRunResult } from './repositories.js';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  /** Environment variables (registry credentials, cache folder); the process's own in bin.ts. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Standard input, read once for `--password-stdin`. */
  readStdin?: () => Promise<string>;
}

function exitCodeOf(err: unknown): number {
  if (err instanceof RepositoriesFailed) return err.exitCode;
  return err instanceof InputError ? 2 : 1;
}

/** Some repositories of a run could not be planned or cleaned (the others were). */
class RepositoriesFailed extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'RepositoriesFailed';
  }
}

/**
 * The run's error when repositories failed. A single repository's error is passed on as it is; for
 * several, one line per failed repository. Exit 2 (bad input, nothing touched) only when every
 * failure was bad input and nothing was deleted in any repository; else 1.
 */
function failuresError(run: CleanRunResult, repositories: number): unknown {
  const [first] = run.failures;
  if (repositories === 1 && first && run.failures.length === 1) return first.error;
  const lines = run.failures.map((f) => `${f.repository}: ${describeError(f.error)}`);
  // 2 only when every failure was bad input and nothing was touched (§6); else 1.
  const exitCode = !run.touched && first && run.failures.every((f) => exitCodeOf(f.error) === 2) ? 2 : 1;
  return new RepositoriesFailed(`${run.failures.length} of ${repositories} repositories failed:\n${lines.map((l) => `  ${l}`).join('\n')}`, exitCode);
}

const describeError = (err: unknown): string => describeCoreError(err, '  ');


/**
 * `io` with everything it prints through one redaction of every secret the run learns (the
 * password, REGSWEEP_REGISTRY_PASSWORD, Docker config and helper secrets, Bearer tokens, kubeconfig
 * credentials): `learn` adds one, `redact` is for what is written to files (the report).
 */
function redactingIo(io: Io): { io: Io; learn: (secret: string) => void; redact: (text: string) => string } {
  const secrets = createRedactor();
  secrets.add(io.env?.['REGSWEEP_REGISTRY_PASSWORD']);
  const redact = (text: string): string => secrets.redact(text);
  return {
    io: { ...io, stdout: (t) => io.stdout(redact(t)), stderr: (t) => io.stderr(redact(t)) },
    learn: (secret) => void secrets.add(secret),
    redact,
  };
}

async function readPassword(io: Io): Promise<string> {
  const text = io.readStdin ? await io.readStdin() : '';
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new InputError('--password-stdin: standard input was empty', 'pipe the password or token in: echo "$TOKEN" | regsweep … --password-stdin');
  return password;
}

export async function main(argv: readonly string[], rawIo: Io): Promise<number> {
  const { io, learn, redact } = redactingIo(rawIo);
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
  // The report path is checked (its folder created) before anything else: a path that cannot be
  // written stops the run here, with nothing read or deleted.
  let reportPath: string | undefined;
  try {
    if (command.report !== undefined) reportPath = await prepareOutputPath(resolve(io.cwd, command.report), '--report');
  } catch (err) {
    io.stderr(`regsweep: ${describeError(err)}\n`);
    return exitCodeOf(err);
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
    if (password !== undefined) learn(password);
    const open = (ref: string, what: string): Promise<Registry> => openRegistry(ref, io.cwd, {
      what, plainHttp: command.plainHttp, concurrency: command.concurrency, dryRun: command.dryRun,
      ...(io.env ? { env: io.env } : {}),
      ...(command.username !== undefined && password !== undefined ? { username: command.username, password } : {}),
      ...(command.cacheDir !== undefined ? { cacheDir: command.cacheDir } : {}),
      ...(progress ? { note: progress } : {}),
      onSecret: learn,
    });
    if (loaded && command.kind !== 'purge') {
      const chosen = chooseRepositories(command.kind, command.registries, { repositories: loaded.policy.repositories, source: loaded.source });
      report.warnings.push(...chosen.warnings);
      // Every repository is opened before anything is planned: a bad ref or credentials stop the run untouched.
      const registries = new Map<string, Registry>();
      for (const { spec, origin } of chosen.repositories) registries.set(spec.ref, await open(spec.ref, origin));
      const policy = { ...loaded.policy };
      let clusterImages: ClusterImageUse[] = [];
      if (command.withoutKube) policy.disableKubernetesBasedPolicy = true;
      else if (policy.disableKubernetesBasedPolicy) {
        if (command.kube.contexts.length + command.kube.namespaces.length + command.kube.kubeconfigs.length > 0) {
          report.warnings.push(`${loaded.source}: cleanup.disableKubernetesBasedPolicy is true, so the Kubernetes flags were ignored`);
        }
      } else {
        const env = io.env ?? {};
        const scan = await scanClusters(command.kube, { env, homedir: env['HOME'] ?? homedir(), onSecret: learn, ...(progress ? { log: progress } : {}) });
        if (scan === undefined) report.warnings.push('no kubeconfig found ($KUBECONFIG, ~/.kube/config, in-cluster): in-use protection is off (pass --without-kube to say that is intended)');
        else clusterImages = scan.uses;
      }
      history = await openLocalGit(resolve(io.cwd, command.git));
      const run = await cleanRepositories({
        repositories: chosen.repositories, registries, report, apply: command.kind === 'cleanup',
        base: {
          policy, keepTags: loaded.keepTags, history: history as GitHistory, clusterImages, clock, now,
          dryRun: command.dryRun, concurrency: command.concurrency, ...(progress ? { progress } : {}),
          budget: new DeletionBudget(command.kind === 'cleanup' ? command.maxDeletions : undefined),
        },
        ...(progress ? { progress } : {}),
      });
      if (run.failures.length > 0) throw failuresError(run, chosen.repositories.length);
      if (command.kind === 'explain') {
        const { text, missing } = explainTags(run.plans, command.tags);
        io.stdout(text);
        if (missing.length > 0) {
          io.stderr(`regsweep: no image has the tag(s) ${missing.join(', ')}\n`);
          return 2;
        }
        return 0;
      }
    } else {
      const registries: Registry[] = [];
      for (const ref of command.registries) registries.push(await open(ref, '--registry'));
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
  if (reportPath !== undefined) {
    try {
      await writeAtomic(reportPath, redact(`${JSON.stringify(report, null, 2)}\n`));
    } catch (err) {
      io.stderr(`regsweep: could not write the report ${command.report}: ${describeError(err)}\n`);
      return report.exitCode || 1;
    }
  }
  return report.exitCode;
}
