/**
 * A cleanup through a faulty network path: a node:http proxy in front of the real registry answers
 * some requests 500, drops some connections (before the request reaches the registry, and for some
 * DELETEs after the registry answered), and fails the DELETEs of two chosen digests every time. The
 * first run retries, finishes what it can, reports what it could not do and exits 1; a second run on a
 * healthy path finishes the job and deletes nothing the first run's plan kept.
 *
 * Retries are made fast with the hidden REGSWEEP_REGISTRY_RETRY_BACKOFF_MS (registry-ref.ts); the
 * executor's own retries of the two persistent failures (500 ms, 1 s, 2 s) still take ~3.5 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startProxy } from '@regsweep/test-kit/proxy';
import { Pusher } from '@regsweep/test-kit/push';
import { startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';
import { RETRY_BACKOFF_ENV } from '../src/registry-ref.js';
import { describeRun, digestsOf, manifestExists, pullEveryTag, registryTags, runCleanup } from './support/registry-checks.js';
import { buildProject, pushWorld, sha7, type Project, type PushedWorld } from './support/registry-world.js';

let server: RegistryServer;
let root: string;
let project: Project;
let world: PushedWorld;
const NAME = 'acme/faulty';

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'regsweep-cli-faults-'));
  project = buildProject(root);
  server = await startRegistry();
  world = await pushWorld(new Pusher(server.url, NAME), project);
});
test.after(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

test('faults: the first run retries, reports what failed, exits 1; a healthy rerun finishes without touching what was kept', async () => {
  const started = Date.now();
  const stuck = [world.digests.old, world.digests.deletedIndexSig];
  const proxy = await startProxy(server.url, { faults: { every: 4, failDeletes: stuck }, rewriteLocation: true });
  const cacheDir = join(root, 'cache');
  let first;
  try {
    first = await runCleanup(`${proxy.host}/${NAME}`, {
      root, gitDir: project.gitDir, cacheDir, report: join(root, 'first.json'), io: { env: { [RETRY_BACKOFF_ENV]: '5' } },
    });
  } finally {
    await proxy.close();
  }
  // Faults of every kind happened, on reads and on deletes, and the retried requests went through.
  const kinds = (k: string): string[] => proxy.injected.filter((i) => i.startsWith(`${k} `));
  assert.ok(kinds('500').some((i) => / (GET|HEAD) /.test(i)), proxy.injected.join('\n'));
  assert.ok(kinds('drop').length > 0, proxy.injected.join('\n'));
  assert.ok(kinds('drop-after').some((i) => i.startsWith('drop-after DELETE ')), 'a DELETE that happened but whose answer was lost');
  for (const d of stuck) assert.ok(proxy.injected.filter((i) => i === `500 DELETE /v2/${NAME}/manifests/${d}`).length >= 2, `DELETE ${d} failed every time`);
  for (const fault of proxy.injected.filter((i) => !stuck.some((d) => i.endsWith(d)))) {
    const line = fault.slice(fault.indexOf(' ') + 1);
    assert.ok(proxy.requests.filter((r) => r === line).length >= 2 || fault.startsWith('drop-after'), `${line} was retried`);
  }

  // The first run: exit 1, the two stuck digests failed, the index waiting on its signature was not
  // deleted; everything else planned went.
  assert.is(first.code, 1, describeRun(first));
  assert.is(first.report.error, undefined, 'a failed delete is an item failure, not a run error');
  assert.equal(digestsOf(first.report.failed), [...stuck].sort());
  assert.match(first.report.failed.map((f) => f.message).join('\n'), /HTTP 500/);
  assert.equal(digestsOf(first.report.skipped), [world.digests.deletedIndex], 'the index waits for its signature');
  const firstGone = digestsOf(first.report.deleted);
  assert.equal(firstGone, world.deletedDigests.filter((d) => !stuck.includes(d) && d !== world.digests.deletedIndex));
  assert.equal(first.report.tagsRemoved.map((t) => t.tag), world.expectUntagged);
  const leftOver = [sha7(project.old), 'feature-old', sha7(project.main[2] as string), `${world.digests.deletedIndex.replace(':', '-')}.sig`];
  const afterFirst = await registryTags(server.url, NAME);
  assert.equal(afterFirst, [...world.expectKept, ...leftOver].sort());
  await pullEveryTag(server.host, NAME, afterFirst);

  // The second run, straight to the registry: finishes the job.
  const second = await runCleanup(`${server.host}/${NAME}`, { root, gitDir: project.gitDir, cacheDir, report: join(root, 'second.json') });
  assert.is(second.code, 0, describeRun(second));
  assert.equal(second.report.failed, []);
  assert.equal(digestsOf(second.report.deleted), [...stuck, world.digests.deletedIndex].sort());
  // Nothing the first run's plan kept was deleted, by either run.
  const keptFirst = digestsOf(first.report.kept);
  assert.ok(keptFirst.length > 0);
  assert.equal(digestsOf(second.report.deleted).filter((d) => keptFirst.includes(d)), []);
  for (const d of keptFirst) assert.ok(await manifestExists(server.url, NAME, d), `${d} (kept by the first plan) is still in the registry`);
  assert.equal(digestsOf(second.report.kept), keptFirst, 'the healthy run keeps what the faulty run kept');
  const afterSecond = await registryTags(server.url, NAME);
  assert.equal(afterSecond, world.expectKept);
  for (const d of world.deletedDigests) assert.not.ok(await manifestExists(server.url, NAME, d), `${d} was deleted`);
  await pullEveryTag(server.host, NAME, afterSecond);
  assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
});

test.run();
