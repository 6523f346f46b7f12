/**
 * Listings are verified, not trusted: the real registry behind a proxy whose listing lies in the ways
 * a hostile test found (a listed tag whose HEAD answers 404, a tag left out of one page, pages that
 * shift while they are read, a tag moved between the plan and the deletes). In each case no kept tag
 * is lost (skopeo pulls every tag left), and the run either recovers by reading again (exit 0) or stops
 * before deleting anything (exit 1, the tag named).
 *
 * Every scenario protects `keep-me`, a keep-listed tag pushed onto the digest of `feature-old` (which a
 * correct run would otherwise delete): a run that does not see `keep-me` there deletes it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startProxy, type ProxyOptions } from '@regsweep/test-kit/proxy';
import { Pusher } from '@regsweep/test-kit/push';
import { startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';
import { RETRY_BACKOFF_ENV } from '../src/registry-ref.js';
import { describeRun, manifestExists, pullEveryTag, registryTags, runCleanup, type MainRun } from './support/registry-checks.js';
import { buildProject, pushWorld, type Project, type PushedWorld } from './support/registry-world.js';

let server: RegistryServer;
let root: string;
let project: Project;
let keepList: string;
let seq = 0;

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'regsweep-cli-listing-'));
  project = buildProject(root);
  server = await startRegistry();
  keepList = join(root, 'keep.txt');
  await writeFile(keepList, 'keep-me\n');
});
test.after(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';

/** Points `tag` at the manifest `digest` (the same bytes pushed under the tag). */
async function retag(name: string, digest: string, tag: string): Promise<void> {
  const got = await fetch(`${server.url}/v2/${name}/manifests/${digest}`, { headers: { accept: ACCEPT } });
  const bytes = Buffer.from(await got.arrayBuffer());
  const put = await fetch(`${server.url}/v2/${name}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': got.headers.get('content-type') ?? '' }, body: bytes });
  await put.body?.cancel();
  if (put.status !== 201) throw new Error(`retag ${tag}: HTTP ${put.status}`);
}

/** Tag → digest of the whole repository, read straight from the registry. */
async function snapshot(name: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const tag of await registryTags(server.url, name)) {
    const res = await fetch(`${server.url}/v2/${name}/manifests/${tag}`, { method: 'HEAD', headers: { accept: ACCEPT } });
    await res.body?.cancel();
    out.set(tag, res.headers.get('docker-content-digest') ?? '');
  }
  return out;
}

interface Scenario {
  name: string;
  world: PushedWorld;
}

/** A fresh repository with the world and `keep-me` on feature-old's digest. */
async function scenario(): Promise<Scenario> {
  const name = `acme/listing-${++seq}`;
  const world = await pushWorld(new Pusher(server.url, name), project);
  await retag(name, world.digests.old, 'keep-me');
  return { name, world };
}

async function cleanThrough(s: Scenario, proxyOptions: ProxyOptions): Promise<MainRun> {
  const proxy = await startProxy(server.url, { paginate: 'relative', pageSize: 5, ...proxyOptions });
  try {
    return await runCleanup(`${proxy.host}/${s.name}`, {
      root, gitDir: project.gitDir, cacheDir: join(root, `cache-${s.name.replace('/', '-')}`), report: join(root, `${s.name.replace('/', '-')}.json`),
      args: ['--keep-list', keepList], io: { env: { [RETRY_BACKOFF_ENV]: '5' } },
    });
  } finally {
    await proxy.close();
  }
}

/** What every run must leave: keep-me and its digest, and every tag still pullable. */
async function assertNothingKeptLost(s: Scenario, run: MainRun): Promise<void> {
  const tags = await registryTags(server.url, s.name);
  assert.ok(tags.includes('keep-me'), `keep-me is gone\n${describeRun(run)}`);
  assert.ok(await manifestExists(server.url, s.name, s.world.digests.old), 'the digest keep-me points at was deleted');
  for (const t of s.world.expectKept) assert.ok(tags.includes(t), `kept tag ${t} is gone`);
  await pullEveryTag(server.host, s.name, tags);
}

/** A run that stopped before any write: exit 1, the registry exactly as before. */
async function assertStoppedUntouched(s: Scenario, run: MainRun, before: Map<string, string>, words: RegExp): Promise<void> {
  assert.is(run.code, 1, describeRun(run));
  assert.match(run.stderr, words);
  assert.is(run.report.deleted.length, 0);
  assert.equal([...(await snapshot(s.name))].sort(), [...before].sort(), 'the registry changed');
  await assertNothingKeptLost(s, run);
}

test('a listed tag whose HEAD answers 404 every time stops the run before any delete, naming the tag', async () => {
  const s = await scenario();
  const before = await snapshot(s.name);
  const run = await cleanThrough(s, { listing: { headNotFound: { tag: 'keep-me' } } });
  await assertStoppedUntouched(s, run, before, /tag keep-me is listed but not found \(3 tries each\)/);
  assert.match(run.stderr, /nothing was deleted/);
});

test('a HEAD 404 that passes on retry: the tag is resolved and kept, the cleanup goes on', async () => {
  const s = await scenario();
  const run = await cleanThrough(s, { listing: { headNotFound: { tag: 'keep-me', times: 2 } } });
  assert.is(run.code, 0, describeRun(run));
  assert.ok(run.report.deleted.length > 0, 'the cleanup deleted what it should');
  assert.ok(run.report.kept.some((k) => k.tags.includes('keep-me') && k.reasons.includes('keep-list')));
  await assertNothingKeptLost(s, run);
});

test('a tag left out of one page: the two reads disagree, a third read agrees, and keep-me is kept', async () => {
  const s = await scenario();
  const run = await cleanThrough(s, { listing: { dropTag: { tag: 'keep-me', listings: [1] } } });
  assert.is(run.code, 0, describeRun(run));
  assert.match(run.stderr, /the tag list changed while it was read \(tag keep-me not listed, then listed\); reading it again/);
  assert.ok(run.report.kept.some((k) => k.digest === s.world.digests.old && k.tags.includes('keep-me')));
  assert.ok(run.report.deleted.length > 0);
  await assertNothingKeptLost(s, run);
});

test('a tag missing from every other read: the listing never agrees, nothing is deleted (exit 1)', async () => {
  const s = await scenario();
  const before = await snapshot(s.name);
  const run = await cleanThrough(s, { listing: { dropTag: { tag: 'keep-me', listings: [1, 3, 5, 7] } } });
  await assertStoppedUntouched(s, run, before, /the listing changed between each of 3 reads \(tag keep-me not listed, then listed\)/);
});

test('pages shift while they are read (a tag pushed between two pages): read again, keep-me is seen and kept', async () => {
  const name = `acme/listing-${++seq}`;
  const world = await pushWorld(new Pusher(server.url, name), project);
  const s = { name, world };
  // keep-me sorts into the first page: pushed while page 2 of the first listing is asked for, that
  // listing misses it (a registry paging by `last` cannot go back).
  const run = await cleanThrough(s, {
    listing: {
      beforePage: async (listing, page) => {
        if (listing === 1 && page === 2) await retag(name, world.digests.old, 'keep-me');
      },
    },
  });
  assert.is(run.code, 0, describeRun(run));
  assert.match(run.stderr, /tag keep-me not listed, then listed/);
  assert.ok(run.report.kept.some((k) => k.digest === world.digests.old && k.tags.includes('keep-me')));
  await assertNothingKeptLost(s, run);
});

test('a kept tag moved onto a digest about to be deleted, between plan and delete: nothing is deleted (exit 1)', async () => {
  const s = await scenario();
  let moved = false;
  // Listings 1 and 2 are the plan's (they agree); listing 3 is the fresh look before deleting.
  const run = await cleanThrough(s, {
    listing: {
      beforePage: async (listing, page) => {
        if (listing === 3 && page === 1 && !moved) {
          moved = true;
          await retag(s.name, s.world.digests.m0, 'latest');
        }
      },
    },
  });
  assert.ok(moved, 'the proxy moved the tag');
  assert.is(run.code, 1, describeRun(run));
  assert.match(run.stderr, /changed since it was planned: tag latest moved from sha256:[0-9a-f]{12}… onto sha256:[0-9a-f]{12}…, which was to be deleted/);
  assert.match(run.stderr, /nothing was deleted here; run again/);
  assert.is(run.report.deleted.length, 0);
  assert.ok(await manifestExists(server.url, s.name, s.world.digests.m0), 'the digest latest moved onto is still there');
  await assertNothingKeptLost(s, run);
});

test('a tag pushed onto a digest about to be deleted, between plan and delete: nothing is deleted (exit 1)', async () => {
  const s = await scenario();
  let pushed = false;
  const run = await cleanThrough(s, {
    listing: {
      beforePage: async (listing) => {
        if (listing === 3 && !pushed) {
          pushed = true;
          await retag(s.name, s.world.digests.m0, 'release-candidate');
        }
      },
    },
  });
  assert.ok(pushed);
  assert.is(run.code, 1, describeRun(run));
  assert.match(run.stderr, /tag release-candidate, which the plan did not see, now points at sha256:[0-9a-f]{12}…, which was to be deleted/);
  assert.is(run.report.deleted.length, 0);
  assert.ok(await manifestExists(server.url, s.name, s.world.digests.m0));
  await pullEveryTag(server.host, s.name, ['release-candidate']);
  await assertNothingKeptLost(s, run);
});

test.run();
