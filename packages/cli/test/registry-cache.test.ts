/**
 * The digest cache at the CLI level, counted at the network: a counting proxy in front of the real
 * registry sorts every request by kind. A first run reads manifests and image configs (at most one
 * each per digest); a second `cleanup --dry-run` against the unchanged registry reads none of them.
 *
 * A dry run reads the cache but never writes it (cleanup-semantics.md §6: "a dry run writes nothing
 * anywhere"), so the cache is warmed by a real run on a repository where nothing is left to delete:
 * the world is cleaned once beforehand (without the proxy and with another cache folder), after which
 * a real run changes nothing in the registry and only fills the cache. The last two runs show that a
 * dry run with a cold cache reads everything and leaves the cache as cold as it found it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { countKinds, startProxy, type Proxy } from '@regsweep/test-kit/proxy';
import { Pusher } from '@regsweep/test-kit/push';
import { startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';
import { describeRun, registryTags, runCleanup, type MainRun } from './support/registry-checks.js';
import { buildProject, pushWorld, type Project, type PushedWorld } from './support/registry-world.js';

let server: RegistryServer;
let proxy: Proxy;
let root: string;
let project: Project;
let world: PushedWorld;
const NAME = 'acme/cached';
let runs = 0;

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'regsweep-cli-cache-'));
  project = buildProject(root);
  server = await startRegistry();
  proxy = await startProxy(server.url);
  world = await pushWorld(new Pusher(server.url, NAME), project);
});
test.after(async () => {
  await proxy?.close();
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

/** One run through the proxy; returns it with the requests it made, by kind. */
async function counted(cacheDir: string, args: string[] = []): Promise<{ run: MainRun; kinds: ReturnType<typeof countKinds> }> {
  const from = proxy.requests.length;
  runs += 1;
  const run = await runCleanup(`${proxy.host}/${NAME}`, { root, gitDir: project.gitDir, cacheDir, report: join(root, `report-${runs}.json`), args });
  assert.is(run.code, 0, describeRun(run));
  return { run, kinds: countKinds(proxy.requests.slice(from)) };
}

test('a second cleanup --dry-run on an unchanged registry reads no manifest and no config: the cache answers', async () => {
  // The steady state: the world cleaned once (directly, with its own cache).
  const setup = await runCleanup(`${server.host}/${NAME}`, { root, gitDir: project.gitDir, cacheDir: join(root, 'setup-cache'), report: join(root, 'setup.json') });
  assert.is(setup.code, 0, describeRun(setup));
  const tags = await registryTags(server.url, NAME);
  assert.equal(tags, world.expectKept);

  // Run 1, real, fresh cache: nothing to delete; it reads manifests and configs and fills the cache.
  const cache = join(root, 'cache');
  const first = await counted(cache);
  assert.equal(first.run.report.deleted, []);
  assert.equal(first.run.report.tagsRemoved, []);
  assert.is(first.kinds['DELETE'], 0, 'nothing to delete: not even the deletion probe');
  assert.is(first.kinds['other'], 0, 'no push, no upload');
  assert.equal(await registryTags(server.url, NAME), tags, 'the registry is unchanged');
  const listed = first.run.report.kept.length;
  assert.ok(first.kinds['manifest GET'] > 0 && first.kinds['manifest GET'] <= listed + world.digests.keptIndexChildren.length, JSON.stringify(first.kinds));
  assert.ok(first.kinds['blob GET'] > 0 && first.kinds['blob GET'] <= first.kinds['manifest GET'], JSON.stringify(first.kinds));
  assert.is(first.kinds['manifest HEAD'], tags.length, 'one HEAD per tag');

  // Run 2, a dry run with the warm cache: the listing only.
  const second = await counted(cache, ['--dry-run']);
  assert.equal(second.kinds['manifest GET'], 0, JSON.stringify(second.kinds));
  assert.equal(second.kinds['blob GET'], 0, JSON.stringify(second.kinds));
  assert.is(second.kinds['manifest HEAD'], tags.length);
  assert.is(second.kinds['tags list'], 2, 'the tag list read before and after the HEADs (they must agree)');
  assert.is(second.kinds['DELETE'] + second.kinds['other'], 0);
  assert.equal(second.run.report.kept.map((k) => k.digest), first.run.report.kept.map((k) => k.digest), 'the same plan from the cache');

  // A dry run with a cold cache reads everything, and writes nothing: the next one reads it all again.
  const cold = join(root, 'cold-cache');
  const third = await counted(cold, ['--dry-run']);
  assert.is(third.kinds['manifest GET'], first.kinds['manifest GET']);
  assert.is(third.kinds['blob GET'], first.kinds['blob GET']);
  assert.ok(!existsSync(cold) || (await readdir(cold)).length === 0, 'a dry run writes no cache record');
  const fourth = await counted(cold, ['--dry-run']);
  assert.is(fourth.kinds['manifest GET'], first.kinds['manifest GET']);
  assert.is(fourth.kinds['blob GET'], first.kinds['blob GET']);
});

test.run();
