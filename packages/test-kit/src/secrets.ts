/**
 * Secrets of the test suite, and where its outputs are recorded for the secret check.
 *
 * Every password, token or helper secret a test uses comes from `testSecret(name)`, so it carries the
 * marker that scripts/run-tests.mjs looks for (scripts/secret-scan.mjs): in each test file's stdout
 * and stderr, and in every file recorded here. The helpers that run the CLI, the Action and the
 * GitLab job (in process or as a process) record what those print and write (stdout, stderr, the
 * JSON report, the job summary and outputs, the dotenv file) with `recordOutput` /
 * `recordOutputFile`. Inputs that hold secrets on purpose (a Docker config, a kubeconfig, standard
 * input) are never recorded.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_OUTPUT_ROOT_ENV, TEST_SECRET_MARKER } from '../../../scripts/secret-scan.mjs';

export { TEST_SECRET_MARKER };

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `rsw-secret-<name>-<8 random hex digits>`: a secret the suite's check will find wherever it leaks. */
export function testSecret(name: string): string {
  return `${TEST_SECRET_MARKER}${name}-${randomBytes(4).toString('hex')}`;
}

let recorded = 0;

/** The folder outputs are recorded in (one per test file), or undefined when the runner set none. */
export function outputFolder(): string | undefined {
  const root = process.env[TEST_OUTPUT_ROOT_ENV];
  if (root === undefined || root === '') return undefined;
  const file = relative(REPO_ROOT, process.argv[1] ?? 'unknown').replace(/[^A-Za-z0-9._-]+/g, '_');
  return join(root, file);
}

/** Records `text` (what a run printed or wrote) for the secret check; nothing when no folder is set. */
export function recordOutput(label: string, text: string): void {
  const dir = outputFolder();
  if (dir === undefined || text === '') return;
  mkdirSync(dir, { recursive: true });
  recorded += 1;
  writeFileSync(join(dir, `${process.pid}-${recorded}-${label.replace(/[^A-Za-z0-9._-]+/g, '_')}`), text);
}

/** Records the file at `path` (a report, a summary, a dotenv file) when it exists. */
export function recordOutputFile(label: string, path: string): void {
  // Only a regular file is read: a test may leave a folder, a link or a /proc path where a report was refused.
  if (existsSync(path) && lstatSync(path).isFile()) recordOutput(label, readFileSync(path, 'utf8'));
}
