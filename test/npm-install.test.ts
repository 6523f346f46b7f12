/**
 * regsweep as npm installs it, outside the repository: `npm pack` of the CLI (`regsweep`) and the
 * library (`@regsweep/core`) — their prepack bundles the CLI into one file — then, in an empty folder
 * under the system's temporary folder, `npm install` of the tarballs, `regsweep --version`, `regsweep
 * demo` and an import of the library; and the path a GitLab job takes: `npm publish` to a local
 * registry (test-kit's fake-npm-registry) and `npx regsweep@<version>` from a clean folder.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VERSION } from '@regsweep/core';
import { startFakeNpmRegistry } from '@regsweep/test-kit/fake-npm-registry';
import { packWorkspace, publishTarball, tarballFiles, tarballManifest, userNpmEnv } from './support/npm-packages.js';

const exec = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const base = await mkdtemp(join(tmpdir(), 'regsweep-npm-'));
const tarballs = { cli: await packWorkspace('cli', base), core: await packWorkspace('core', base) };

/** The machine's npm cache, so the library's dependencies install without a network. */
const machineCache = (await exec('npm', ['config', 'get', 'cache'], { env: { PATH: process.env['PATH'], HOME: process.env['HOME'] } })).stdout.trim();

async function userFolder(name: string): Promise<string> {
  const dir = join(base, name);
  await mkdir(dir);
  assert.not.ok(dir.startsWith(root), 'outside the repository');
  return dir;
}

test('the tarballs hold what a user runs and nothing of the sources or tests', async () => {
  const cliFiles = await tarballFiles(tarballs.cli);
  assert.equal(cliFiles, ['LICENSE', 'README.md', 'bin/regsweep.js', 'bundle/index.js', 'bundle/package.json', 'package.json']);
  const cli = await tarballManifest(tarballs.cli);
  assert.is(cli['name'], 'regsweep');
  assert.is(cli['version'], VERSION);
  assert.is(cli['private'], undefined);
  assert.is(cli['license'], 'MIT');
  assert.equal(cli['bin'], { regsweep: './bin/regsweep.js' });
  assert.is(cli['dependencies'], undefined, 'the bundle needs no dependency');
  const coreFiles = await tarballFiles(tarballs.core);
  for (const f of ['LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'package.json']) assert.ok(coreFiles.includes(f), f);
  assert.not.ok(coreFiles.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.tsbuildinfo')), coreFiles.join(' '));
  const core = await tarballManifest(tarballs.core);
  assert.equal(core['engines'], { node: '>=20' });
  assert.equal((core['exports'] as Record<string, { types: string }>)['.']?.types, './dist/index.d.ts');
});

test('installed from the tarballs in an empty folder: --version, the demo, the library', async () => {
  const dir = await userFolder('install');
  const env = { ...(await userNpmEnv(dir)), npm_config_cache: machineCache };
  await exec('npm', ['install', '--prefer-offline', '--no-save', tarballs.cli, tarballs.core], { cwd: dir, env });
  const regsweep = join(dir, 'node_modules/.bin/regsweep');
  assert.is((await exec(regsweep, ['--version'], { cwd: dir, env })).stdout, `${VERSION}\n`);
  const demo = await exec(regsweep, ['demo'], { cwd: dir, env, maxBuffer: 1 << 24 });
  assert.match(demo.stdout, /\$ regsweep cleanup …\s+\(for real\)/);
  assert.match(demo.stdout, /deleted \d+/);
  const script = `import * as core from '@regsweep/core';
const p = core.policyFromText('cleanup:\\n  keepPolicies:\\n    - references: { branch: /.*/ }\\n', 'p.yml');
console.log(core.VERSION, p.policy.keepPolicies.length, typeof core.runPipeline, typeof core.planCleanup, typeof core.mapLimit);`;
  assert.is((await exec('node', ['--input-type=module', '-e', script], { cwd: dir, env })).stdout, `${VERSION} 1 function undefined undefined\n`, 'the curated API, no internal');
  const internal = await exec('node', ['--input-type=module', '-e', "await import('@regsweep/core/dist/plan/walk.js')"], { cwd: dir, env }).catch((e: { stderr: string }) => e);
  assert.match(internal.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/, 'internals are not part of the package');
});

test('published to a local registry: npx regsweep@<version> from a clean folder', async () => {
  const registry = await startFakeNpmRegistry();
  try {
    await publishTarball(tarballs.cli, registry, await userFolder('publisher'));
    assert.equal([...(registry.published.get('regsweep')?.keys() ?? [])], [VERSION]);
    const dir = await userFolder('npx');
    const env = await userNpmEnv(dir, registry);
    const r = await exec('npx', ['--yes', `regsweep@${VERSION}`, '--version'], { cwd: dir, env });
    assert.is(r.stdout, `${VERSION}\n`);
    const fetched = registry.server.requests.filter((q) => q.method === 'GET').map((q) => q.url);
    assert.equal([...new Set(fetched)], ['/regsweep', `/-/tarballs/regsweep-${VERSION}.tgz`], 'npx fetched the package and nothing else');
  } finally {
    await registry.close();
  }
});

test.after(() => rm(base, { recursive: true, force: true }));
test.run();
