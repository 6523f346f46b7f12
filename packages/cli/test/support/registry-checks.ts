/**
 * Helpers for the CLI tests against the real registry: run `main` in-process and read its JSON report,
 * look at the registry over HTTP (tags, manifests by digest), and pull tags with skopeo.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Report } from '@regsweep/core';
import { main, type Io } from '../../src/main.js';
import { NOW_TEXT, readReport, SKOPEO } from './cli.js';
import { recordOutput } from '@regsweep/test-kit/secrets';

const run = promisify(execFile);

export interface Auth {
  username: string;
  password: string;
}

const authHeader = (auth?: Auth): Record<string, string> =>
  auth ? { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};

/** Every tag of `name`, sorted ([] when the repository has none). */
export async function registryTags(url: string, name: string, auth?: Auth): Promise<string[]> {
  const res = await fetch(`${url}/v2/${name}/tags/list`, { headers: authHeader(auth) });
  if (res.status === 404) {
    await res.body?.cancel();
    return [];
  }
  if (!res.ok) throw new Error(`tags/list of ${name}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { tags: string[] | null };
  return [...(body.tags ?? [])].sort();
}

/** Whether the registry still has the manifest `digest` in `name`. */
export async function manifestExists(url: string, name: string, digest: string, auth?: Auth): Promise<boolean> {
  const accept = [
    'application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json',
  ].join(', ');
  const res = await fetch(`${url}/v2/${name}/manifests/${digest}`, { method: 'HEAD', headers: { Accept: accept, ...authHeader(auth) } });
  await res.body?.cancel();
  if (res.status !== 200 && res.status !== 404) throw new Error(`HEAD ${digest}: HTTP ${res.status}`);
  return res.status === 200;
}

/**
 * `skopeo copy --all docker://HOST/NAME:TAG oci:TMP:TAG` for every tag (a few at a time, each into its
 * own layout): every one must succeed, which proves each remaining tag is fully pullable (manifest,
 * every child of an index, config and layers). Throws naming every tag that failed.
 */
export async function pullEveryTag(host: string, name: string, tags: readonly string[], auth?: Auth): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'regsweep-pull-'));
  try {
    const policy = join(dir, 'policy.json');
    await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    const failures: string[] = [];
    const queue = [...tags];
    const worker = async (): Promise<void> => {
      for (let tag = queue.shift(); tag !== undefined; tag = queue.shift()) {
        const creds = auth ? ['--src-creds', `${auth.username}:${auth.password}`] : [];
        const args = ['--policy', policy, 'copy', '--all', '--quiet', '--src-tls-verify=false', ...creds,
          `docker://${host}/${name}:${tag}`, `oci:${join(dir, `layout-${tag}`)}:${tag}`];
        try {
          await run(SKOPEO, args, { timeout: 60_000 });
        } catch (err) {
          failures.push(`${tag}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    if (failures.length > 0) throw new Error(`skopeo could not pull ${failures.length} of ${tags.length} tags of ${host}/${name}:\n${failures.join('\n')}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface MainRun {
  code: number;
  stdout: string;
  stderr: string;
  report: Report;
}

/**
 * `main(['cleanup', '--registry', REF, …])` in-process with the fixed NOW, `--without-kube` and a
 * report file; `extraIo` adds env / readStdin. The report is read back from the file `main` wrote.
 */
export async function runCleanup(ref: string, o: { root: string; gitDir: string; cacheDir: string; args?: string[]; io?: Partial<Io>; report: string }): Promise<MainRun> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: o.root, ...o.io };
  const args = ['cleanup', '--registry', ref, '--git', o.gitDir, '--without-kube', '--now', NOW_TEXT, '--cache-dir', o.cacheDir,
    '--report', o.report, ...(o.args ?? [])];
  const code = await main(args, io);
  recordOutput('main-stdout', stdout);
  recordOutput('main-stderr', stderr);
  return { code, stdout, stderr, report: readReport(o.report) };
}

/** A run for assertion messages. */
export const describeRun = (r: MainRun): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** Digests of a report's entries, sorted. */
export const digestsOf = (entries: ReadonlyArray<{ digest: string }>): string[] => [...new Set(entries.map((e) => e.digest))].sort();
