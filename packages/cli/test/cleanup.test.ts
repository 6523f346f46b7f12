/**
 * `regsweep cleanup` end to end, as a real process, on a real git repository and a real OCI layout
 * (support/world.ts), with the default policy. One real run is made before the tests; each test pins
 * one rule of cleanup-semantics.md against its report and the layout it left behind.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '@regsweep/core';
import {
  NOW_TEXT, deletedTags, describe, keptEntry, keptTags, layoutDigests, layoutTags, readReport, removeTemps, runCli,
  skopeoCopy, snapshot, snapshotEntries, tempDir, type CliResult,
} from './support/cli.js';
import { buildWorld, sha7, type World } from './support/world.js';

const cleanupArgs = (w: World, ...extra: string[]): string[] =>
  ['cleanup', '--registry', `oci:${w.layoutDir}`, '--git', w.gitDir, '--now', NOW_TEXT, '--without-kube', ...extra];

let world: World;
let first: CliResult;
let report: Report;

test.before(async () => {
  world = await buildWorld(tempDir());
  first = runCli(cleanupArgs(world, '--report', 'report.json'), world.root);
  report = readReport(join(world.root, 'report.json'));
});
test.after(removeTemps);

const details = (tag: string): string => keptEntry(report, tag).details.map((d) => `${d.reason}: ${d.detail}`).join('\n');

test('§6 real cleanup exits 0 and reports exactly the kept and deleted tags', () => {
  assert.is(first.code, 0, describe(first));
  assert.is(report.exitCode, 0);
  assert.is(report.dryRun, false);
  assert.is(report.command, 'cleanup');
  assert.is(report.policySource, 'default');
  assert.is(report.now, new Date(NOW_TEXT).toISOString());
  assert.equal(report.failed, []);
  assert.equal(report.skipped, []);
  assert.is(report.error, undefined);
  assert.equal(keptTags(report), world.expectKept);
  assert.equal(deletedTags(report), world.expectDeleted);
  for (const d of report.deleted) assert.is(d.status, 'deleted', `${d.digest} ${d.tags.join(',')}`);
  assert.equal(report.deleted.filter((d) => d.tags.length === 0).map((d) => d.digest).sort(), world.expectDeletedUntagged);
  assert.is(report.repositories.length, 1);
  const repo = report.repositories[0];
  assert.is(repo?.repository, `oci:${world.layoutDir}`);
  assert.is(repo?.kept, 17);
  assert.is(repo?.deleted, 6);
  assert.equal(repo?.keptByReason, { 'git-history': 14, unmapped: 1, closure: 2 });
});

test("§4 deleted branch: its images go, main's stay", () => {
  const old = report.deleted.find((d) => d.tags.includes('feature-old'));
  assert.ok(old, 'feature-old is deleted');
  assert.equal(old.tags.sort(), [...world.tags.oldBranch].sort());
  assert.match(old.why, /branch feature-old no longer exists/);
  assert.is(old.decision.cause, 'git-history');
  assert.equal(old.decision.goneBranches, ['feature-old']);
  assert.is(old.decision.rule, 'default keepPolicies');
  for (const tag of world.tags.main.slice(3)) assert.ok(keptEntry(report, tag).reasons.includes('git-history'), tag);
  assert.match(details(world.tags.main[9] as string), /branch main/);
});

test('§4.5 main keeps its 10 newest image groups: m0 and m2 go', () => {
  const mainTags = new Set(world.tags.main);
  const gone = report.deleted.flatMap((d) => d.tags).filter((t) => mainTags.has(t)).sort();
  assert.equal(gone, [sha7(world.main[0] as string), sha7(world.main[2] as string)].sort());
  assert.is(world.tags.main.length - gone.length, 8);
});

test('§4.4 merged branch: its images are kept through the merge (walk over all parents)', () => {
  assert.not.ok(world.git.hasBranch('feature/login'), 'the merged branch no longer exists');
  for (const tag of world.tags.merged) {
    assert.equal(keptEntry(report, tag).reasons, ['git-history'], tag);
    assert.match(details(tag), /image group of branch main; default keepPolicies\[2\] keeps 10 \(commit [0-9a-f]{7} of /);
    const group = keptEntry(report, tag).details[0]?.group;
    assert.is(group?.policy.index, 2);
    assert.ok(group !== undefined && group.rank >= 1 && group.rank <= 10, `rank ${group?.rank}`);
  }
});

test("§4.3 annotated tag: its image stays, and so does the other image of its commit", () => {
  assert.equal(keptEntry(report, 'v1.0.0').reasons, ['git-history']);
  assert.match(details('v1.0.0'), /tag v1\.0\.0/);
  assert.is(keptEntry(report, 'v1.0.0').commits?.ids[0], world.main[1]);
  assert.match(details(sha7(world.main[1] as string)), /tag v1\.0\.0/);
});

test('§4.3 live feature branch keeps its last 2 images within 168h', () => {
  for (const tag of world.tags.wip) assert.match(details(tag), /(1st|2nd) image group of branch feature\/wip; default keepPolicies\[1\] keeps 2 within 168h/);
});

test('§5 closure: the signed multi-arch index stays with its signature and referrer', () => {
  const index = keptEntry(report, 'main');
  assert.is(index.digest, world.digests.index);
  assert.equal(index.tags.sort(), [...world.tags.index].sort());
  assert.is(index.kind, 'index');
  assert.equal(index.reasons, ['git-history']);
  assert.equal(keptEntry(report, world.tags.indexSig).reasons, ['closure']);
  const referrer = keptEntry(report, world.digests.indexReferrer);
  assert.equal(referrer.tags, []);
  assert.equal(referrer.reasons, ['closure']);
});

test('§5 attachments of a deleted image go with it', () => {
  const sig = report.deleted.find((d) => d.tags.includes(world.tags.oldSig));
  assert.ok(sig);
  assert.match(sig.why, new RegExp(`attachment of ${world.digests.old}`));
  const referrer = report.deleted.find((d) => d.digest === world.digests.oldReferrer);
  assert.ok(referrer);
  assert.match(referrer.why, /attachment of/);
});

test('§5 untagged re-push leftover goes; an unmapped third-party image stays', () => {
  const leftover = report.deleted.find((d) => d.digest === world.digests.leftover);
  assert.ok(leftover, 'the leftover is deleted');
  assert.equal(leftover.tags, []);
  assert.match(leftover.why, /untagged/);
  assert.equal(keptEntry(report, world.tags.thirdParty).reasons, ['unmapped']);
  // The tag the leftover lost points at the second build, which stays.
  assert.is(keptEntry(report, sha7(world.main[9] as string)).digest, world.digests.m9);
});

test('§6 the layout holds exactly the kept tags afterwards; deleted tags and digests are gone', () => {
  assert.equal(layoutTags(world.layoutDir), world.expectKept);
  const tags = new Set(layoutTags(world.layoutDir));
  for (const tag of world.expectDeleted) assert.not.ok(tags.has(tag), `${tag} is still in index.json`);
  const digests = layoutDigests(world.layoutDir);
  for (const d of report.deleted) assert.not.ok(digests.includes(d.digest), `${d.digest} is still in index.json`);
  for (const k of report.kept) assert.ok(digests.includes(k.digest), `${k.digest} is missing from index.json`);
});

test('§6 after a real run every kept tag is still fully pullable (skopeo copy --all)', () => {
  const copy = join(tempDir('regsweep-copy-'), 'copy');
  const tags = layoutTags(world.layoutDir);
  assert.is(tags.length, world.expectKept.length);
  for (const tag of tags) skopeoCopy(world.layoutDir, copy, tag);
  assert.equal(layoutTags(copy), tags);
});

test('summary on stdout: kept counts by reason and the deleted count', () => {
  assert.match(first.stdout, /^regsweep cleanup\n/);
  assert.ok(first.stdout.includes(`oci:${world.layoutDir}: kept 17 (git-history 14, unmapped 1, closure 2), deleted 6`), first.stdout);
  assert.match(first.stdout, /^Deleted 6 image\(s\)/m);
  assert.match(first.stdout, /feature-old/);
  assert.not.match(first.stdout, /dry run/);
});

test('§6 idempotent: a second real run deletes nothing more and exits 0', () => {
  const before = snapshot(world.layoutDir);
  const second = runCli(cleanupArgs(world, '--report', 'second.json'), world.root);
  assert.is(second.code, 0, describe(second));
  const again = readReport(join(world.root, 'second.json'));
  assert.equal(again.deleted, []);
  assert.equal(again.failed, []);
  assert.is(again.exitCode, 0);
  assert.equal(keptTags(again), world.expectKept);
  assert.equal(snapshotEntries(snapshot(world.layoutDir)), snapshotEntries(before));
  assert.ok(second.stdout.includes('kept 17 (git-history 14, unmapped 1, closure 2), deleted 0'), second.stdout);
});

test('§6 dry run writes nothing: layout files identical, report says would-delete', async () => {
  const w = await buildWorld(tempDir());
  const before = snapshot(w.layoutDir);
  const gitBefore = snapshot(w.gitDir);
  const r = runCli(cleanupArgs(w, '--dry-run', '--report', 'dry.json'), w.root);
  assert.is(r.code, 0, describe(r));
  assert.equal(snapshotEntries(snapshot(w.layoutDir)), snapshotEntries(before));
  assert.equal(snapshotEntries(snapshot(w.gitDir)), snapshotEntries(gitBefore), 'the git repository changed');
  const dry = readReport(join(w.root, 'dry.json'));
  assert.is(dry.dryRun, true);
  assert.is(dry.exitCode, 0);
  assert.equal(keptTags(dry), w.expectKept);
  assert.equal(deletedTags(dry), w.expectDeleted);
  assert.is(dry.deleted.length, 6);
  for (const d of dry.deleted) assert.is(d.status, 'would-delete');
  assert.match(r.stdout, /^regsweep cleanup \(dry run: nothing was changed\)/);
  assert.ok(r.stdout.includes('kept 17 (git-history 14, unmapped 1, closure 2), would delete 6'), r.stdout);
  assert.match(r.stdout, /^Would delete 6 image\(s\)/m);
});

test('§6 idempotent: a run cut short by --max-deletions is finished by the next run', async () => {
  const w = await buildWorld(tempDir());
  const short = runCli(cleanupArgs(w, '--max-deletions', '2', '--report', 'short.json'), w.root);
  assert.is(short.code, 0, describe(short));
  const cut = readReport(join(w.root, 'short.json'));
  assert.is(cut.deleted.length, 2);
  assert.is(cut.notAttempted.length, 4, 'an image waiting on its unattempted signature is left for the next run too');
  assert.equal(cut.skipped, []);
  assert.equal(cut.failed, []);
  assert.match(short.stdout, /deleted 2; 4 more next run/);
  const rest = runCli(cleanupArgs(w, '--report', 'rest.json'), w.root);
  assert.is(rest.code, 0, describe(rest));
  const done = readReport(join(w.root, 'rest.json'));
  assert.is(done.deleted.length, 4);
  assert.equal([...deletedTags(cut), ...deletedTags(done)].sort(), w.expectDeleted);
  assert.equal(layoutTags(w.layoutDir), w.expectKept);
});

test('a dry run with --max-deletions previews the real run: the same two deleted, the same four left, nothing changed', async () => {
  const w = await buildWorld(tempDir());
  const before = layoutTags(w.layoutDir);
  const preview = runCli(cleanupArgs(w, '--max-deletions', '2', '--dry-run', '--report', 'preview.json'), w.root);
  assert.is(preview.code, 0, describe(preview));
  const planned = readReport(join(w.root, 'preview.json'));
  assert.equal(layoutTags(w.layoutDir), before, 'a dry run changes nothing');
  assert.is(planned.deleted.length, 2);
  assert.ok(planned.deleted.every((d) => d.status === 'would-delete'));
  assert.is(planned.notAttempted.length, 4);
  assert.match(preview.stdout, /would delete 2 \(budget\); 4 more next run/);
  assert.match(preview.stdout, /^Would be left for the next run 4:/m);
  const real = runCli(cleanupArgs(w, '--max-deletions', '2', '--report', 'real.json'), w.root);
  assert.is(real.code, 0, describe(real));
  const done = readReport(join(w.root, 'real.json'));
  assert.equal(done.deleted.map((d) => d.digest).sort(), planned.deleted.map((d) => d.digest).sort(), 'the preview named exactly what the run deleted');
  assert.equal(done.notAttempted.map((d) => d.digest).sort(), planned.notAttempted.map((d) => d.digest).sort());
});

test('§4.1 a full clone (origin remote-tracking branches) gives the same result as the project itself', async () => {
  const w = await buildWorld(tempDir());
  const clone = w.git.cloneTo(join(w.root, 'clone'));
  const r = runCli(['cleanup', '--registry', 'oci:registry', '--git', 'clone', '--now', NOW_TEXT, '--without-kube', '--dry-run', '--report', 'dry.json'], w.root);
  assert.is(r.code, 0, describe(r));
  assert.ok(clone.git(['branch', '-r']).includes('origin/feature/wip'));
  const dry = readReport(join(w.root, 'dry.json'));
  assert.equal(keptTags(dry), w.expectKept);
  assert.equal(deletedTags(dry), w.expectDeleted);
});

test.run();
