/** The CLI's composition root: parse, check the report path, run the core pipeline, print and write the report. */
import { resolve } from 'node:path';
import { describeError, emptyReport, InputError, renderSummary, runHostCleanup, runPipeline, VERSION, type Report } from '@regsweep/core';
import { prepareOutputPath, realClock, writeAtomic } from '@regsweep/node-host';
import { parseCommand, type Command } from './args.js';
import { commandHelp, demoHelp, generalHelp } from './help.js';
import { runDemo } from './demo.js';
import { explainImages, renderExplanations } from './explain.js';
import { redactingIo, type Io } from './io.js';
import { cliPorts } from './run-ports.js';
import { hostPorts, hostSettings } from './host.js';

export type { Io } from './io.js';

const describe = (err: unknown): string => describeError(err, '  ');
const exitCodeOf = (err: unknown): number => (err instanceof InputError ? 2 : 1);

export async function main(argv: readonly string[], rawIo: Io): Promise<number> {
  const { io, learn, redact } = redactingIo(rawIo);
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    io.stderr(`regsweep: ${describe(err)}\n`);
    return exitCodeOf(err);
  }
  if (command.kind === 'version') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (command.kind === 'help') {
    io.stdout(`${command.command === undefined ? generalHelp() : command.command === 'demo' ? demoHelp() : commandHelp(command.command)}\n`);
    return 0;
  }
  if (command.kind === 'demo') return runDemo(rawIo, main);
  // The report path is checked (its folder created) before anything else: a path that cannot be
  // written stops the run here, with nothing read or deleted.
  let reportPath: string | undefined;
  try {
    if (command.report !== undefined) reportPath = await prepareOutputPath(resolve(io.cwd, command.report), '--report');
  } catch (err) {
    io.stderr(`regsweep: ${describe(err)}\n`);
    return exitCodeOf(err);
  }
  const startedAt = new Date();
  const clock = realClock(command.now);
  const kind = command.kind === 'host' ? (`host ${command.mode}` as const) : command.kind === 'purge' ? 'purge' : 'cleanup';
  const report: Report = emptyReport({ command: kind, dryRun: command.dryRun, now: clock.now(), startedAt, policySource: 'none' });
  if (command.kind === 'host') await runHostCleanup(hostSettings(command), hostPorts(command, io, clock, learn), report);
  else {
    const explained = await runRegistryCommand(command, io, report, clock, learn);
    if (explained !== undefined) return explained;
  }
  report.finishedAt = new Date().toISOString();
  io.stdout(`${renderSummary(report)}\n`);
  if (report.error) io.stderr(`regsweep: ${report.error.message}\n`);
  if (reportPath === undefined) return report.exitCode;
  try {
    await writeAtomic(reportPath, redact(`${JSON.stringify(report, null, 2)}\n`));
  } catch (err) {
    io.stderr(`regsweep: could not write the report ${command.report}: ${describe(err)}\n`);
    return report.exitCode || 1;
  }
  return report.exitCode;
}

type RegistryCommand = Exclude<Command, { kind: 'help' | 'version' | 'demo' | 'host' }>;

/** cleanup, purge and explain through the core pipeline; explain prints its answer here and returns its exit code. */
async function runRegistryCommand(command: RegistryCommand, io: Io, report: Report, clock: ReturnType<typeof realClock>, learn: (secret: string) => void): Promise<number | undefined> {
  const { ports, close } = cliPorts(command, io, report, clock, learn);
  let result;
  try {
    result = await runPipeline({
      command: command.kind, dryRun: command.dryRun, concurrency: command.concurrency, noun: 'repositories', fixIndent: '  ',
      ...(command.kind === 'explain' ? { explain: command.targets } : {}),
      ...(command.kind === 'cleanup' && command.maxDeletions !== undefined ? { maxDeletions: command.maxDeletions } : {}),
    }, ports, report);
  } finally {
    await close();
  }
  if (command.kind !== 'explain' || report.error) return undefined;
  const { explanations, missing } = explainImages(result.plans, command.targets);
  io.stdout(command.json ? `${JSON.stringify({ explanations, missing }, null, 2)}\n` : renderExplanations(explanations));
  if (missing.length === 0) return 0;
  io.stderr(`regsweep: no image has the tag or digest ${missing.join(', ')}\n`);
  return 2;
}
