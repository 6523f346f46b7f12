import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Temp directories made by a test file, removed by `cleanup()`. */
const made: string[] = [];
let policyFile: string | undefined;

export async function tempDir(prefix = 'regsweep-oci-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export async function cleanup(): Promise<void> {
  policyFile = undefined;
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

async function policy(): Promise<string> {
  if (policyFile === undefined) {
    const dir = await tempDir('regsweep-policy-');
    policyFile = join(dir, 'policy.json');
    await writeFile(policyFile, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  }
  return policyFile;
}

export async function skopeo(...args: string[]): Promise<string> {
  const { stdout } = await run('skopeo', ['--policy', await policy(), ...args], { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** `skopeo copy --all oci:FROM:TAG oci:TO:TAG`. */
export async function copyTag(from: string, to: string, tag: string): Promise<void> {
  await skopeo('copy', '--all', '--quiet', `oci:${from}:${tag}`, `oci:${to}:${tag}`);
}

export async function blobs(dir: string): Promise<Set<string>> {
  const names = await readdir(join(dir, 'blobs', 'sha256'));
  return new Set(names.map((n) => `sha256:${n}`));
}
