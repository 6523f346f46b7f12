/** GHCR deletes through core's executor against the fake GitHub: refusals, permissions, rate limits, budgets. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError, type DeletionItem, type ListedImage } from '@regsweep/core';
import { executeDeletions, type ItemResult } from '@regsweep/core/internal';
import { fetchRequest } from '../src/ghcr-http.js';
import { createOctokit } from '../src/octokit.js';
import { openGhcrPackage, type GhcrPackageOptions, type GhcrRegistry } from '../src/ghcr-registry.js';
import { Pacer, type PacerOptions } from '../src/pacer.js';
import { startFakeGitHub, type FakeGitHub } from '@regsweep/test-kit/fake-packages';

const hex = (i: number): string => `sha256:${i.toString(16).padStart(64, '0')}`;
const item = (listed: ListedImage): DeletionItem => ({ digest: listed.digest, tags: listed.tags, kind: 'image', listed, why: 'test', decision: { cause: 'purge', rule: 'purge' }, after: [] });
const count = (results: ItemResult[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of results) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
};

async function withGitHub(options: Parameters<typeof startFakeGitHub>[0], body: (gh: FakeGitHub) => Promise<void>): Promise<void> {
  const gh = await startFakeGitHub(options);
  try {
    await body(gh);
    assert.equal(gh.packages.schemaErrors, [], 'every answer of the fake fits the OpenAPI description');
  } finally {
    await gh.close();
  }
}

/** Records when the registry reported each rate-limit answer to the pacer, and every request it let through. */
class RecordingPacer extends Pacer {
  readonly limitedAt: number[] = [];
  readonly sentAt: number[] = [];
  constructor(options: PacerOptions) {
    super({ ...options, onSend: (e) => this.sentAt.push(e.at) });
  }
  override limited(headers: Parameters<Pacer['limited']>[0]): ReturnType<Pacer['limited']> {
    this.limitedAt.push(this.nowMs());
    return super.limited(headers);
  }
}

function open(gh: FakeGitHub, extra: Partial<GhcrPackageOptions> = {}, pacer: PacerOptions | Pacer = {}): Promise<GhcrRegistry> {
  const token = extra.token ?? 'pat';
  return openGhcrPackage({
    request: fetchRequest({ baseUrl: gh.url, token }),
    owner: 'acme', package: 'app', registryUrl: gh.url, token, backoffMs: 100,
    pacer: pacer instanceof Pacer ? pacer : new Pacer({ clock: gh.clock, concurrency: 8, ...pacer }),
    ...extra,
  });
}

const deletes = (gh: FakeGitHub) => gh.packages.log.filter((r) => r.method === 'DELETE');

test('delete: 204 deleted; 404 gone once GitHub confirms the version is absent', async () => {
  await withGitHub({}, async (gh) => {
    gh.packages.addPackage('acme', 'app', [{ name: hex(1), tags: ['keep'] }, { name: hex(2) }, { name: hex(3) }]);
    const reg = await open(gh);
    const listed = await reg.list();
    const a = listed.find((l) => l.digest === hex(2));
    const b = listed.find((l) => l.digest === hex(3));
    assert.is(await reg.deleteImage(a as ListedImage), 'deleted');
    gh.packages.versions('acme', 'app').splice(gh.packages.versions('acme', 'app').findIndex((v) => v.name === b?.digest), 1);
    assert.is(await reg.deleteImage(b as ListedImage), 'gone');
    assert.is(await reg.deleteImage({ digest: a?.digest ?? '', tags: [] }), 'gone', 'the id is found by digest from the listing');
    assert.equal(gh.packages.versions('acme', 'app').map((v) => v.tags), [['keep']]);
    assert.equal(reg.stats().requests.deletes, 3);
    assert.equal(reg.stats().requests.checks, 2);
  });
});

test('400 refusals (last tagged version, > 5000 downloads) are reported as skipped, with GHCR\'s words', async () => {
  await withGitHub({}, async (gh) => {
    gh.packages.addPackage('acme', 'app', [{ name: hex(1), tags: ['only'] }, { name: hex(2), downloads: 9000 }, { name: hex(3) }]);
    const reg = await open(gh);
    const listed = await reg.list();
    const results = await executeDeletions(reg, listed.map(item), { clock: gh.clock, concurrency: 2, backoffMs: 10 });
    const by = (d: string) => results.find((r) => r.item.digest === d);
    assert.equal([by(hex(1))?.status, by(hex(2))?.status, by(hex(3))?.status], ['skipped', 'skipped', 'deleted']);
    assert.match(by(hex(1))?.message ?? '', /GHCR refuses to delete .* tags only\): You cannot delete the last tagged version of a package/);
    assert.match(by(hex(2))?.message ?? '', /more than 5000 downloads cannot be deleted/);
    assert.ok(results.every((r) => r.attempts === 1));
    assert.equal([...gh.packages.undocumented], ['DELETE /orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id} 400']);
  });
});

