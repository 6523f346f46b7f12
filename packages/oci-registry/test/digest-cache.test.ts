/** The digest-keyed on-disk cache: pure parts, then a real registry behind a request-counting proxy. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInventory, type Inventory } from '@regsweep/core/internal';
import { DigestCache, defaultCacheDir, openOciRegistry, withDigestCache, type CachedRegistry } from '../src/index.js';
import { Pusher } from '@regsweep/test-kit/push';
import { startProxy, type Proxy } from '@regsweep/test-kit/proxy';
import { startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';

const digestOf = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const temps: string[] = [];
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'regsweep-cache-'));
  temps.push(dir);
  return dir;
};

let server: RegistryServer;
let proxy: Proxy;
const NAME = 'cache/app';
let pushed: { imageConfig: string; childConfig: string; index: string; referrer: string };

test.before(async () => {
  server = await startRegistry();
  const p = new Pusher(server.url, NAME);
  const img = await p.pushImage({ tags: ['main', 'sha-1111111'], revision: '1'.repeat(40) });
  const amd = await p.pushImage({ revision: '2'.repeat(40), architecture: 'amd64' });
  const arm = await p.pushImage({ revision: '2'.repeat(40), architecture: 'arm64' });
  const index = await p.pushIndex([amd, arm], ['v1.0.0'], ['amd64', 'arm64']);
  await p.pushSignature(index.digest);
  const referrer = await p.pushReferrer(img);
  pushed = { imageConfig: img.configDigest, childConfig: arm.configDigest, index: index.digest, referrer: referrer.digest };
  proxy = await startProxy(server.url);
});
test.after(async () => {
  await proxy.close();
  await server.stop();
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

/** Manifest and blob reads the registry saw since `from` (HEADs by tag during listing are not reads). */
const reads = (from: number): string[] => proxy.requests.slice(from).filter((r) => /^GET \/v2\/.+\/(manifests|blobs)\//.test(r));

async function run(dir: string, readOnly = false): Promise<{ inventory: Inventory; stats: ReturnType<CachedRegistry['stats']>; reads: string[] }> {
  const from = proxy.requests.length;
  const registry = withDigestCache(await openOciRegistry(`${proxy.host}/${NAME}`), new DigestCache(dir), { readOnly });
  const inventory = await readInventory(registry, { revisionKeys: ['org.opencontainers.image.revision'], concurrency: 4 });
  return { inventory, stats: registry.stats(), reads: reads(from) };
}

const summary = (inv: Inventory): string[] =>
  [...inv.graph.nodes.values()].map((n) => `${n.digest} ${n.kind} ${n.tags.join(',')} ${n.revisions.join(',')} ${n.created?.toISOString() ?? ''}`).sort();

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  return out.sort();
}

