/**
 * The digest cache between workflow runs, kept in the Actions cache (through `@actions/cache`, passed
 * in as a `CacheService` so the root stays testable): restored before the run, saved after it when the
 * run wrote entries or dropped unused ones.
 *
 * Why the keys are safe. Actions cache entries are immutable, so every save takes a key of its own
 * (`regsweep-digests-v1-<run id>-<attempt>-<job>-<random>`: two regsweep steps or matrix jobs of one run
 * never collide) and a restore takes the newest entry whose key starts with `regsweep-digests-v1-`.
 * An older entry is never stale: the folder holds manifests and configs under their own sha256 digest,
 * whose bytes cannot change, and every read checks the bytes against the digest (a damaged entry is
 * read from the registry again and rewritten). Nothing addressed by a tag is ever in it.
 *
 * What is saved. Right after the restore every entry's access time is set back to its modification
 * time, and a marker file dates the run on the file system's own clock: entries modified since were
 * written (or repaired) by this run; entries whose access time is still their modification time were
 * not read by it (a hit sets the access time to now) — no part of this run needed them, the images are
 * gone — and are dropped before saving, but only after a complete run (not a dry run, nothing failed or left
 * for the next run), so a partial run never drops what the rest of the work needs. A restore or save
 * that fails is a warning: the cache never stops a cleanup.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { ActionIo, CacheService } from './action-io.js';

export type { CacheService } from './action-io.js';

export const CACHE_KEY_PREFIX = 'regsweep-digests-v1-';
const MARKER = '.regsweep-run-started';

export interface RestoredCache {
  key: string;
}

/** The key this run saves under: unique per run, attempt, job and step. */
export function saveKey(env: Readonly<Record<string, string | undefined>>, unique = randomBytes(4).toString('hex')): string {
  const job = (env['GITHUB_JOB'] || 'job').replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${CACHE_KEY_PREFIX}${env['GITHUB_RUN_ID'] || 'local'}-${env['GITHUB_RUN_ATTEMPT'] || '1'}-${job}-${unique}`;
}

export async function restoreDigestCache(service: CacheService, dir: string, env: Readonly<Record<string, string | undefined>>, io: ActionIo): Promise<RestoredCache | undefined> {
  if (!service.isAvailable()) {
    io.info('digest cache: the Actions cache service is not available to this job; the cache lasts this run only');
    return undefined;
  }
  const key = saveKey(env);
  try {
    const hit = await service.restore([dir], key, [CACHE_KEY_PREFIX]);
    io.info(hit === undefined
      ? 'digest cache: nothing restored (no run saved one yet, or the cache service failed: see any warning above); manifests are read from the registry'
      : `digest cache: restored ${hit}`);
  } catch (error) {
    io.warning(`digest cache: could not be restored (${error instanceof Error ? error.message : String(error)}); manifests are read from the registry`);
  }
  for (const file of await cacheFiles(dir)) await stat(file).then((s) => utimes(file, s.mtime, s.mtime)).catch(() => undefined);
  // No folder yet (nothing restored): then everything in it at the end is this run's.
  await writeFile(join(dir, MARKER), '').catch(() => undefined);
  return { key };
}

interface Entry {
  path: string;
  written: boolean;
  used: boolean;
}

/** The entries' paths: not the marker, not the temporary files of an interrupted write. */
async function cacheFiles(dir: string): Promise<string[]> {
  const found = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return found.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => join(e.parentPath, e.name));
}

async function entries(dir: string): Promise<{ since: number | undefined; files: Entry[] }> {
  const since = await stat(join(dir, MARKER)).then((s) => s.mtimeMs, () => undefined);
  const files: Entry[] = [];
  for (const path of await cacheFiles(dir)) {
    const s = await stat(path);
    const written = since === undefined || s.mtimeMs >= since;
    files.push({ path, written, used: written || s.atimeMs > s.mtimeMs });
  }
  return { since, files };
}

/** Saves the folder when this run changed it; `complete` allows dropping entries this run did not use. */
export async function saveDigestCache(service: CacheService, restored: RestoredCache, dir: string, complete: boolean, io: ActionIo): Promise<void> {
  const { since, files } = await entries(dir);
  await rm(join(dir, MARKER), { force: true });
  const written = files.filter((f) => f.written).length;
  const unused = complete && since !== undefined ? files.filter((f) => !f.used) : [];
  for (const f of unused) await rm(f.path, { force: true });
  if (written === 0 && unused.length === 0) {
    io.info('digest cache: nothing new to save');
    return;
  }
  const what = `${written} new or repaired file(s)${unused.length > 0 ? `, ${unused.length} no longer used dropped` : ''}`;
  try {
    if (await service.save([dir], restored.key)) io.info(`digest cache: saved ${restored.key} (${what})`);
    else io.info(`digest cache: not saved (see the cache service's message above); the next run reads ${written} file(s) again`);
  } catch (error) {
    io.warning(`digest cache: could not be saved (${error instanceof Error ? error.message : String(error)}); the next run reads those manifests again`);
  }
}

/** The folder: the `cache-dir` input (relative to the workspace), else `regsweep-digest-cache` under RUNNER_TEMP. */
export function digestCacheDir(input: string | undefined, workspace: string, runnerTemp: string): string {
  if (input === undefined) return join(runnerTemp, 'regsweep-digest-cache');
  return isAbsolute(input) ? input : resolve(workspace, input);
}