test('a token that may not delete: an InputError naming the token choices, and only one request for it', async () => {
  await withGitHub({ tokens: { ro: { login: 'octo', read: true, delete: false }, hidden: { login: 'octo', read: true, delete: false, hideOnDenied: true } } }, async (gh) => {
    gh.packages.addPackage('acme', 'app', Array.from({ length: 10 }, (_, i) => ({ name: hex(i + 1) })));
    for (const token of ['ro', 'hidden']) {
      gh.packages.log.length = 0;
      const reg = await open(gh, { token });
      const results = await executeDeletions(reg, (await reg.list()).map(item), { clock: gh.clock, concurrency: 1, backoffMs: 10 });
      assert.equal(count(results), { failed: 10 }, token);
      assert.match(results[0]?.message ?? '', token === 'ro' ? /may not do this \(403 Permission denied/ : /answered 404 to deleting version .* which the token can read/);
      assert.ok(results.every((r) => r.attempts === 1), 'an input error is not retried');
      assert.is(deletes(gh).length, 1, `${token}: one DELETE, then every other fails unsent`);
      const error = await reg.deleteImage({ digest: hex(1), tags: [] }).catch((e: unknown) => e);
      assert.instance(error, InputError);
      assert.match((error as InputError).hint ?? '', /permissions: packages: write.*Admin.*classic personal access token with the read:packages and delete:packages/);
    }
    assert.is(gh.packages.versions('acme', 'app').length, 10);
  });
});

test('rate-limit storm: 403 + retry-after pauses every request until the time GitHub named, then all finish', async () => {
  await withGitHub({ latencyMs: 2 }, async (gh) => {
    gh.packages.addPackage('acme', 'app', Array.from({ length: 40 }, (_, i) => ({ name: hex(i + 1) })));
    const pacer = new RecordingPacer({ clock: gh.clock, concurrency: 8 });
    const reg = await open(gh, {}, pacer);
    const listed = await reg.list();
    const stormEnd = gh.clock.ms() + 30_000;
    gh.packages.storm(stormEnd);
    const results = await executeDeletions(reg, listed.map(item), { clock: gh.clock, concurrency: 8, backoffMs: 10 });
    assert.equal(count(results), { deleted: 40 });
    // At GitHub: only the requests already in flight arrived during the storm, and each was refused once.
    const during = gh.packages.log.filter((r) => r.method === 'DELETE' && r.at < stormEnd);
    const inFlight = pacer.stats().maxWritesInFlight;
    // How many that is depends on the latency this machine gives the scaled clock (pacer-storm.test.ts
    // checks the rule itself on a virtual clock); the guarantee is that only those meet the storm.
    assert.ok(during.length >= 1 && during.length <= inFlight, `${during.length} DELETEs arrived during the storm, ${inFlight} in flight at most`);
    assert.ok(during.every((r) => r.rateLimited && r.status === 403));
    assert.is(new Set(during.map((r) => r.url)).size, during.length, 'no request was repeated during the storm');
    assert.is(reg.stats().rateLimited, during.length);
    // At the client: from the first 403 on, nothing was let through before the time GitHub named.
    const firstLimited = Math.min(...pacer.limitedAt);
    const early = pacer.sentAt.filter((t) => t >= firstLimited && t < stormEnd);
    assert.equal(early.map((t) => `sent ${stormEnd - t} ms before the pause ended`), [], 'no request was sent during the pause');
    assert.ok(gh.packages.log.filter((r) => r.method === 'DELETE' && r.status === 204).every((r) => r.at >= stormEnd));
  });
});

test('a storm that outlasts its retry-after: nothing inside any retry-after, one probe per retry, then all finish', async () => {
  await withGitHub({ latencyMs: 2 }, async (gh) => {
    gh.packages.addPackage('acme', 'app', Array.from({ length: 30 }, (_, i) => ({ name: hex(i + 1) })));
    const pacer = new RecordingPacer({ clock: gh.clock, concurrency: 8 });
    const reg = await open(gh, { attempts: 10 }, pacer);
    const listed = await reg.list();
    const stormEnd = gh.clock.ms() + 35_000;
    gh.packages.storm(stormEnd, 10);
    const results = await executeDeletions(reg, listed.map(item), { clock: gh.clock, concurrency: 8, backoffMs: 10 });
    assert.equal(count(results), { deleted: 30 });
    for (const at of pacer.limitedAt) {
      const early = pacer.sentAt.filter((t) => t >= at && t < at + 10_000);
      assert.equal(early.map((t) => `sent ${t - at} ms after a 403 with retry-after: 10`), []);
    }
    const refused = gh.packages.log.filter((r) => r.rateLimited);
    const firstBatch = refused.filter((r) => r.at < refused[0]!.end);
    const later = refused.length - firstBatch.length;
    assert.ok(firstBatch.length <= pacer.stats().maxWritesInFlight, `${firstBatch.length} refused in the first batch`);
    assert.ok(later >= 2 && later <= 4 && later <= pacer.stats().probes, `${later} refused after it, ${pacer.stats().probes} probes`);
  });
});

test('sustained deletes stay inside GitHub\'s secondary limits: no 403 at 180 a minute with 20 in flight', async () => {
  // Real timers overshoot by about a millisecond: a slower clock keeps that small against 334 ms spacing.
  await withGitHub({ speed: 20, maxConcurrent: 20 }, async (gh) => {
    gh.packages.addPackage('acme', 'app', Array.from({ length: 250 }, (_, i) => ({ name: hex(i + 1) })));
    // The window margin absorbs arrival jitter. Client and fake share one event loop here, on a loaded
    // machine, and the clock runs 20 times fast: a 250 ms stall is 5 s of fake time. A margin of 10 s
    // instead of 250 ms.
    const reg = await open(gh, {}, { concurrency: 20, marginMs: 10_000 });
    const listed = await reg.list();
    const t0 = gh.clock.ms();
    const results = await executeDeletions(reg, listed.map(item), { clock: gh.clock, concurrency: 20 });
    const minutes = (gh.clock.ms() - t0) / 60_000;
    assert.equal(count(results), { deleted: 250 });
    assert.equal(gh.packages.log.filter((r) => r.status !== 200 && r.status !== 204).map((r) => `${r.status} ${r.limit ?? ''} at +${r.at - t0} ms`), []);
    // 180 by 53 s (a burst of 20, then 3 a second), 20 more when the window frees at 70 s, the last 50
    // at 2.6 a second: ≈ 1.5 min. One a second (the throttling plugin's default) would take 4.2 min.
    assert.ok(minutes < 1.75, `250 deletes took ${minutes.toFixed(2)} min (≈ 1.5 expected)`);
    assert.ok(minutes > 1, `250 deletes took ${minutes.toFixed(2)} min: faster than GitHub allows`);
  });
});

test('hourly budget: deletes stop while the reserve is left, the rest is not attempted, and the next run finishes', async () => {
  await withGitHub({ hourlyBudget: 40 }, async (gh) => {
    gh.packages.addPackage('acme', 'app', Array.from({ length: 50 }, (_, i) => ({ name: hex(i + 1) })));
    const reg = await open(gh, {}, { reserve: 10, concurrency: 1 });
    const listed = await reg.list();
    const results = await executeDeletions(reg, listed.map(item), { clock: gh.clock, concurrency: 4 });
    // Owner lookup + one page read twice (the reads must agree) = 3 requests; 37 left; deletes stop with 10 in reserve.
    assert.equal(count(results), { deleted: 27, 'not-attempted': 23 });
    assert.match(results.find((r) => r.status === 'not-attempted')?.message ?? '', /hourly request budget is down to 10 \(keeping a reserve of 10\); it resets at .*: deletions stop here and the next run continues/);
    assert.is(gh.packages.remaining('pat'), 10);
    assert.equal(gh.packages.log.filter((r) => r.status === 403), [], 'GitHub never had to refuse anything');
    assert.is(deletes(gh).length, 27);
    gh.packages.resetBudgets();
    const next = await open(gh, {}, { reserve: 10 });
    const rest = await next.list();
    assert.is(rest.length, 23);
    assert.equal(count(await executeDeletions(next, rest.map(item), { clock: gh.clock, concurrency: 4 })), { deleted: 23 });
    assert.is(gh.packages.versions('acme', 'app').length, 0);
  });
});

test('a budget spent by someone else: the first 403 with x-ratelimit-remaining: 0 stops the run cleanly', async () => {
  await withGitHub({ primaryStatus: 429 }, async (gh) => {
    gh.packages.addPackage('acme', 'app', Array.from({ length: 20 }, (_, i) => ({ name: hex(i + 1) })));
    const reg = await open(gh, {}, { concurrency: 4 });
    const listed = await reg.list();
    gh.packages.exhaust('pat');
    const results = await executeDeletions(reg, listed.map(item), { clock: gh.clock, concurrency: 4 });
    assert.equal(count(results), { 'not-attempted': 20 });
    assert.ok(deletes(gh).length >= 1 && deletes(gh).length <= 4, `${deletes(gh).length} DELETEs after the budget ran out`);
    assert.is(reg.stats().rateLimited, deletes(gh).length);
    assert.match(results[0]?.message ?? '', /hourly request budget is down to 0/);
  });
});

test('through the shared Octokit (createOctokit) with its own pacing and rate-limit retries off, the pacer decides', async () => {
  await withGitHub({}, async (gh) => {
    gh.packages.addPackage('acme', 'app', Array.from({ length: 6 }, (_, i) => ({ name: hex(i + 1) })));
    const octokit = createOctokit({ token: 'pat', baseUrl: gh.url, writeSpacingMs: 0, maxRateLimitRetries: 0 });
    const reg = await open(gh, { request: undefined, octokit });
    const listed = await reg.list();
    const stormEnd = gh.clock.ms() + 20_000;
    gh.packages.storm(stormEnd);
    const results = await executeDeletions(reg, listed.map(item), { clock: gh.clock, concurrency: 2 });
    assert.equal(count(results), { deleted: 6 });
    assert.ok(reg.stats().rateLimited >= 1 && reg.stats().rateLimited <= 2);
    assert.ok(deletes(gh).filter((r) => r.status === 204).every((r) => r.at >= stormEnd));
  });
});

test.run();
