/**
 * GitLabRegistry against the fake GitLab: the `/gitlab/v1` listing (JWT, 1,000 tags a page, no
 * per-tag call), the REST fallback on a registry without the metadata database (one details call
 * per tag), manifest reads through the OCI API, and deletes tag by tag with protected tags skipped.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DeleteSkipped, InputError, type ListedImage } from '@regsweep/core';
import { openGitLabProject, type GitLabAuth } from '../src/index.js';
import { C, startWorld, TOKENS, type World } from '@regsweep/test-kit/gitlab-world';

const now = new Date('2026-12-01T12:00:00Z');
const test = suite<{ world: World }>('gitlab registry');

test.before.each(async (ctx) => {
  ctx.world = await startWorld(now);
});
test.after.each(async (ctx) => ctx.world.gitlab.close());

async function open(world: World, auth: GitLabAuth = { kind: 'token', value: TOKENS.api }) {
  const project = openGitLabProject({ serverUrl: world.gitlab.url, auth, projectId: '42', projectPath: 'acme/app', registry: world.gitlab.url });
  const [registry] = await project.repositories([]);
  if (registry === undefined) throw new Error('no repository');
  return { project, registry };
}

const count = (world: World, re: RegExp): number => world.gitlab.requestTimes.filter((r) => re.test(r.path)).length;

test('/gitlab/v1: tags grouped by digest with push time and media type; no per-tag request', async ({ world }) => {
  const { registry } = await open(world);
  const listed = await registry.list();
  const main = listed.find((i) => i.tags.includes('main'));
  assert.equal(main?.tags, [C.m4, 'main']);
  assert.is(main?.digest, world.digests['m4']);
  const index = listed.find((i) => i.digest === world.digests['l1']);
  assert.is(index?.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.ok(index?.pushedAt instanceof Date);
  assert.is(registry.stats().listing, 'gitlab-v1');
  assert.is(count(world, /\/tags\/[^/]+$/), 0, 'no tag details call');
  assert.is(registry.name, `${new URL(world.gitlab.url).host}/acme/app`);
});

test('/gitlab/v1: 2,500 tags take three pages, read twice (the two reads must agree)', async ({ world }) => {
  for (let i = 0; i < 2500; i++) world.gitlab.registry.tag('acme/app', `bulk-${String(i).padStart(4, '0')}`, world.digests['c1'] as string, now.toISOString());
  const { registry } = await open(world);
  const listed = await registry.list();
  assert.is(listed.find((i) => i.digest === world.digests['c1'])?.tags.length, 2501);
  assert.is(world.gitlab.registry.counts.v1Pages, 6);
});

test('without the metadata database (404 on /gitlab/v1): REST tags, then one details call per tag', async ({ world }) => {
  world.gitlab.registry.v1 = false;
  const logs: string[] = [];
  const project = openGitLabProject({ serverUrl: world.gitlab.url, auth: { kind: 'token', value: TOKENS.api }, projectId: '42', projectPath: 'acme/app', registry: world.gitlab.url, log: (m) => logs.push(m) });
  const [registry] = await project.repositories([]);
  const listed = (await registry?.list()) ?? [];
  const tags = listed.reduce((n, i) => n + i.tags.length, 0);
  assert.is(registry?.stats().listing, 'rest');
  assert.is(count(world, /\/registry\/repositories\/\d+\/tags\/[^/]+$/), tags, 'one details call per tag');
  assert.equal(listed.find((i) => i.tags.includes('main'))?.tags, [C.m4, 'main']);
  assert.is(listed.find((i) => i.digest === world.digests['l1'])?.pushedAt, undefined, 'an index has no created_at on REST');
  assert.match(logs.join('\n'), /no \/gitlab\/v1 tags listing/);
});

test('manifests and configs are read through the registry with a JWT', async ({ world }) => {
  const { registry } = await open(world);
  const m = await registry.getManifest(world.digests['l1'] as string);
  assert.is(m.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.ok(world.gitlab.registry.counts.jwt >= 1);
});

test('deleteImage removes every tag of the digest; an already-deleted tag counts as gone', async ({ world }) => {
  const { registry } = await open(world);
  const listed = await registry.list();
  const main = listed.find((i) => i.tags.includes('main')) as ListedImage;
  assert.is(await registry.deleteImage(main), 'deleted');
  assert.equal(world.gitlab.rest.deletes.sort(), [`acme/app:${C.m4}`, 'acme/app:main']);
  assert.is(await registry.deleteImage(main), 'gone');
});

test('a protected tag (plain 403, a rule matches it) is skipped; the other tags of the image go', async ({ world }) => {
  world.gitlab.project.protectedTags.push(/^v\d/);
  const { registry } = await open(world);
  const v1 = (await registry.list()).find((i) => i.tags.includes('v1.0')) as ListedImage;
  try {
    await registry.deleteImage(v1);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, DeleteSkipped);
    assert.match((err as Error).message, /keeps tag v1\.0 .*protected \(rule `\^v\\d`: deleting needs the maintainer role\).*other tags .* were removed/);
  }
  assert.equal(world.gitlab.rest.deletes, [`acme/app:${C.c2}`]);
});

test('a token that may not delete: the first 403 stops every later delete unsent', async ({ world }) => {
  const { registry } = await open(world, { kind: 'token', value: TOKENS.read });
  const listed = await registry.list();
  for (const image of listed.slice(0, 2)) {
    try {
      await registry.deleteImage(image);
      assert.unreachable();
    } catch (err) {
      assert.instance(err, InputError);
      assert.match((err as InputError).hint ?? '', /Developer role/);
    }
  }
  assert.is(count(world, /^\/api\/v4\/projects\/42\/registry\/repositories\/\d+\/tags\/.+/), 1, 'one refused delete, then none');
});

test('protection rules unreadable: plain 403s are skipped, three with no delete passing stop the run', async ({ world }) => {
  world.gitlab.project.rulesHidden = true;
  const { registry } = await open(world, { kind: 'token', value: TOKENS.read });
  const outcomes: string[] = [];
  for (const tag of ['main', C.c1, C.c2, C.c3]) {
    try {
      await registry.deleteTag(tag);
    } catch (err) {
      outcomes.push(err instanceof DeleteSkipped ? 'skipped' : err instanceof InputError ? 'denied' : 'other');
    }
  }
  assert.equal(outcomes, ['skipped', 'skipped', 'denied', 'denied']);
});

test('REGSWEEP_REPOSITORIES globs: relative to the project; one that matches nothing is bad input', async ({ world }) => {
  world.gitlab.addRepository('acme/app/web');
  world.gitlab.addRepository('acme/app/worker');
  const project = openGitLabProject({ serverUrl: world.gitlab.url, auth: { kind: 'job', value: TOKENS.job }, projectId: '42', projectPath: 'acme/app', registry: world.gitlab.url });
  assert.equal((await project.repositories(['w*'])).map((r) => r.name.split('/').slice(1).join('/')), ['acme/app/web', 'acme/app/worker']);
  assert.equal((await project.repositories(['acme/app'])).length, 1);
  assert.equal((await project.repositories(['.'])).map((r) => r.name.split('/').slice(1).join('/')), ['acme/app'], '. is the project\'s own image');
  try {
    await project.repositories(['web', 'api']);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, InputError);
    assert.match((err as Error).message, /matches "api"/);
  }
});

test.run();
