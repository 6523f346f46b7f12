/**
 * `regsweep cleanup` (in-process `main`) against the real registry (Debian docker-registry), with the
 * images pushed over the HTTP API and a real git repository: the plan, the real deletes, pullability
 * of every remaining tag (skopeo), deletion disabled, and htpasswd Basic auth (flags and environment).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pusher } from '@regsweep/test-kit/push';
import { bcryptHash, startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';
import { deletedTags, keptTags } from './support/cli.js';
import { describeRun, digestsOf, manifestExists, pullEveryTag, registryTags, runCleanup, type Auth, type MainRun } from './support/registry-checks.js';
import { buildProject, pushWorld, type Project, type PushedWorld } from './support/registry-world.js';
import { testSecret } from '@regsweep/test-kit/secrets';

let server: RegistryServer;
let root: string;
let project: Project;
let world: PushedWorld;
const NAME = 'acme/app';
let runs = 0;

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'regsweep-cli-registry-'));
  project = buildProject(root);
  server = await startRegistry();
  world = await pushWorld(new Pusher(server.url, NAME), project);
});
test.after(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

function cleanup(s: RegistryServer, name: string, args: string[] = [], io: Parameters<typeof runCleanup>[1]['io'] = {}): Promise<MainRun> {
  runs += 1;
  return runCleanup(`${s.host}/${name}`, { root, gitDir: project.gitDir, cacheDir: join(root, `cache-${runs}`), report: join(root, `report-${runs}.json`), args, io });
}

/** After a real cleanup: exactly the kept tags remain, the deleted digests are gone, every tag pulls. */
async function assertCleaned(s: RegistryServer, name: string, w: PushedWorld, auth?: Auth): Promise<void> {
  const remaining = await registryTags(s.url, name, auth);
  assert.equal(remaining, w.expectKept);
  for (const tag of [...w.expectDeleted, ...w.expectUntagged]) assert.not.ok(remaining.includes(tag), `${tag} is gone from the tag list`);
  for (const d of w.deletedDigests) assert.not.ok(await manifestExists(s.url, name, d, auth), `${d} was deleted`);
  for (const d of w.keptDigests) assert.ok(await manifestExists(s.url, name, d, auth), `${d} (kept) is still there`);
  await pullEveryTag(s.host, name, remaining, auth);
}

test('a dry run plans the hand-derived cleanup and changes nothing', async () => {
  const r = await cleanup(server, NAME, ['--dry-run']);
  assert.is(r.code, 0, describeRun(r));
  assert.equal(deletedTags(r.report), world.expectDeleted);
  assert.equal(keptTags(r.report), world.expectKept.concat(world.expectUntagged).sort());
  assert.equal(r.report.tagsRemoved.map((t) => t.tag), world.expectUntagged);
  assert.equal(digestsOf(r.report.deleted), world.deletedDigests, 'the deleted index takes its signature');
  assert.ok(r.report.deleted.every((d) => d.status === 'would-delete'));
  assert.equal(await registryTags(server.url, NAME), world.allTags, 'a dry run deletes nothing');
  const why = (tag: string): string[] => r.report.kept.find((k) => k.tags.includes(tag))?.reasons ?? [];
  assert.ok(why('hotfix').includes('recent'), why('hotfix').join());
  assert.ok(why('redis-7').includes('unmapped'), why('redis-7').join());
  assert.ok(why('v1.0.0').includes('git-history'), why('v1.0.0').join());
});

test('a real cleanup deletes what the plan says; every remaining tag is pullable; a rerun deletes nothing', async () => {
  const r = await cleanup(server, NAME);
  assert.is(r.code, 0, describeRun(r));
  assert.equal(r.report.failed, []);
  assert.equal(digestsOf(r.report.deleted), world.deletedDigests);
  assert.ok(r.report.deleted.every((d) => d.status === 'deleted'), JSON.stringify(r.report.deleted.map((d) => d.status)));
  assert.equal(r.report.tagsRemoved.map((t) => `${t.tag} ${t.status}`), world.expectUntagged.map((t) => `${t} removed`));
  await assertCleaned(server, NAME, world);
  // The deleted index's two platform manifests are unlisted: they wait for the garbage collector, and the run says so.
  assert.equal(r.report.notes.length, 1, JSON.stringify(r.report.notes));
  assert.match(r.report.notes[0] ?? '', /registry garbage-collect --delete-untagged .*\(2 untagged child manifest\(s\) of the deleted multi-arch indexes wait for it\)$/);
  assert.match(r.stdout, /\nnote: 127\.0\.0\.1:\d+\/[^:]+: a registry frees the layers of deleted images/);
  const again = await cleanup(server, NAME);
  assert.is(again.code, 0, describeRun(again));
  assert.equal(again.report.deleted, []);
  assert.equal(again.report.tagsRemoved, []);
  assert.equal(again.report.notes, [], 'nothing deleted: nothing to say');
  assert.equal(await registryTags(server.url, NAME), world.expectKept);
});

