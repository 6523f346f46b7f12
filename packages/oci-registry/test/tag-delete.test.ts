/**
 * Removing single tags without collateral damage, and deletion-disabled detection before the first
 * delete, against the real distribution 2.8 registry (which has no OCI tag delete: the throw-away
 * method) and behind a proxy that emulates OCI 1.1 tag delete, a destructive one, or refusals.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeleteSkipped, RegistryError } from '@regsweep/core';
import { openOciRegistry, type OciRegistry } from '../src/index.js';
import { Pusher, skopeoInspect } from '@regsweep/test-kit/push';
import { startProxy, type Proxy, type ProxyOptions } from '@regsweep/test-kit/proxy';
import { startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';

const ZERO = `sha256:${'0'.repeat(64)}`;
let server: RegistryServer;
const cleanup: Array<() => Promise<void>> = [];
test.before(async () => {
  server = await startRegistry();
});
test.after(async () => {
  await Promise.all(cleanup.map((c) => c()));
  await server.stop();
});

let repoCount = 0;
const repo = (): string => `tags/app${++repoCount}`;

async function proxied(upstream: RegistryServer, options: ProxyOptions = {}): Promise<Proxy> {
  const p = await startProxy(upstream.url, options);
  cleanup.push(() => p.close());
  return p;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection');
}

const tagsOf = async (r: OciRegistry): Promise<Map<string, string[]>> => new Map((await r.list()).map((i) => [i.digest, i.tags]));
const writes = (p: Proxy, from = 0): string[] => p.requests.slice(from).filter((q) => /^(PUT|POST|DELETE|PATCH) /.test(q));

test('distribution 2.8: a tag goes alone by the throw-away method; the digest and its other tags stay pullable', async () => {
  const name = repo();
  const p = new Pusher(server.url, name);
  const img = await p.pushImage({ tags: ['keep', 'stale', 'old'], revision: 'a'.repeat(40) });
  const proxy = await proxied(server);
  const r = await openOciRegistry(`${proxy.host}/${name}`, { tagDelete: 'learn' });
  assert.is(r.capabilities.deletesTagAlone, true);
  assert.is(r.tagDeleteMethod, undefined);
  assert.is(await r.deleteTag('stale'), 'deleted');
  assert.is(r.tagDeleteMethod, 'throw-away');
  const first = writes(proxy);
  // Probe first, then the OCI attempt (400 DIGEST_INVALID on 2.8), then the throw-away push and delete.
  assert.is(first[0], `DELETE /v2/${name}/manifests/${ZERO}`);
  assert.is(first[1], `DELETE /v2/${name}/manifests/stale`);
  assert.ok(first.includes(`PUT /v2/${name}/manifests/stale`), first.join('\n'));
  const throwAway = first.filter((q) => q.startsWith(`DELETE /v2/${name}/manifests/sha256:`) && !q.endsWith(ZERO));
  assert.is(throwAway.length, 1);
  assert.equal(await tagsOf(r), new Map([[img.digest, ['keep', 'old']]]));
  // The throw-away manifest is gone; the image is whole and pullable by its other tags.
  assert.is(await r.client.headManifest(throwAway[0]?.split('/manifests/')[1] ?? ''), undefined);
  const inspected = (await skopeoInspect(server.host, name, 'keep')) as { Digest: string; Labels: Record<string, string> };
  assert.is(inspected.Digest, img.digest);
  assert.is(inspected.Labels['org.opencontainers.image.revision'], 'a'.repeat(40));
  try {
    await skopeoInspect(server.host, name, 'stale');
    assert.unreachable('the removed tag must not resolve');
  } catch (error) {
    assert.match(String(error), /manifest unknown|not found|404/i);
  }
  // The method is remembered (no second OCI attempt, no second probe, no second blob upload); 404 = gone.
  const from = proxy.requests.length;
  assert.is(await r.deleteTag('old'), 'deleted');
  const second = writes(proxy, from);
  assert.equal(second.map((q) => q.split(' ')[0]), ['PUT', 'DELETE'], second.join('\n'));
  assert.is(await r.deleteTag('old'), 'gone');
  assert.equal(await tagsOf(r), new Map([[img.digest, ['keep']]]));
  assert.ok((await skopeoInspect(server.host, name, 'keep', true)) !== undefined);
});

test('OCI 1.1 tag delete is used where the registry has it, checked once, and remembered', async () => {
  const name = repo();
  const img = await new Pusher(server.url, name).pushImage({ tags: ['keep', 'x', 'y'] });
  const proxy = await proxied(server, { tagDelete: 'oci' });
  const r = await openOciRegistry(`${proxy.host}/${name}`, { tagDelete: 'learn' });
  assert.is(await r.deleteTag('x'), 'deleted');
  assert.is(r.tagDeleteMethod, 'oci');
  assert.ok(proxy.requests.includes(`HEAD /v2/${name}/manifests/${img.digest}`), 'the digest was checked after the first tag delete');
  const from = proxy.requests.length;
  assert.is(await r.deleteTag('y'), 'deleted');
  assert.equal(proxy.requests.slice(from), [`DELETE /v2/${name}/manifests/y`]);
  assert.is(await r.deleteTag('y'), 'gone');
  assert.equal(await tagsOf(r), new Map([[img.digest, ['keep']]]));
});

test('a registry whose tag delete deletes the manifest is reported once and not asked again', async () => {
  const name = repo();
  const p = new Pusher(server.url, name);
  const a = await p.pushImage({ tags: ['a-keep', 'a-stale'], revision: '1'.repeat(40) });
  const b = await p.pushImage({ tags: ['b-keep', 'b-stale'], revision: '2'.repeat(40) });
  const proxy = await proxied(server, { tagDelete: 'destructive' });
  const r = await openOciRegistry(`${proxy.host}/${name}`, { tagDelete: 'learn' });
  const error = await rejection(r.deleteTag('a-stale'));
  assert.instance(error, RegistryError);
  assert.is((error as RegistryError).transient, false);
  assert.match(error.message, `also deleted the manifest ${a.digest}`);
  assert.is(r.tagDeleteMethod, 'throw-away');
  assert.is(await r.deleteTag('b-stale'), 'deleted');
  assert.equal(await tagsOf(r), new Map([[b.digest, ['b-keep']]]));
});

test('deletion disabled: detected by one probe before anything is deleted or pushed', async () => {
  const off = await startRegistry({ deleteEnabled: false });
  cleanup.push(() => off.stop());
  const img = await new Pusher(off.url, 'app').pushImage({ tags: ['a', 'b'] });
  const proxy = await proxied(off);
  const r = await openOciRegistry(`${proxy.host}/app`);
  // A dry run (list and reads) sends no write at all.
  await r.list();
  await r.getManifest(img.digest);
  assert.equal(writes(proxy), []);
  for (const attempt of [() => r.deleteTag('a'), () => r.deleteImage({ digest: img.digest, tags: ['a', 'b'] }), () => r.checkDeletable()]) {
    const error = await rejection(attempt());
    assert.instance(error, RegistryError);
    assert.is((error as RegistryError).status, 405);
    assert.is((error as RegistryError).transient, false);
    assert.match(error.message, 'deletion is disabled on this registry');
    assert.match(error.message, 'storage.delete.enabled: true');
  }
  // Exactly the one probe: no tag delete, no throw-away push (which would have moved the tag), no manifest delete.
  assert.equal(writes(proxy), [`DELETE /v2/app/manifests/${ZERO}`]);
  assert.equal(await tagsOf(r), new Map([[img.digest, ['a', 'b']]]));
  const inspected = (await skopeoInspect(off.host, 'app', 'a')) as { Digest: string };
  assert.is(inspected.Digest, img.digest);
});

test('the probe is sent once even when deletes start concurrently', async () => {
  const name = repo();
  const p = new Pusher(server.url, name);
  const images = await Promise.all([1, 2, 3].map((i) => p.pushImage({ tags: [`t${i}`], revision: String(i).repeat(40) })));
  const proxy = await proxied(server);
  const r = await openOciRegistry(`${proxy.host}/${name}`, { tagDelete: 'learn' });
  const outcomes = await Promise.all(images.map((img) => r.deleteImage({ digest: img.digest, tags: [] })));
  assert.equal(outcomes, ['deleted', 'deleted', 'deleted']);
  assert.is(writes(proxy).filter((q) => q.endsWith(ZERO)).length, 1);
  assert.ok(writes(proxy)[0]?.endsWith(ZERO));
});

test('a refused throw-away push leaves the tag in place and says why (DeleteSkipped)', async () => {
  const name = repo();
  const img = await new Pusher(server.url, name).pushImage({ tags: ['keep', 'stale'] });
  const deny: typeof fetch = async (input, init) => {
    if (init?.method === 'PUT' || init?.method === 'POST') {
      return new Response('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}', { status: 403 });
    }
    return fetch(input, init);
  };
  const r = await openOciRegistry(`${server.host}/${name}`, { fetch: deny });
  const error = await rejection(r.deleteTag('stale'));
  assert.instance(error, DeleteSkipped);
  assert.match(error.message, 'tag stale was left in place');
  assert.match(error.message, 'DENIED');
  assert.equal(await tagsOf(r), new Map([[img.digest, ['keep', 'stale']]]));
});

test('a throw-away manifest whose delete failed is deleted by the retry, without a second push', async () => {
  const name = repo();
  const img = await new Pusher(server.url, name).pushImage({ tags: ['keep', 'stale'] });
  let failDeletes = 2;
  const flaky: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (init?.method === 'DELETE' && /manifests\/sha256:/.test(url) && !url.endsWith(ZERO) && failDeletes > 0) {
      failDeletes--;
      return new Response('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}', { status: 503 });
    }
    return fetch(input, init);
  };
  const proxy = await proxied(server);
  const r = await openOciRegistry(`${proxy.host}/${name}`, { fetch: flaky, maxAttempts: 2, sleep: async () => undefined });
  const error = await rejection(r.deleteTag('stale'));
  assert.instance(error, RegistryError);
  assert.ok((error as RegistryError).transient);
  assert.match(error.message, 'tag stale now points at the throw-away manifest');
  assert.is(await r.deleteTag('stale'), 'deleted');
  assert.is(writes(proxy).filter((q) => q.startsWith(`PUT /v2/${name}/manifests/`)).length, 1);
  assert.equal(await tagsOf(r), new Map([[img.digest, ['keep']]]));
});

test.run();
