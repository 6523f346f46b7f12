/**
 * Runs a committed bundle (`node <file>`) as the platform would, on the Node binary REGSWEEP_TEST_NODE
 * names (scripts/run-tests.mjs sets it to Node 24 for a second pass) or else this one: a given
 * environment and working directory, stdout and stderr collected, killed after `timeoutMs`. REGSWEEP_E2E_PRINT=1 prints each
 * run's output (for debugging a failing end-to-end test). Both are recorded for the secret check
 * (secrets.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordOutput } from './secrets.js';

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

let runs = 0;

/** The Node binary bundles run on in this test process, and its version (`v24.…`). */
export function bundleNode(): { path: string; version: string } {
  const path = process.env['REGSWEEP_TEST_NODE'] || process.execPath;
  return { path, version: path === process.execPath ? process.version : execFileSync(path, ['--version'], { encoding: 'utf8' }).trim() };
}

export async function runNodeScript(script: string, o: { cwd: string; env: Record<string, string>; timeoutMs: number; args?: readonly string[] }): Promise<NodeRun> {
  const n = ++runs;
  const started = Date.now();
  const child = spawn(bundleNode().path, [script, ...(o.args ?? [])], { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
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

/**
 * Runs a one-line script through `runNodeScript` and returns the `process.version` it printed: what an
 * end-to-end test checks so that its header shows, and proves, the Node line the bundle ran on.
 */
export async function versionBundlesRunOn(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'regsweep-node-version-'));
  try {
    const script = join(dir, 'version.mjs');
    await writeFile(script, 'console.log(process.version);\n');
    const run = await runNodeScript(script, { cwd: dir, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, timeoutMs: 30_000 });
    return run.stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