test('deletion disabled on the registry: a clear error, exit 1, nothing deleted', async () => {
  const off = await startRegistry({ deleteEnabled: false });
  try {
    const w = await pushWorld(new Pusher(off.url, NAME), project);
    const r = await cleanup(off, NAME);
    assert.is(r.code, 1, describeRun(r));
    assert.match(r.stderr, /deletion is disabled on this registry/);
    assert.match(r.stderr, /storage\.delete\.enabled: true/);
    assert.equal(r.report.deleted, []);
    assert.equal(r.report.tagsRemoved, []);
    assert.equal(await registryTags(off.url, NAME), w.allTags, 'nothing deleted, no tag removed');
    for (const d of [...w.deletedDigests, ...w.keptDigests]) assert.ok(await manifestExists(off.url, NAME, d), d);
    await pullEveryTag(off.host, NAME, w.allTags);
  } finally {
    await off.stop();
  }
});

test('htpasswd Basic auth: --username u --password-stdin, and REGSWEEP_REGISTRY_USERNAME / _PASSWORD', async () => {
  assert.ok((await bcryptHash('probe')) !== undefined, 'no bcrypt hasher: install apache2-utils (htpasswd)');
  const auth = { username: 'u', password: testSecret('htpasswd-password') };
  const wrongPassword = testSecret('wrong-password');
  const secured = await startRegistry({ users: { [auth.username]: auth.password } });
  try {
    // Anonymous and wrong credentials: bad input (exit 2), nothing touched, no secret in the output.
    const anonymous = await cleanup(secured, 'team/one', [], { env: {} });
    assert.is(anonymous.code, 2, describeRun(anonymous));
    assert.match(anonymous.stderr, /requires authentication/);
    const wrong = await cleanup(secured, 'team/one', ['--username', 'u', '--password-stdin'], { env: {}, readStdin: async () => `${wrongPassword}\n` });
    assert.is(wrong.code, 2, describeRun(wrong));
    assert.match(wrong.stderr, /rejected the credentials of user "u"/);
    assert.not.ok((wrong.stdout + wrong.stderr).includes(wrongPassword));

    const one = await pushWorld(new Pusher(secured.url, 'team/one', auth), project);
    const viaStdin = await cleanup(secured, 'team/one', ['--username', 'u', '--password-stdin'], { env: {}, readStdin: async () => `${auth.password}\n` });
    assert.is(viaStdin.code, 0, describeRun(viaStdin));
    assert.equal(digestsOf(viaStdin.report.deleted), one.deletedDigests);
    assert.match(viaStdin.stderr, /using credentials of u from/);
    assert.not.ok((viaStdin.stdout + viaStdin.stderr).includes(auth.password));
    await assertCleaned(secured, 'team/one', one, auth);

    const two = await pushWorld(new Pusher(secured.url, 'team/two', auth), project);
    const env = { REGSWEEP_REGISTRY_USERNAME: auth.username, REGSWEEP_REGISTRY_PASSWORD: auth.password };
    const viaEnv = await cleanup(secured, 'team/two', [], { env });
    assert.is(viaEnv.code, 0, describeRun(viaEnv));
    assert.equal(digestsOf(viaEnv.report.deleted), two.deletedDigests);
    assert.match(viaEnv.stderr, /using credentials of u from REGSWEEP_REGISTRY_USERNAME/);
    assert.not.ok((viaEnv.stdout + viaEnv.stderr).includes(auth.password));
    await assertCleaned(secured, 'team/two', two, auth);
  } finally {
    await secured.stop();
  }
});

test.run();