test('defaultCacheDir: $XDG_CACHE_HOME/regsweep when absolute, else ~/.cache/regsweep', () => {
  assert.is(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/me' }, '/home/u'), '/var/cache/me/regsweep');
  assert.is(defaultCacheDir({}, '/home/u'), '/home/u/.cache/regsweep');
  assert.is(defaultCacheDir({ XDG_CACHE_HOME: '' }, '/home/u'), '/home/u/.cache/regsweep');
  assert.is(defaultCacheDir({ XDG_CACHE_HOME: 'relative/cache' }, '/home/u'), '/home/u/.cache/regsweep', 'the XDG spec says to ignore relative paths');
});

test('DigestCache stores exact bytes under <dir>/sha256/<hex>, verifies them on read, writes atomically', async () => {
  const dir = await tempDir();
  const cache = new DigestCache(join(dir, 'nested', 'cache'));
  const bytes = Buffer.from('{"a": 1,  "spacing":"kept"}');
  const digest = digestOf(bytes);
  assert.is(await cache.read(digest), undefined);
  await cache.write(digest, bytes);
  assert.is(cache.pathOf(digest), join(dir, 'nested', 'cache', 'sha256', digest.slice(7)));
  assert.equal(await readFile(cache.pathOf(digest)), bytes);
  assert.equal(await cache.read(digest), bytes);
  await cache.writeManifest(digest, 'application/vnd.oci.image.manifest.v1+json', bytes);
  assert.equal(await cache.readManifest(digest), { mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes });
  // No temporary files are left behind.
  assert.equal((await filesUnder(join(dir, 'nested'))).map((f) => f.slice(f.lastIndexOf('/') + 1)), [digest.slice(7), `${digest.slice(7)}.media-type`]);
  // Bytes that do not match their digest are refused on write and ignored on read.
  try {
    await cache.write(digest, Buffer.from('other'));
    assert.unreachable('should refuse');
  } catch (error) {
    assert.match(String(error), 'do not match');
  }
  await writeFile(cache.pathOf(digest), '{"a": 1, "tampered": true}');
  assert.is(await cache.read(digest), undefined);
  assert.is(await cache.readManifest(digest), undefined);
  assert.is(cache.corrupt, 2);
  // Anything that is not a digest never becomes a path.
  for (const bad of ['latest', 'sha256:../../etc/passwd', `sha256:${'A'.repeat(64)}`]) {
    assert.throws(() => cache.pathOf(bad), /not a digest/);
  }
});

test('a cache folder where folders cannot be made (/proc, a file in the way) fails the write at once, never hangs', async () => {
  const bytes = Buffer.from('{"a":1}');
  const failure = async (dir: string): Promise<string> => {
    try {
      await new DigestCache(dir).write(digestOf(bytes), bytes);
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
    return 'written';
  };
  if (existsSync('/proc/self')) assert.is(await failure('/proc/regsweep-cache'), 'ENOENT');
  const file = join(await tempDir(), 'file');
  await writeFile(file, 'x');
  assert.is(await failure(join(file, 'cache')), 'ENOTDIR');
});

test('a second run reads no manifest and no config from the registry; results are identical', async () => {
  const dir = await tempDir();
  const first = await run(dir);
  assert.ok(first.reads.length >= 8, first.reads.join('\n'));
  assert.is(first.stats.misses, first.reads.length);
  assert.is(first.stats.writes, first.reads.length);
  assert.is(new Set(first.reads).size, first.reads.length, 'nothing read twice');
  // list() read the referrers fallback index through the cache; the inventory reads it again (its children,
  // the referrers, are untagged versions only it names: §3.4), a hit.
  assert.is(first.stats.hits, 1);
  assert.equal(first.inventory.listing.find((l) => l.digest === pushed.referrer)?.tags, []);
  const second = await run(dir);
  assert.equal(second.reads, [], 'no manifest or blob GET on the second run');
  assert.is(second.stats.misses, 0);
  assert.is(second.stats.hits, first.stats.misses + first.stats.hits);
  assert.is(second.stats.writes, 0);
  assert.equal(summary(second.inventory), summary(first.inventory));
  assert.equal(second.inventory.listing, first.inventory.listing);
  // Only digest-named entries: nothing addressed by a tag was stored.
  for (const file of await filesUnder(dir)) assert.match(file.slice(dir.length), /^\/sha256\/[0-9a-f]{64}(\.media-type)?$/);
});

test('a corrupt cache entry is ignored, read again from the registry and rewritten', async () => {
  const dir = await tempDir();
  await run(dir);
  const cache = new DigestCache(dir);
  await writeFile(cache.pathOf(pushed.childConfig), '{"architecture":"tampered"}');
  await writeFile(cache.pathOf(pushed.index), '{"truncat');
  const third = await run(dir);
  assert.is(third.stats.corrupt, 2);
  assert.equal(third.reads.sort(), [`GET /v2/${NAME}/blobs/${pushed.childConfig}`, `GET /v2/${NAME}/manifests/${pushed.index}`].sort());
  const arm = [...third.inventory.graph.nodes.values()].find((n) => n.platform === 'linux/arm64');
  assert.equal(arm?.revisions, ['2'.repeat(40)]);
  assert.ok(await cache.read(pushed.childConfig), 'rewritten with the right bytes');
  const fourth = await run(dir);
  assert.equal(fourth.reads, []);
  assert.is(fourth.stats.corrupt, 0);
});

test('read-only (dry run): reads the cache, writes nothing, creates nothing, repairs nothing', async () => {
  const parent = await tempDir();
  const dir = join(parent, 'never-created');
  const dry = await run(dir, true);
  assert.ok(dry.reads.length > 0);
  assert.is(dry.stats.writes, 0);
  assert.not.ok(existsSync(dir), 'the cache directory is not even created');
  // With a filled cache a dry run still profits from it, and leaves a corrupt entry as it is.
  await run(dir);
  const cache = new DigestCache(dir);
  await writeFile(cache.pathOf(pushed.imageConfig), 'garbage');
  const before = await filesUnder(dir);
  const again = await run(dir, true);
  assert.equal(again.reads, [`GET /v2/${NAME}/blobs/${pushed.imageConfig}`]);
  assert.is(again.stats.writes, 0);
  assert.equal(await filesUnder(dir), before);
  assert.is(await readFile(cache.pathOf(pushed.imageConfig), 'utf8'), 'garbage');
});

test('the decorator passes deletes through and keeps the port shape', async () => {
  const dir = await tempDir();
  const p = new Pusher(server.url, 'cache/del');
  const img = await p.pushImage({ tags: ['a', 'b'] });
  const inner = await openOciRegistry(`${server.host}/cache/del`);
  const r = withDigestCache(inner, new DigestCache(dir), { readOnly: false });
  assert.is(r.name, inner.name);
  assert.is(r.imageReference, inner.imageReference);
  assert.equal(r.capabilities, inner.capabilities);
  assert.is(typeof r.deleteTag, 'function');
  assert.is(await r.deleteTag?.('b'), 'deleted');
  assert.equal((await r.list()).map((i) => i.tags), [['a']]);
  assert.is(await r.deleteImage({ digest: img.digest, tags: ['a'] }), 'deleted');
  assert.equal(await r.list(), []);
});

test.run();
