/**
 * The digest cache kept in the Actions cache, with a stand-in `CacheService`: which key is saved and
 * which prefix restores, a save only when the run wrote or dropped entries, entries a complete run did
 * not read dropped, failures as warnings that never stop the run, and `cache: false` (runAction with a service that records every call).
 */
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ActionIo } from '../src/action-io.js';
import { CACHE_KEY_PREFIX, digestCacheDir, restoreDigestCache, saveDigestCache, saveKey, type CacheService } from '../src/digest-cache.js';
import { runAction } from '../src/index.js';
import { inTemp as inTempFolder } from './support/temp.js';

interface FakeService extends CacheService {
  calls: string[];
}

function service(options: { available?: boolean; hit?: string; restoreThrows?: boolean; saves?: boolean } = {}): FakeService {
  const calls: string[] = [];
  return {
    calls,
    isAvailable: () => options.available ?? true,
    restore: async (paths, key, restoreKeys) => {
      calls.push(`restore ${paths.join(',')} ${key} ${restoreKeys.join(',')}`);
      if (options.restoreThrows) throw new Error('Path Validation Error');
      return options.hit;
    },
    save: async (paths, key) => {
      calls.push(`save ${paths.join(',')} ${key}`);
      return options.saves ?? true;
    },
  };
}

function io(lines: string[], inputs: Record<string, string> = {}): ActionIo {
  return {
    getInput: (name) => inputs[name] ?? '', env: {},
    setSecret: () => undefined, setOutput: () => undefined, debug: () => undefined,
    info: (m) => void lines.push(`info ${m}`), warning: (m) => void lines.push(`warning ${m}`),
    notice: (m) => void lines.push(`notice ${m}`), setFailed: (m) => void lines.push(`failed ${m}`),
    writeSummary: async () => undefined,
  };
}

const inTemp = (body: (dir: string) => Promise<void>): Promise<void> => inTempFolder('regsweep-digest-cache-', body);

test('the key: one per run, attempt, job and step, restored by the prefix; the folder from cache-dir or RUNNER_TEMP', () => {
  assert.is(saveKey({ GITHUB_RUN_ID: '77', GITHUB_RUN_ATTEMPT: '2', GITHUB_JOB: 'clean up' }, 'ab12'), `${CACHE_KEY_PREFIX}77-2-clean_up-ab12`);
  assert.is(saveKey({}, 'ab12'), `${CACHE_KEY_PREFIX}local-1-job-ab12`);
  assert.is.not(saveKey({ GITHUB_RUN_ID: '77' }), saveKey({ GITHUB_RUN_ID: '77' }), 'two steps of one job never share a key');
  assert.is(digestCacheDir(undefined, '/ws', '/tmp/runner'), '/tmp/runner/regsweep-digest-cache');
  assert.is(digestCacheDir('cache/digests', '/ws', '/tmp/runner'), '/ws/cache/digests');
  assert.is(digestCacheDir('/abs', '/ws', '/tmp/runner'), '/abs');
});

const entry = (dir: string, name: string): string => join(dir, 'sha256', name);

/** A folder as a restore leaves it: two entries from an earlier run (modified an hour ago). */
async function restoredFolder(dir: string): Promise<void> {
  await mkdir(join(dir, 'sha256'), { recursive: true });
  const anHourAgo = new Date(Date.now() - 3_600_000);
  for (const name of ['used', 'unused']) {
    await writeFile(entry(dir, name), '{}');
    await utimes(entry(dir, name), anHourAgo, anHourAgo);
  }
}

