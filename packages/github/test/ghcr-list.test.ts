/** GHCR listing, owner detection, errors and OCI reads against the fake GitHub (fake-packages.ts, fake-ghcr-oci.ts). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Octokit } from '@octokit/rest';
import { IncompleteInputError, InputError } from '@regsweep/core';
import { DigestCache } from '@regsweep/oci-registry';
import { fetchRequest, octokitRequest } from '../src/ghcr-http.js';
import { openGhcrPackage, type GhcrPackageOptions } from '../src/ghcr-registry.js';
import { Pacer } from '../src/pacer.js';
import { startFakeGitHub, type FakeGitHub } from '@regsweep/test-kit/fake-packages';

const hex = (i: number): string => `sha256:${i.toString(16).padStart(64, '0')}`;

async function withGitHub(options: Parameters<typeof startFakeGitHub>[0], body: (gh: FakeGitHub) => Promise<void>): Promise<void> {
  const gh = await startFakeGitHub(options);
  try {
    await body(gh);
    assert.equal(gh.packages.schemaErrors, [], 'every answer of the fake fits the OpenAPI description');
  } finally {
    await gh.close();
  }
}

function open(gh: FakeGitHub, extra: Partial<GhcrPackageOptions> = {}) {
  const token = extra.token ?? 'pat';
  return openGhcrPackage({
    request: fetchRequest({ baseUrl: gh.url, token }),
    owner: 'acme', package: 'app', registryUrl: gh.url, token,
    pacer: new Pacer({ clock: gh.clock, concurrency: 10 }),
    oci: { sleep: gh.clock.sleep, now: gh.clock.ms },
    ...extra,
  });
}

const paths = (gh: FakeGitHub): string[] => gh.packages.log.map((r) => `${r.method} ${r.url.split('?')[0]}`);

test('owner type detection: an organization, the token\'s own user, another user, a GITHUB_TOKEN', async () => {
  await withGitHub({ tokens: { pat: { login: 'octo', read: true, delete: true }, gha: { read: true, delete: true } } }, async (gh) => {
    for (const owner of ['acme', 'octo', 'other']) gh.packages.addPackage(owner, 'app', [{ name: hex(1), tags: ['v1'] }]);
    const cases: [string, string, string[]][] = [
      ['acme', 'pat', ['GET /users/acme', 'GET /orgs/acme/packages/container/app/versions']],
      ['octo', 'pat', ['GET /users/octo', 'GET /user', 'GET /user/packages/container/app/versions']],
      ['other', 'pat', ['GET /users/other', 'GET /user', 'GET /users/other/packages/container/app/versions']],
      ['octo', 'gha', ['GET /users/octo', 'GET /user', 'GET /users/octo/packages/container/app/versions']],
    ];
    for (const [owner, token, expected] of cases) {
      gh.packages.log.length = 0;
      const reg = await open(gh, { owner, token });
      const listed = await reg.list();
      assert.is(listed.length, 1);
      const versions = expected.at(-1) ?? '';
      assert.equal(paths(gh), [...expected, versions], `${owner} with ${token} (the version list read twice)`);
      assert.is(reg.name, `127.0.0.1:${new URL(gh.url).port}/${owner}/app`);
    }
    gh.packages.log.length = 0;
    const given = await open(gh, { ownerType: 'Organization' });
    await given.list();
    assert.equal(paths(gh), ['GET /orgs/acme/packages/container/app/versions', 'GET /orgs/acme/packages/container/app/versions'], 'a given owner type is not looked up');
    const missing = await open(gh, { owner: 'nobody' }).catch((e: unknown) => e);
    assert.instance(missing, InputError);
    assert.match((missing as Error).message, /no user or organization named nobody/);
  });
});

test('list: 100 a page; once the last page is known the rest are fetched in parallel', async () => {
  await withGitHub({ latencyMs: 40 }, async (gh) => {
    const created = gh.packages.addPackage('acme', 'app', Array.from({ length: 450 }, (_, i) => ({ name: hex(i + 1), tags: i % 3 === 0 ? [`t${i}`, `u${i}`] : [] })));
    const reg = await open(gh, { ownerType: 'Organization' });
    const listed = await reg.list();
    assert.is(listed.length, 450);
    const byDigest = new Map(listed.map((l) => [l.digest, l]));
    for (const v of created) {
      const l = byDigest.get(v.name);
      assert.equal(l?.tags, v.tags);
      assert.is(l?.handle, String(v.id));
      assert.is(l?.pushedAt?.toISOString().replace('.000', ''), v.created_at);
    }
    // Two reads of the list (they must agree: listing-check.ts); each fetches pages 2-5 in parallel.
    const all = gh.packages.log.filter((r) => r.route.endsWith('/versions'));
    assert.equal(all.map((p) => new URL(p.url, gh.url).searchParams.get('page')).sort(), ['1', '1', '2', '2', '3', '3', '4', '4', '5', '5']);
    const pages = all.slice(0, 5);
    assert.ok(pages.every((p) => new URL(p.url, gh.url).searchParams.get('per_page') === '100'));
    const rest = pages.filter((p) => new URL(p.url, gh.url).searchParams.get('page') !== '1');
    const firstEnd = Math.min(...rest.map((p) => p.end));
    assert.ok(rest.every((p) => p.at < firstEnd), 'pages 2-5 were all requested before any of them was answered');
    assert.is(reg.stats().requests.pages, 10);
    assert.ok(reg.capabilities.listsUntagged && !reg.capabilities.deletesTagAlone);
    assert.not.ok('checkDeletable' in reg, 'nothing to probe on GHCR');
  });
});

test('nested package names are sent encoded (a%2Fb)', async () => {
  await withGitHub({}, async (gh) => {
    gh.packages.addPackage('acme', 'team/app', [{ name: hex(7), tags: ['main'] }]);
    const reg = await open(gh, { package: 'team/app', ownerType: 'Organization' });
    assert.equal((await reg.list()).map((l) => l.tags), [['main']]);
    assert.ok(gh.packages.log.some((r) => r.url.startsWith('/orgs/acme/packages/container/team%2Fapp/versions?')));
    assert.is(reg.imageReference, `127.0.0.1:${new URL(gh.url).port}/acme/team/app`);
  });
});

test('a missing package, a wrong token and a token without read rights are input errors naming the fix', async () => {
  await withGitHub({ tokens: { pat: { login: 'octo', read: true, delete: true }, weak: { login: 'octo', read: false, delete: false } } }, async (gh) => {
    gh.packages.addPackage('acme', 'app', [{ name: hex(1) }]);
    const missing = await (await open(gh, { package: 'nope' })).list().catch((e: unknown) => e);
    assert.instance(missing, InputError);
    assert.match((missing as Error).message, /package nope of owner acme not found \(or the token cannot see it\)/);
    const wrong = await open(gh, { token: 'wrong' }).catch((e: unknown) => e);
    assert.instance(wrong, InputError);
    assert.match((wrong as Error).message, /rejected the token \(401 Bad credentials\)/);
    assert.match((wrong as InputError).hint ?? '', /GITHUB_TOKEN with `permissions: packages: write`.*Admin.*read:packages and delete:packages/);
    const weak = await (await open(gh, { token: 'weak' })).list().catch((e: unknown) => e);
    assert.instance(weak, InputError);
    assert.match((weak as Error).message, /may not do this \(403 You need at least read:packages/);
    // GitHub answers 401 on every route; the description lists it for the package routes only.
    assert.equal([...gh.packages.undocumented], ['GET /users/{username} 401']);
  });
});

test('through an Octokit (octokitRequest): the same listing and the same errors', async () => {
  await withGitHub({}, async (gh) => {
    gh.packages.addPackage('acme', 'app', Array.from({ length: 120 }, (_, i) => ({ name: hex(i + 1), tags: [`v${i}`] })));
    const octokit = new Octokit({ baseUrl: gh.url, auth: 'pat', log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
    const reg = await open(gh, { request: octokitRequest(octokit) });
    assert.is((await reg.list()).length, 120);
    const missing = await (await open(gh, { request: octokitRequest(octokit), package: 'nope' })).list().catch((e: unknown) => e);
    assert.instance(missing, InputError);
    const viaOption = await open(gh, { request: undefined, octokit });
    assert.is((await viaOption.list()).length, 120);
  });
});

test('manifests and configs through the OCI API with a Bearer token, read once through the digest cache', async () => {
  await withGitHub({}, async (gh) => {
    const digest = gh.oci.addImage('acme/app', { created: '2026-11-01T00:00:00Z', config: { Labels: { 'org.opencontainers.image.revision': 'abc' } } });
    gh.packages.addPackage('acme', 'app', [{ name: digest, tags: ['v1'] }]);
    const dir = await mkdtemp(join(tmpdir(), 'regsweep-ghcr-'));
    try {
      const cache = new DigestCache(dir);
      for (let run = 0; run < 2; run++) {
        const reg = await open(gh, { cache: { cache, readOnly: false } });
        const manifest = await reg.getManifest(digest);
        const body = manifest.body as { config: { digest: string } };
        const config = (await reg.getBlobJson(body.config.digest)) as { created: string };
        assert.is(config.created, '2026-11-01T00:00:00Z');
        const stats = reg.stats();
        if (run === 0) assert.ok(stats.requests.manifests >= 1 && stats.requests.tokens === 1 && stats.cache?.misses === 2, JSON.stringify(stats.requests));
        else assert.equal([stats.requests.manifests, stats.requests.blobs, stats.cache?.hits], [0, 0, 2]);
      }
      assert.is(gh.oci.downloads.get(digest), 1, 'one download of the manifest over two runs');
      const noCache = await open(gh);
      assert.is((await noCache.getManifest(digest)).mediaType, 'application/vnd.oci.image.manifest.v1+json');
      const bad = await open(gh, { token: 'wrong', ownerType: 'Organization' });
      const denied = await bad.getManifest(digest).catch((e: unknown) => e);
      assert.instance(denied, InputError);
      assert.match((denied as InputError).hint ?? '', /delete:packages/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test('an hourly budget that runs out while listing: the listing is incomplete (fail closed), no long wait', async () => {
  await withGitHub({ hourlyBudget: 3 }, async (gh) => {
    gh.packages.addPackage('acme', 'app', Array.from({ length: 450 }, (_, i) => ({ name: hex(i + 1) })));
    const reg = await open(gh, { ownerType: 'Organization', pageConcurrency: 1 });
    const error = await reg.list().catch((e: unknown) => e);
    assert.instance(error, IncompleteInputError);
    assert.match((error as Error).message, /listing: GitHub's hourly request budget is used up for \d+ s, longer than the 900 s regsweep waits; it resets at /);
    assert.match((error as IncompleteInputError).hint ?? '', /run again after the reset/);
    assert.is(gh.packages.log.filter((r) => r.status === 403).length, 0, 'the pacer saw remaining 0 and did not ask again');
  });
});

test.run();
