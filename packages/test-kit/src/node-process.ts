/**
 * Runs a committed bundle (`node <file>`) as the platform would: a given environment and working
 * directory, stdout and stderr collected, killed after `timeoutMs`. REGSWEEP_E2E_PRINT=1 prints each
 * run's output (for debugging a failing end-to-end test). Both are recorded for the secret check
 * (secrets.ts).
 */
import { spawn } from 'node:child_process';
import { recordOutput } from './secrets.js';

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

let runs = 0;

export async function runNodeScript(script: string, o: { cwd: string; env: Record<string, string>; timeoutMs: number; args?: readonly string[] }): Promise<NodeRun> {
  const n = ++runs;
  const started = Date.now();
  const child = spawn(process.execPath, [script, ...(o.args ?? [])], { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  const ms = Date.now() - started;
  // `::add-mask::VALUE` is a command the GitHub runner consumes (it shows no one the line): not output.
  const shown = (text: string): string => text.split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n');
  recordOutput('node-stdout', shown(stdout));
  recordOutput('node-stderr', shown(stderr));
  if (process.env['REGSWEEP_E2E_PRINT']) process.stdout.write(`\n── run ${n} of ${script}: exit ${code} in ${ms} ms\n${stdout}${stderr}\n`);
  return { code, stdout, stderr, ms };
}
