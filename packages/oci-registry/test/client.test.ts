/** Auth, retries and refusals, against the real registry (directly or behind a small node:http proxy). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError, RegistryError } from '@regsweep/core';
import { OciRegistryClient, openOciRegistry, type OciRegistryClientOptions } from '../src/index.js';
import { Pusher } from '@regsweep/test-kit/push';
import { startProxy } from '@regsweep/test-kit/proxy';
import { sendJson, startFakeServer } from '@regsweep/test-kit/server';
import { bcryptHash, startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';

const servers: RegistryServer[] = [];
test.after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function registry(options: Parameters<typeof startRegistry>[0] = {}): Promise<RegistryServer> {
  const s = await startRegistry(options);
  servers.push(s);
  return s;
}

let shared: RegistryServer | undefined;
const plain = async (): Promise<RegistryServer> => (shared ??= await registry());

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection');
}

/** A fake clock: sleeps return at once and are recorded. */
function fakeTime(start = Date.parse('2026-01-01T00:00:00Z')): { sleeps: number[]; options: Pick<OciRegistryClientOptions, 'sleep' | 'now'>; advance(ms: number): void } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    advance: (ms) => void (now += ms),
    options: { now: () => now, sleep: async (ms) => void sleeps.push(ms) },
  };
}

test('a registry with deletion disabled gives a clear, non-transient error', async () => {
  const s = await registry({ deleteEnabled: false });
  const img = await new Pusher(s.url, 'app').pushImage({ tags: ['v1'] });
  const r = await openOciRegistry(`${s.host}/app`);
  const error = await rejection(r.deleteImage({ digest: img.digest, tags: ['v1'] }));
  assert.instance(error, RegistryError);
  assert.is((error as RegistryError).transient, false);
  assert.is((error as RegistryError).status, 405);
  assert.match(error.message, `${s.host}/app: deletion is disabled on this registry`);
  assert.match(error.message, 'REGISTRY_STORAGE_DELETE_ENABLED=true');
  assert.match(error.message, 'storage.delete.enabled');
  assert.is((await r.list()).length, 1);
});

test('Basic auth with htpasswd: right password works, wrong or missing ones are clear InputErrors', async () => {
  // htpasswd comes with apache2-utils, which `npm run test:all` installs; without a hasher this fails.
  assert.ok((await bcryptHash('probe')) !== undefined, 'no bcrypt hasher: install apache2-utils (htpasswd)');
  const password = 's3cret-pa55';
  const s = await registry({ users: { alice: password } });
  const img = await new Pusher(s.url, 'team/app', { username: 'alice', password }).pushImage({ tags: ['v1', 'v2'] });
  const ref = `${s.host}/team/app`;
  const r = await openOciRegistry(ref, { credentials: { username: 'alice', password } });
  assert.equal(await r.list(), [{ digest: img.digest, tags: ['v1', 'v2'], mediaType: img.mediaType, size: img.size }]);
  assert.is(await r.deleteImage({ digest: img.digest, tags: [] }), 'deleted');

  const wrong = await rejection(openOciRegistry(ref, { credentials: { username: 'alice', password: 'hunter2-wrong' } }));
  assert.instance(wrong, InputError);
  assert.match(wrong.message, `registry ${ref} rejected the credentials of user "alice"`);
  assert.match(wrong.message, '401');
  assert.match((wrong as InputError).hint ?? '', '--username');
  assert.not.match(`${wrong.message} ${(wrong as InputError).hint ?? ''}`, 'hunter2');

  const none = await rejection(openOciRegistry(ref));
  assert.instance(none, InputError);
  assert.match(none.message, `registry ${ref} requires authentication`);
});

test('Bearer token flow: token per scope from the realm with Basic creds, cached, renewed on expiry', async () => {
  const s = await plain();
  const p = new Pusher(s.url, 'tok/app');
  const a = await p.pushImage({ tags: ['a1', 'a2'], revision: '2'.repeat(40) });
  const b = await p.pushImage({ tags: ['b1'], revision: '3'.repeat(40) });
  const proxy = await startProxy(s.url, { bearer: { username: 'ci', password: 'tok-secret', expiresIn: 60 } });
  try {
    const time = fakeTime();
    const r = await openOciRegistry(`${proxy.host}/tok/app`, { credentials: { username: 'ci', password: 'tok-secret' }, ...time.options });
    assert.is((await r.list()).length, 2);
    await r.getManifest(a.digest);
    assert.is(await r.deleteImage({ digest: b.digest, tags: ['b1'] }), 'deleted');
    const tokenRequests = (): string[] => proxy.requests.filter((q) => q.includes('/token?'));
    assert.equal(tokenRequests().map((q) => new URL(q.split(' ')[1] ?? '', proxy.url).searchParams.get('scope')), [
      'repository:tok/app:pull',
      'repository:tok/app:delete',
    ]);
    time.advance(61_000);
    await r.getManifest(a.digest);
    assert.is(tokenRequests().length, 3);
    const bad = await rejection(openOciRegistry(`${proxy.host}/tok/app`, { credentials: { username: 'ci', password: 'nope-nope' } }));
    assert.instance(bad, InputError);
    assert.not.match(bad.message, 'nope-nope');
  } finally {
    await proxy.close();
  }
});