test('saved only when the run wrote or dropped entries, under the run\'s key; a refused save is said, not fatal', async () => {
  await inTemp(async (dir) => {
    await restoredFolder(dir);
    const lines: string[] = [];
    const fake = service({ hit: `${CACHE_KEY_PREFIX}1-1-job-00` });
    const restored = await restoreDigestCache(fake, dir, { GITHUB_RUN_ID: '9', GITHUB_RUN_ATTEMPT: '1' }, io(lines));
    assert.ok(restored);
    assert.match(fake.calls[0] ?? '', new RegExp(`^restore ${dir} ${CACHE_KEY_PREFIX}9-1-job-[0-9a-f]{8} ${CACHE_KEY_PREFIX}$`));
    await utimes(entry(dir, 'used'), new Date(), (await stat(entry(dir, 'used'))).mtime); // a hit, as the digest cache marks it
    await saveDigestCache(fake, restored, dir, false, io(lines));
    assert.is(fake.calls.length, 1, 'nothing written, and an incomplete run drops nothing: no save');

    const again = await restoreDigestCache(fake, dir, {}, io(lines));
    assert.ok(again);
    await writeFile(entry(dir, 'new'), '{}');
    await writeFile(join(dir, 'sha256', '.abc.1.tmp'), 'half');
    await saveDigestCache(fake, again, dir, false, io(lines));
    assert.is(fake.calls[2], `save ${dir} ${again.key}`);
    const third = await restoreDigestCache(fake, dir, {}, io(lines));
    assert.ok(third);
    await writeFile(entry(dir, 'newer'), '{}');
    await saveDigestCache(service({ saves: false }), third, dir, false, io(lines));
    assert.equal(lines.filter((l) => !l.includes('restored')), [
      'info digest cache: nothing new to save',
      `info digest cache: saved ${again.key} (1 new or repaired file(s))`,
      'info digest cache: not saved (see the cache service\'s message above); the next run reads 1 file(s) again',
    ]);
  });
});

test('a complete run drops the entries it did not read; the ones it read or wrote stay', async () => {
  await inTemp(async (dir) => {
    await restoredFolder(dir);
    const lines: string[] = [];
    const fake = service({ hit: `${CACHE_KEY_PREFIX}1-1-job-00` });
    const restored = await restoreDigestCache(fake, dir, {}, io(lines));
    assert.ok(restored);
    await utimes(entry(dir, 'used'), new Date(), (await stat(entry(dir, 'used'))).mtime);
    await writeFile(entry(dir, 'new'), '{}');
    await saveDigestCache(fake, restored, dir, true, io(lines));
    assert.equal((await readdir(join(dir, 'sha256'))).sort(), ['new', 'used']);
    assert.match(lines.join('\n'), /saved .* \(1 new or repaired file\(s\), 1 no longer used dropped\)/);
    assert.equal(await readdir(dir).then((names) => names.filter((n) => n.startsWith('.'))), [], 'the marker is not saved');
  });
});

test('no service, or a restore that throws: the run goes on reading from the registry', async () => {
  await inTemp(async (dir) => {
    const lines: string[] = [];
    const none = service({ available: false });
    assert.is(await restoreDigestCache(none, dir, {}, io(lines)), undefined);
    assert.equal(none.calls, []);
    const broken = service({ restoreThrows: true });
    assert.ok(await restoreDigestCache(broken, dir, {}, io(lines)));
    assert.match(lines.join('\n'), /info digest cache: the Actions cache service is not available to this job/);
    assert.match(lines.join('\n'), /warning digest cache: could not be restored \(Path Validation Error\); manifests are read from the registry/);
  });
});

test('runAction: cache true restores before the run; cache false never calls the service', async () => {
  await inTemp(async (dir) => {
    for (const [cache, expected] of [['true', 1], ['false', 0]] as const) {
      const fake = service();
      const inputs: Record<string, string> = {
        token: 'not-a-real-token', owner: 'acme', packages: 'app', repository: 'acme/app', config: '', 'dry-run': 'true',
        'api-url': 'http://127.0.0.1:9', 'registry-url': 'http://127.0.0.1:9', kubeconfig: '', 'max-deletions': '', 'pull-requests': 'true', 'cache-dir': '', cache,
      };
      const lines: string[] = [];
      const result = await runAction({
        ...io(lines, inputs), env: { GITHUB_REPOSITORY: 'acme/app', GITHUB_WORKSPACE: dir, RUNNER_TEMP: dir },
        cacheService: fake, tmpdir: dir, cwd: dir,
        fetch: async () => new Response('{"message":"Bad credentials"}', { status: 401, headers: { 'content-type': 'application/json' } }),
      });
      assert.is(result.exitCode, 2, lines.join('\n'));
      assert.is(fake.calls.filter((c) => c.startsWith('restore')).length, expected, `cache: ${cache}`);
    }
  });
});

test.run();
