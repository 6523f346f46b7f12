/** Referrers: the fallback tag schema on distribution 2.8, and the OCI 1.1 API (emulated by the proxy). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readInventory } from '@regsweep/core/internal';
import { openOciRegistry, referrersTag } from '../src/index.js';
import { MT, Pusher } from '@regsweep/test-kit/push';
import { startProxy, type Proxy, type ProxyOptions } from '@regsweep/test-kit/proxy';
import { startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';

let server: RegistryServer;
const proxies: Proxy[] = [];
test.before(async () => {
  server = await startRegistry();
});
test.after(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await server.stop();
});
const proxied = async (options: ProxyOptions): Promise<Proxy> => {
  const p = await startProxy(server.url, options);
  proxies.push(p);
  return p;
};

let repoCount = 0;
const repo = (): string => `refs/app${++repoCount}`;

test('referrersTag follows the OCI fallback schema', () => {
  assert.is(referrersTag(`sha256:${'ab'.repeat(32)}`), `sha256-${'ab'.repeat(32)}`);
});

test('distribution 2.8 (no referrers API): referrers come from the sha256-<hex> index, listed untagged', async () => {
  const name = repo();
  const p = new Pusher(server.url, name);
  const img = await p.pushImage({ tags: ['v1'], revision: 'a'.repeat(40) });
  const sbom = await p.pushReferrer(img);
  const provenance = await p.pushReferrer(img, 'application/vnd.in-toto+json');
  const lonely = await p.pushImage({ tags: ['v2'], revision: 'b'.repeat(40) });
  const r = await openOciRegistry(`${server.host}/${name}`);
  assert.equal((await r.referrers(img.digest)).sort(), [sbom.digest, provenance.digest].sort());
  assert.equal(await r.referrers(lonely.digest), []);

  const listing = await r.list();
  const fallback = listing.find((l) => l.tags.includes(referrersTag(img.digest)));
  assert.is(fallback?.mediaType, MT.ociIndex);
  for (const ref of [sbom, provenance]) {
    assert.equal(listing.find((l) => l.digest === ref.digest), { digest: ref.digest, tags: [], mediaType: MT.ociManifest, size: ref.size });
  }
  assert.is(listing.length, 5);
  // The planner's graph sees them as attachments of their subject.
  const { graph } = await readInventory(r, { revisionKeys: ['org.opencontainers.image.revision'], concurrency: 4 });
  const subject = graph.nodes.get(img.digest);
  assert.ok(subject?.attachments.includes(sbom.digest) && subject.attachments.includes(provenance.digest), JSON.stringify(subject?.attachments));
  assert.is(graph.nodes.get(sbom.digest)?.kind, 'attachment');
  assert.ok(graph.nodes.get(sbom.digest)?.listed !== undefined);
});

test('OCI 1.1 referrers API: used by referrers(); with listReferrers its answers are listed untagged', async () => {
  const name = repo();
  const p = new Pusher(server.url, name);
  const img = await p.pushImage({ tags: ['v1'] });
  const sig = await p.pushReferrer(img, 'application/vnd.dev.sigstore.bundle.v0.3+json', false);
  const sigOfSig = await p.pushReferrer(sig, 'application/vnd.example.countersign', false);
  const proxy = await proxied({
    referrers: {
      [img.digest]: [{ mediaType: MT.ociManifest, digest: sig.digest, size: sig.size, artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }],
      [sig.digest]: [{ mediaType: MT.ociManifest, digest: sigOfSig.digest, size: sigOfSig.size }],
    },
  });
  const plain = await openOciRegistry(`${proxy.host}/${name}`);
  assert.equal(await plain.referrers(img.digest), [sig.digest]);
  assert.equal((await plain.list()).map((l) => l.digest), [img.digest], 'without listReferrers only tags are listed');

  const r = await openOciRegistry(`${proxy.host}/${name}`, { listReferrers: true });
  const listing = await r.list();
  assert.equal(listing.map((l) => [l.digest, l.tags]).sort(), [[img.digest, ['v1']], [sig.digest, []], [sigOfSig.digest, []]].sort());
  assert.is(proxy.requests.filter((q) => q.includes('/referrers/')).length, 1 + 3, 'one question per listed digest');
});

test('listReferrers on a registry without the API costs one request', async () => {
  const name = repo();
  const p = new Pusher(server.url, name);
  await p.pushImage({ tags: ['a'], revision: '1'.repeat(40) });
  await p.pushImage({ tags: ['b'], revision: '2'.repeat(40) });
  const proxy = await proxied({});
  const r = await openOciRegistry(`${proxy.host}/${name}`, { listReferrers: true });
  assert.is((await r.list()).length, 2);
  assert.is(proxy.requests.filter((q) => q.includes('/referrers/')).length, 1);
  await r.list();
  assert.is(proxy.requests.filter((q) => q.includes('/referrers/')).length, 1, 'remembered');
});

test.run();
