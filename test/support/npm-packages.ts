/**
 * The npm packages as a user gets them: `npm pack` of a workspace (its prepack bundles it, as
 * `npm publish` does) into a folder, `npm publish` of a tarball to a registry, and npm's environment
 * for a user folder outside the repository (its own cache and user config, no update check).
 * A pack writes into its package folder (the prepack's bundle/ and LICENSE, removed by postpack), so
 * packs of test files running side by side take turns (`withPackLock`).
 */
import { execFile } from 'node:child_process';
import { mkdir, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FakeNpmRegistry } from '@regsweep/test-kit/fake-npm-registry';

const exec = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

const LOCK = join(tmpdir(), `regsweep-npm-pack-${Buffer.from(root).toString('hex').slice(-16)}.lock`);

/** Runs `work` while no other test process of this checkout packs (a lock folder; one older than 5 minutes is stale). */
export async function withPackLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      const age = await stat(LOCK).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > 300_000) await rmdir(LOCK).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await work();
  } finally {
    await rmdir(LOCK).catch(() => undefined);
  }
}

/** Packs `packages/<folder>` into `dest`; the tarball's path. */
export function packWorkspace(folder: string, dest: string): Promise<string> {
  return withPackLock(() => packNow(folder, dest));
}

async function packNow(folder: string, dest: string): Promise<string> {
  const { stdout } = await exec('npm', ['pack', '--json', '-w', `packages/${folder}`, '--pack-destination', dest], { cwd: root, maxBuffer: 1 << 24 });
  // The prepack script's own lines come first; npm's JSON starts at a line of its own.
  const [packed] = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as Array<{ filename: string }>;
  if (packed === undefined) throw new Error(`npm pack of packages/${folder} printed no tarball`);
  return join(dest, packed.filename);
}

/** The files of a tarball, without npm's `package/` prefix. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await exec('tar', ['tzf', tarball]);
  return stdout.split('\n').filter((l) => l !== '').map((l) => l.replace(/^package\//, '')).sort();
}

/** A tarball's package.json. */
export async function tarballManifest(tarball: string): Promise<Record<string, unknown>> {
  const { stdout } = await exec('tar', ['xzOf', tarball, 'package/package.json']);
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** npm's environment for a user in `home` (cache and .npmrc there); with a registry, npm asks only it. */
export async function userNpmEnv(home: string, registry?: FakeNpmRegistry): Promise<NodeJS.ProcessEnv> {
  await writeFile(join(home, '.npmrc'), registry?.npmrc() ?? '');
  return {
    PATH: process.env['PATH'], HOME: home, npm_config_userconfig: join(home, '.npmrc'),
    npm_config_cache: join(home, '.npm'), npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false',
    ...(registry ? { npm_config_registry: registry.url } : {}),
  };
}

/** `npm publish` of a tarball to the registry, as a user whose .npmrc holds the registry's token. */
export async function publishTarball(tarball: string, registry: FakeNpmRegistry, home: string): Promise<void> {
  await exec('npm', ['publish', tarball, '--registry', registry.url], { cwd: home, env: await userNpmEnv(home, registry) });
}
