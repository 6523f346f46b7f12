/**
 * The Action keeps its digest cache between workflow runs by itself: the committed bundle, run twice in
 * a runner's environment with a stand-in for GitHub's cache service (version 2, what github.com runs),
 * saves the cache after the first run and restores it before the second, which then reads no manifest
 * from the registry. Without the service, or with `cache: false`, the run still works and says so.
 */
import { mkdir, rm } from 'node:fs/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startFakeActionsCache } from '@regsweep/test-kit/fake-actions-cache';
import { inputsFor, report, scenario, sha } from './support/e2e.js';
import { runBundle } from './support/runner.js';
import { World } from './support/world.js';

const TIMEOUT = 60_000;

/** main m1..m4 with an image each, two images of a deleted branch. */
function world(): { world: World; gone: string[] } {
  const w = new World();
  w.model.line('m', 4, World.daysAgo(1));
  w.model.branch('main', 'm4');
  const versions = [1, 2, 3, 4].map((i) => ({ digest: w.image(`m${i}`, 5 - i), tags: [sha(`m${i}`), ...(i === 4 ? ['main'] : [])] }));
  const gone = [w.image('g1', 9), w.image('g2', 8)];
  w.publish([...versions, { digest: gone[0] as string, tags: ['feature-gone'] }, { digest: gone[1] as string, tags: [sha('g2')] }]);
  return { world: w, gone };
}

const manifestReads = (w: World): number => [...w.oci.downloads.values()].reduce((a, b) => a + b, 0);

test('cache on: the first run saves the digest cache; the second restores it, reads no manifest and drops what no image needs; the third restores the newest', async () => {
  const cache = await startFakeActionsCache();
  const { world: w, gone } = world();
  try {
    await scenario(w, async (dirs) => {
      const first = await runBundle(dirs, w.url, inputsFor(w), TIMEOUT, cache.env());
      assert.is(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stdout, /digest cache: nothing restored \(no run saved one yet/);
      assert.match(first.stdout, /digest cache: saved regsweep-digests-v1-\d+-1-\w+-[0-9a-f]{8} \([1-9]\d* new or repaired file\(s\)\)/);
      const saved = [...cache.entries().keys()];
      assert.is(saved.length, 1, 'one entry saved');
      const readsFirst = manifestReads(w);
      assert.ok(readsFirst > 0, 'the first run reads manifests from the registry');
      assert.equal([...(await report(first)).deleted.map((d) => d.digest)].sort(), [...gone].sort());

      // The second run: a fresh runner (its temporary folder emptied), the cache comes from the service,
      // and the four kept images' manifests and configs are needed again to plan.
      const resetTemp = async (): Promise<void> => {
        await rm(dirs.temp, { recursive: true, force: true });
        await mkdir(dirs.temp);
      };
      await resetTemp();
      const second = await runBundle(dirs, w.url, inputsFor(w), TIMEOUT, cache.env());
      assert.is(second.code, 0, second.stdout + second.stderr);
      assert.match(second.stdout, new RegExp(`digest cache: restored ${saved[0]}`));
      assert.is(manifestReads(w), readsFirst, 'the second run reads every manifest from the restored cache');
      assert.match(second.stdout, /reading manifests: \d+\/\d+ \([1-9]\d* from cache in all\)/, 'progress says the reads came from the cache');
      assert.is((await report(second)).deleted.length, 0);
      assert.is(w.left().length, 4);
      // The deleted branch's manifests and configs were used by no part of this complete run: dropped.
      assert.match(second.stdout, /digest cache: saved regsweep-digests-v1-\d+-1-\w+-[0-9a-f]{8} \(0 new or repaired file\(s\), [1-9]\d* no longer used dropped\)/);
      assert.is(cache.entries().size, 2);

      await resetTemp();
      const third = await runBundle(dirs, w.url, inputsFor(w), TIMEOUT, cache.env());
      assert.is(third.code, 0, third.stdout + third.stderr);
      assert.match(third.stdout, /digest cache: restored regsweep-digests-v1-\d+-1-\w+-[0-9a-f]{8}/);
      assert.not.match(third.stdout, new RegExp(`restored ${saved[0]}`), 'the newest entry is restored');
      assert.match(third.stdout, /digest cache: nothing new to save/);
      assert.is(manifestReads(w), readsFirst, 'the pruned cache still holds everything the plan needs');
      const lookups = cache.calls.filter((c) => c.method === 'GetCacheEntryDownloadURL');
      assert.equal(lookups.map((c) => c.body['restore_keys']), [['regsweep-digests-v1-'], ['regsweep-digests-v1-'], ['regsweep-digests-v1-']], 'restored by prefix');
      for (const run of [first, second, third]) assert.ok(!(run.stdout + run.stderr).includes(cache.token), 'the runtime token is never printed');
    });
  } finally {
    await cache.close();
  }
});

test('cache: false, or no cache service: no cache call, the run still cleans; each phase is a log group', async () => {
  const cache = await startFakeActionsCache();
  const { world: w, gone } = world();
  try {
    await scenario(w, async (dirs) => {
      const off = await runBundle(dirs, w.url, inputsFor(w, { 'dry-run': 'true', cache: 'false' }), TIMEOUT, cache.env());
      assert.is(off.code, 0, off.stdout + off.stderr);
      assert.equal(cache.calls, [], 'cache: false sends nothing to the cache service');
      assert.not.match(off.stdout, /digest cache: (restored|nothing|saved|not saved|the Actions cache)/);

      const noService = await runBundle(dirs, w.url, inputsFor(w), TIMEOUT);
      assert.is(noService.code, 0, noService.stdout + noService.stderr);
      assert.match(noService.stdout, /digest cache: the Actions cache service is not available to this job/);
      assert.equal(w.left().filter((d) => gone.includes(d)), [], 'the deleted branch\'s images are gone');
      const groups = [...noService.stdout.matchAll(/^::group::regsweep: \S+: ([a-z ]+)$/gm)].map((m) => m[1]);
      assert.equal(groups, ['listing', 'reading manifests', 'planning', 'checking the plan', 'deleting'], noService.stdout);
      assert.is((noService.stdout.match(/^::endgroup::$/gm) ?? []).length, groups.length, 'every group closed');
      assert.ok(noService.stdout.lastIndexOf('::endgroup::') < noService.stdout.indexOf('regsweep cleanup\n'), 'closed before the summary');
    });
  } finally {
    await cache.close();
  }
});

test('a cache service that fails: a warning, and the run reads from the registry and cleans', async () => {
  const cache = await startFakeActionsCache();
  const { world: w, gone } = world();
  await cache.close();
  await scenario(w, async (dirs) => {
    const run = await runBundle(dirs, w.url, inputsFor(w), TIMEOUT, cache.env());
    assert.is(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /::warning::Failed to restore: /);
    assert.match(run.stdout, /digest cache: nothing restored/);
    assert.match(run.stdout, /digest cache: not saved \(see the cache service's message above\)/);
    assert.equal(w.left().filter((d) => gone.includes(d)), []);
  });
});

test.run();
