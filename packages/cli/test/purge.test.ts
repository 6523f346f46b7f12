/**
 * §6 purge: deletes every image of the repository (attachments before their subject, indexes before
 * their children: not observable in a layout, so the test checks that everything is gone), only with
 * --yes; --dry-run shows what it would delete and changes nothing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  NOW_TEXT, deletedTags, describe, layoutDigests, layoutTags, readIndexJson, readReport, removeTemps, runCli, snapshot,
  snapshotEntries, tempDir,
} from './support/cli.js';
import { buildWorld } from './support/world.js';

test.after(removeTemps);

const LISTED_DIGESTS = 23;

test('§6 purge --dry-run without --yes is allowed: reports every image, changes nothing', async () => {
  const w = await buildWorld(tempDir());
  const before = snapshot(w.layoutDir);
  const allTags = layoutTags(w.layoutDir);
  const r = runCli(['purge', '--registry', `oci:${w.layoutDir}`, '--dry-run', '--now', NOW_TEXT, '--report', 'purge.json'], w.root);
  assert.is(r.code, 0, describe(r));
  assert.equal(snapshotEntries(snapshot(w.layoutDir)), snapshotEntries(before));
  const report = readReport(join(w.root, 'purge.json'));
  assert.is(report.command, 'purge');
  assert.is(report.dryRun, true);
  assert.equal(report.kept, []);
  assert.is(report.deleted.length, LISTED_DIGESTS);
  assert.equal(deletedTags(report), allTags);
  for (const d of report.deleted) assert.is(d.status, 'would-delete');
  assert.match(r.stdout, /^regsweep purge \(dry run: nothing was changed\)/);
  assert.ok(r.stdout.includes(`kept 0, would delete ${LISTED_DIGESTS}`), r.stdout);
});

test('§6 purge --yes deletes every tag and digest, signatures and referrers included; exit 0', async () => {
  const w = await buildWorld(tempDir());
  const allTags = layoutTags(w.layoutDir);
  const allDigests = layoutDigests(w.layoutDir);
  assert.is(allDigests.length, LISTED_DIGESTS);
  const r = runCli(['purge', '--registry', `oci:${w.layoutDir}`, '--yes', '--now', NOW_TEXT, '--report', 'purge.json'], w.root);
  assert.is(r.code, 0, describe(r));
  assert.equal(readIndexJson(w.layoutDir).manifests, []);
  assert.equal(readdirSync(join(w.layoutDir, 'blobs', 'sha256')), [], 'every blob was collected');
  const report = readReport(join(w.root, 'purge.json'));
  assert.is(report.command, 'purge');
  assert.is(report.dryRun, false);
  assert.is(report.exitCode, 0);
  assert.is(report.policySource, 'none');
  assert.equal(report.kept, []);
  assert.equal(report.failed, []);
  assert.equal(report.skipped, []);
  assert.equal(deletedTags(report), allTags);
  assert.equal(report.deleted.map((d) => d.digest).sort(), allDigests);
  for (const d of report.deleted) assert.is(d.status, 'deleted', d.digest);
  assert.ok(r.stdout.includes(`kept 0, deleted ${LISTED_DIGESTS}`), r.stdout);

  // Idempotent: purging the empty repository again deletes nothing and succeeds.
  const again = runCli(['purge', '--registry', `oci:${w.layoutDir}`, '--yes', '--now', NOW_TEXT, '--report', 'again.json'], w.root);
  assert.is(again.code, 0, describe(again));
  assert.equal(readReport(join(w.root, 'again.json')).deleted, []);
});

test.run();
