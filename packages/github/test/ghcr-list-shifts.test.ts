/**
 * The GHCR version list is verified, not trusted: its pages are numbered, so a version deleted or
 * pushed by another tool while the pages are read shifts the later pages and one version is skipped
 * or seen twice. The list is read until two reads agree (core listing-check.ts); one that never
 * settles stops the run before anything is deleted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IncompleteInputError } from '@regsweep/core';
import { fetchRequest } from '../src/ghcr-http.js';
import { openGhcrPackage } from '../src/ghcr-registry.js';
import { Pacer } from '../src/pacer.js';
import { startFakeGitHub, type FakeGitHub } from '@regsweep/test-kit/fake-packages';

const hex = (i: number): string => `sha256:${i.toString(16).padStart(64, '0')}`;

async function withGitHub(beforeListPage: (gh: FakeGitHub, page: number) => void, body: (gh: FakeGitHub, retries: string[]) => Promise<void>): Promise<void> {
  let self: FakeGitHub | undefined;
  const gh = await startFakeGitHub({ owners: { acme: 'Organization' }, beforeListPage: (page) => self && beforeListPage(self, page) });
  self = gh;
  try {
    gh.packages.addPackage('acme', 'app', Array.from({ length: 250 }, (_, i) => ({ name: hex(i + 1), tags: i % 10 === 0 ? [`t${i}`] : [] })));
    await body(gh, []);
    assert.equal(gh.packages.schemaErrors, []);
  } finally {
    await gh.close();
  }
}

function open(gh: FakeGitHub, retries: string[]) {
  return openGhcrPackage({
    request: fetchRequest({ baseUrl: gh.url, token: 'pat' }), owner: 'acme', package: 'app', registryUrl: gh.url, token: 'pat',
    ownerType: 'Organization', pacer: new Pacer({ clock: gh.clock, concurrency: 10 }), oci: { sleep: gh.clock.sleep, now: gh.clock.ms },
    pageConcurrency: 1, onListingRetry: (why) => retries.push(why),
  });
}

test('a version deleted by another tool while page 1 is read: the shifted read is caught, the next two agree', async () => {
  let deleted = false;
  const shift = (gh: FakeGitHub, page: number): void => {
    if (page !== 2 || deleted) return;
    deleted = true;
    const versions = gh.packages.versions('acme', 'app');
    versions.splice(versions.findIndex((v) => v.name === hex(200)), 1); // on page 1 (newest first)
  };
  await withGitHub(shift, async (gh) => {
    const retries: string[] = [];
    const listed = await (await open(gh, retries)).list();
    assert.ok(deleted);
    assert.is(retries.length, 1, 'the first read disagreed with the second');
    assert.match(retries[0] ?? '', /missing from one read/);
    // The version that slid from page 2 to page 1 while it was read is there; the deleted one is not.
    const digests = new Set(listed.map((l) => l.digest));
    assert.is(listed.length, 249);
    assert.ok(digests.has(hex(150)), 'the version the shift skipped in the first read');
    assert.not.ok(digests.has(hex(200)));
  });
});

test('a tag moved between two reads is a disagreement too; a list that never settles stops the run (fail closed)', async () => {
  let turn = 0;
  const churn = (gh: FakeGitHub, page: number): void => {
    if (page !== 1) return;
    // Every read starts with the tag on another version, as a busy pusher would leave it.
    const versions = gh.packages.versions('acme', 'app');
    for (const v of versions) v.tags = v.tags.filter((t) => t !== 'moving');
    versions[turn++ % 2]?.tags.push('moving');
  };
  await withGitHub(churn, async (gh) => {
    const retries: string[] = [];
    const error = await (await open(gh, retries)).list().then(() => undefined, (e: unknown) => e);
    assert.instance(error, IncompleteInputError);
    assert.match(String((error as Error).message), /the listing changed between each of 3 reads \(tag moving at sha256:0{61}0fa… then at sha256:0{61}0f9…|tag moving at/);
    assert.match((error as IncompleteInputError).hint ?? '', /nothing was deleted/);
    assert.is(retries.length, 2);
  });
});

test.run();
