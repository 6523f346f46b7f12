/**
 * Issue 12, "check before writing": a `--report` path the run cannot write — in /proc, under a regular
 * file, an existing folder, a symbolic link planted at the path — stops the run with exit 2 before the
 * registry is asked anything (a proxy in front of the real registry sees no request), so the registry
 * is byte-identical (every tag on the same digest, every digest still there) and the link's target is
 * unchanged. A usable path in a missing folder then gets its folder and the report, and the same world
 * is cleaned: the refusals were the path's doing, not the world's.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startProxy, type Proxy } from '@regsweep/test-kit/proxy';
import { Pusher } from '@regsweep/test-kit/push';
import { startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';
import { main, type Io } from '../src/main.js';
import { NOW_TEXT, readReport } from './support/cli.js';
import { digestsOf, manifestExists, registryTags } from './support/registry-checks.js';
import { buildProject, pushWorld, type Project, type PushedWorld } from './support/registry-world.js';

let server: RegistryServer;
let proxy: Proxy;
let root: string;
let project: Project;
let world: PushedWorld;
const NAME = 'acme/report-path';
const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'regsweep-cli-report-path-'));
  project = buildProject(root);
  server = await startRegistry();
  world = await pushWorld(new Pusher(server.url, NAME), project);
  proxy = await startProxy(server.url);
});
test.after(async () => {
  await proxy?.close();
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

/** The registry's state: every tag with the digest it points at, and which of the pushed digests exist. */
async function registryState(): Promise<string[]> {
  const lines: string[] = [];
  for (const tag of await registryTags(server.url, NAME)) {
    const res = await fetch(`${server.url}/v2/${NAME}/manifests/${tag}`, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES } });
    await res.body?.cancel();
    lines.push(`${tag} -> ${res.status} ${res.headers.get('docker-content-digest') ?? ''}`);
  }
  for (const digest of [...world.keptDigests, ...world.deletedDigests, ...world.digests.deletedIndexChildren]) {
    lines.push(`${digest}: ${(await manifestExists(server.url, NAME, digest)) ? 'present' : 'gone'}`);
  }
  return lines;
}

/** `regsweep cleanup` (or purge) through the proxy with the given `--report`. */
async function run(report: string, command: 'cleanup' | 'purge' = 'cleanup'): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: root };
  const args = command === 'cleanup'
    ? ['cleanup', '--registry', `${proxy.host}/${NAME}`, '--git', project.gitDir, '--without-kube', '--now', NOW_TEXT, '--cache-dir', join(root, 'cache'), '--report', report]
    : ['purge', '--registry', `${proxy.host}/${NAME}`, '--yes', '--now', NOW_TEXT, '--no-cache', '--report', report];
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Runs with an unusable `--report`: exit 2, the fix printed, no request, the registry unchanged. */
async function refused(report: string, message: RegExp, command: 'cleanup' | 'purge' = 'cleanup'): Promise<void> {
  const before = await registryState();
  const seen = proxy.requests.length;
  const r = await run(report, command);
  const said = `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  assert.is(r.code, 2, said);
  assert.match(r.stderr, message, said);
  assert.match(r.stderr, /\n +fix: /, said);
  assert.equal(proxy.requests.slice(seen), [], 'the registry was asked nothing');
  assert.equal(await registryState(), before, 'the registry is byte-identical');
}

test('--report in /proc: exit 2 before any request; nothing is created there', async () => {
  if (!existsSync('/proc/self')) return;
  await refused('/proc/regsweep-x.json', /^regsweep: --report: cannot create files in \/proc \(ENOENT\)/);
  assert.not.ok(existsSync('/proc/regsweep-x.json'));
});

test('--report under a regular file: exit 2 naming the file in the way; the file is unchanged', async () => {
  const file = join(root, 'notes.txt');
  await writeFile(file, 'notes\n');
  await refused(join(file, 'report.json'), new RegExp(`^regsweep: --report: cannot write ${file}/report\\.json: ${file} is a file, not a folder`));
  await refused('notes.txt/deeper/report.json', new RegExp(`: ${file} is a file, not a folder`));
  assert.is(await readFile(file, 'utf8'), 'notes\n');
});

test('--report naming an existing folder: exit 2; the folder is as it was', async () => {
  const folder = join(root, 'reports');
  await mkdir(folder);
  await writeFile(join(folder, 'old.json'), '{}\n');
  await refused(folder, new RegExp(`^regsweep: --report: ${folder} is a folder\\n +fix: give another path for --report that names a file`));
  assert.equal(await readdir(folder), ['old.json']);
});

test('a symbolic link planted at --report: exit 2, never written through; the link and its target are byte-identical', async () => {
  const victim = join(root, 'victim.json');
  const victimBytes = Buffer.from('{"precious":true}\n\u0000\u00ff binary tail');
  await writeFile(victim, victimBytes);
  const link = join(root, 'report.json');
  await symlink(victim, link);
  await refused(link, new RegExp(`^regsweep: --report: ${link} is a symbolic link \\(to ${victim}\\), and regsweep never writes through a link`));
  await refused(link, /is a symbolic link/, 'purge');
  assert.ok((await lstat(link)).isSymbolicLink());
  assert.is(await readlink(link), victim);
  assert.ok((await readFile(victim)).equals(victimBytes), 'the link\'s target is byte-identical');
});

test('a usable --report in a missing folder: the folder is made, the world is cleaned, the report written', async () => {
  const path = join(root, 'out', 'nested', 'report.json');
  const r = await run('out/nested/report.json');
  assert.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const report = readReport(path);
  assert.equal(digestsOf(report.deleted), world.deletedDigests);
  assert.equal(await registryTags(server.url, NAME), world.expectKept);
  assert.equal(await readdir(join(root, 'out', 'nested')), ['report.json'], 'no temporary or probe file left');
});

test.run();
