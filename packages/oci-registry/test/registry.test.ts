/** The Registry port against the real distribution registry (Debian docker-registry). */
import { test } from 'uvu';
import { InputError } from '@regsweep/core';
import * as assert from 'uvu/assert';
import { type ListedImage } from '@regsweep/core';
import { MEDIA, parseManifest } from '@regsweep/core/internal';
import { OciRegistryClient, openOciRegistry } from '../src/index.js';
import { Pusher, skopeoInspect } from '@regsweep/test-kit/push';
import { startProxy } from '@regsweep/test-kit/proxy';
import { startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';

let server: RegistryServer;
test.before(async () => {
  server = await startRegistry();
});
test.after(async () => {
  await server.stop();
});

let repoCount = 0;
const repo = (): string => `team/app${++repoCount}`;
const byDigest = (images: ListedImage[]): Map<string, string[]> => new Map(images.map((i) => [i.digest, i.tags]));

test('list groups several tags per digest; names and capabilities', async () => {
  const name = repo();
  const p = new Pusher(server.url, name);
  const a = await p.pushImage({ tags: ['main', 'sha-aaaaaaa', 'latest'], revision: 'a'.repeat(40), created: '2024-03-01T10:00:00Z' });
  const b = await p.pushImage({ tags: ['feature-x'], revision: 'b'.repeat(40), created: '2024-03-02T10:00:00Z' });
  await p.pushImage({ revision: 'c'.repeat(40) }); // untagged: not listed by the API
  const r = await openOciRegistry(`${server.host}/${name}`);
  assert.is(r.name, `${server.host}/${name}`);
  assert.is(r.imageReference, `${server.host}/${name}`);
  assert.equal(r.capabilities, { listsUntagged: false, deletesTagAlone: true });
  const images = await r.list();
  assert.is(images.length, 2);
  assert.equal(byDigest(images), new Map([[a.digest, ['latest', 'main', 'sha-aaaaaaa']], [b.digest, ['feature-x']]]));
  const first = images.find((i) => i.digest === a.digest);
  assert.is(first?.mediaType, MEDIA.ociManifest);
  assert.is(first?.size, a.size);
  // skopeo sees the same image (proves the pushed content is a real, pullable image).
  const inspected = (await skopeoInspect(server.host, name, 'main')) as { Digest: string; Labels: Record<string, string>; Created: string };
  assert.is(inspected.Digest, a.digest);
  assert.is(inspected.Labels['org.opencontainers.image.revision'], 'a'.repeat(40));
  assert.is(new Date(inspected.Created).toISOString(), '2024-03-01T10:00:00.000Z');
});

test('an unknown repository is bad input (exit 2), not an empty one that would make a final repository lose everything', async () => {
  const r = await openOciRegistry(`${server.host}/nobody/here`);
  try {
    await r.list();
    assert.unreachable('must throw');
  } catch (err) {
    assert.instance(err, InputError);
    assert.match((err as Error).message, /no repository by that name/);
  }
});

test('reads manifests, indexes, configs and cosign signature tags', async () => {
  const name = repo();
  const p = new Pusher(server.url, name);
  const amd = await p.pushImage({ revision: 'd'.repeat(40), architecture: 'amd64' });
  const arm = await p.pushImage({ revision: 'd'.repeat(40), architecture: 'arm64', labels: { arch: 'arm' } });
  const idx = await p.pushIndex([amd, arm], ['v1.0.0'], ['amd64', 'arm64']);
  const sig = await p.pushSignature(idx.digest);
  const r = await openOciRegistry(`${server.host}/${name}`);
  assert.equal(byDigest(await r.list()), new Map([[idx.digest, ['v1.0.0']], [sig.digest, [sig.tag]]]));
  const index = await r.getManifest(idx.digest);
  assert.is(index.mediaType, MEDIA.ociIndex);
  const facts = parseManifest(index);
  assert.is(facts.kind, 'index');
  assert.equal(facts.children.map((c) => [c.digest, c.platform]), [[amd.digest, 'linux/amd64'], [arm.digest, 'linux/arm64']]);
  const child = parseManifest(await r.getManifest(arm.digest));
  assert.is(child.configDigest, arm.configDigest);
  const config = (await r.getBlobJson(arm.configDigest)) as { architecture: string; config: { Labels: Record<string, string> } };
  assert.is(config.architecture, 'arm64');
  assert.is(config.config.Labels['arch'], 'arm');
  assert.ok(sig.tag.startsWith('sha256-') && sig.tag.endsWith('.sig'));
  const raw = (await skopeoInspect(server.host, name, 'v1.0.0', true)) as { manifests: unknown[] };
  assert.is(raw.manifests.length, 2);
});

test('a missing manifest or blob is a 404 RegistryError', async () => {
  const name = repo();
  await new Pusher(server.url, name).pushImage({ tags: ['x'] });
  const r = await openOciRegistry(`${server.host}/${name}`);
  const missing = `sha256:${'0'.repeat(64)}`;
  for (const read of [() => r.getManifest(missing), () => r.getBlobJson(missing)]) {
    try {
      await read();
      assert.unreachable('should throw');
    } catch (error) {
      assert.instance(error, Error);
      assert.is((error as { name: string }).name, 'RegistryError');
      assert.is((error as { status?: number }).status, 404);
      assert.is((error as { transient?: boolean }).transient, false);
    }
  }
});

test('delete by digest removes every tag of it; a second delete is gone', async () => {
  const name = repo();
  const p = new Pusher(server.url, name);
  const a = await p.pushImage({ tags: ['one', 'two', 'three'], revision: 'e'.repeat(40) });
  const b = await p.pushImage({ tags: ['keep'], revision: 'f'.repeat(40) });
  const r = await openOciRegistry(`${server.host}/${name}`);
  assert.is(await r.deleteImage({ digest: a.digest, tags: ['one', 'two', 'three'] }), 'deleted');
  assert.equal(byDigest(await r.list()), new Map([[b.digest, ['keep']]]));
  assert.is(await r.deleteImage({ digest: a.digest, tags: [] }), 'gone');
});

test('tag lists are followed through Link pages (relative and absolute), deduplicated', async () => {
  const name = repo();
  const p = new Pusher(server.url, name);
  const tags = Array.from({ length: 23 }, (_, i) => `t${String(i).padStart(2, '0')}`);
  const img = await p.pushImage({ tags, revision: '1'.repeat(40) });
  for (const mode of ['relative', 'absolute'] as const) {
    const proxy = await startProxy(server.url, { paginate: mode });
    try {
      const client = new OciRegistryClient(`${proxy.host}/${name}`, { pageSize: 5 });
      assert.equal([...(await client.listTags())].sort(), tags);
      const pages = proxy.requests.filter((r) => r.includes('/tags/list'));
      assert.is(pages.length, 5, mode);
      assert.ok(pages[1]?.includes('last=t04'), pages[1]);
      const r = await openOciRegistry(`${proxy.host}/${name}`, { pageSize: 5, concurrency: 3 });
      assert.equal(byDigest(await r.list()), new Map([[img.digest, tags]]));
    } finally {
      await proxy.close();
    }
  }
  // The real registry ignores n and answers everything in one page, with no Link.
  const direct = new OciRegistryClient(`${server.host}/${name}`, { pageSize: 5 });
  assert.equal([...(await direct.listTags())].sort(), tags);
});

test.run();
