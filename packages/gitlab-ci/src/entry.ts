/**
 * The GitLab job's entry point (bundled to dist/gitlab/index.js, which templates/cleanup.yml runs):
 * the process's environment and stdout around `runJob`. Exit code 0, 1 or 2 (see job.ts).
 */
import { tmpdir } from 'node:os';
import { runJob } from './job.js';

try {
  const result = await runJob({ env: process.env, out: (line) => process.stdout.write(`${line}\n`), tmpdir: tmpdir() });
  process.exitCode = result.exitCode;
} catch (error) {
  // runJob reports its own errors; this is a bug. The stack names no secret (messages are redacted).
  process.stdout.write(`ERROR: regsweep: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