test('retries 503s with backoff, honouring Retry-After seconds and HTTP dates', async () => {
  const s = await plain();
  const img = await new Pusher(s.url, 'retry/app').pushImage({ tags: ['v1'] });
  for (const [retryAfter, expected] of [[undefined, [500, 1000, 2000]], ['7', [7000, 7000, 7000]], ['Thu, 01 Jan 2026 00:00:30 GMT', [30_000, 30_000, 30_000]]] as const) {
    const proxy = await startProxy(s.url, { failFirst: 3, ...(retryAfter ? { retryAfter } : {}) });
    try {
      const time = fakeTime();
      const client = new OciRegistryClient(`${proxy.host}/retry/app`, time.options);
      assert.equal(await client.listTags(), ['v1']);
      assert.equal(time.sleeps, [...expected], String(retryAfter));
      assert.is((await client.headManifest('v1'))?.digest, img.digest);
    } finally {
      await proxy.close();
    }
  }
});

test('gives up after maxAttempts with a transient error; too long a Retry-After is not waited', async () => {
  const s = await plain();
  const proxy = await startProxy(s.url, { failFirst: 100 });
  try {
    const time = fakeTime();
    const client = new OciRegistryClient(`${proxy.host}/retry/app`, { ...time.options, maxAttempts: 3 });
    const error = await rejection(client.listTags());
    assert.instance(error, RegistryError);
    assert.ok((error as RegistryError).transient);
    assert.is((error as RegistryError).status, 503);
    assert.match(error.message, 'after 3 attempts');
    assert.is(time.sleeps.length, 2);
  } finally {
    await proxy.close();
  }
  const slow = await startProxy(s.url, { failFirst: 100, failStatus: 429, retryAfter: '3600' });
  try {
    const time = fakeTime();
    const error = await rejection(new OciRegistryClient(`${slow.host}/retry/app`, time.options).listTags());
    assert.match(error.message, 'asks to wait 3600 s');
    assert.equal(time.sleeps, []);
  } finally {
    await slow.close();
  }
});

test('a 429 holds every request of the registry until its Retry-After, not only the one it answered', async () => {
  // A registry that answers its second request 429 + Retry-After: 5, everything else 200.
  let seen = 0;
  const server = await startFakeServer([(req, _body, res) => {
    seen += 1;
    if (seen === 2) return sendJson(res, 429, { errors: [{ code: 'TOOMANYREQUESTS' }] }, { 'retry-after': '5' });
    return sendJson(res, 200, req.url?.endsWith('/tags/list') ? { name: 'app', tags: ['v1'] } : {});
  }]);
  try {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const sleeps: number[] = [];
    let other: Promise<unknown> | undefined;
    const client = new OciRegistryClient(`${new URL(server.url).host}/app`, {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        // A second request starts while the first waits out its 429: it must wait too, unsent.
        other ??= client.listTags();
        await new Promise((resolve) => setTimeout(resolve, 5));
        now += ms;
      },
    });
    await client.listTags(); // settles how to authenticate (no auth)
    await client.listTags(); // 429, waits 5 s, retries
    await other;
    assert.equal(sleeps, [5000, 5000]);
    assert.is(seen, 4, 'the other request was sent once, after the hold');
  } finally {
    await server.close();
  }
});

test('connection failures are retried, then reported as transient naming the registry', async () => {
  const time = fakeTime();
  const client = new OciRegistryClient('127.0.0.1:9/app', { ...time.options, maxAttempts: 2 });
  const error = await rejection(client.ping());
  assert.instance(error, RegistryError);
  assert.ok((error as RegistryError).transient);
  assert.match(error.message, '127.0.0.1:9/app: check the API (/v2/): cannot reach http://127.0.0.1:9 after 2 attempts');
  assert.equal(time.sleeps, [500]);
});

test('references: https by default, http for localhost or --plain-http; bad references are InputErrors', () => {
  assert.is(new OciRegistryClient('registry.example.com/team/app').baseUrl, 'https://registry.example.com');
  assert.is(new OciRegistryClient('registry.example.com:5000/app', { plainHttp: true }).baseUrl, 'http://registry.example.com:5000');
  assert.is(new OciRegistryClient('localhost:5000/app').baseUrl, 'http://localhost:5000');
  for (const bad of ['app', 'Registry.example.com/Team/App', 'host/app:tag', 'host:port/app']) {
    assert.throws(() => new OciRegistryClient(bad), (e: unknown) => e instanceof InputError, bad);
  }
});

test.run();
