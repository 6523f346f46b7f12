/**
 * `regsweep explain --tag X` (why a tag's image is kept, or why it would be deleted; it never deletes)
 * and `--keep-list FILE` (§5 keep-list: tags matching a glob are always kept).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  NOW_TEXT, deletedTags, describe, keptEntry, keptTags, layoutTags, readReport, removeTemps, runCli, snapshot,
  snapshotEntries, tempDir, type CliResult,
} from './support/cli.js';
import { buildWorld, sha7, type World } from './support/world.js';

let world: World;
test.before(async () => {
  world = await buildWorld(tempDir());
  writeFileSync(join(world.root, 'keep.txt'), '# tags we promised to keep\nfeature-*   # the login demo\n\n');
});
test.after(removeTemps);

/** Runs `explain` in the world's root and checks that it changed nothing. */
function explain(...args: string[]): CliResult {
  const before = snapshot(world.layoutDir);
  const r = runCli(['explain', '--registry', 'oci:registry', '--git', 'project', '--now', NOW_TEXT, '--without-kube', ...args], world.root);
  assert.equal(snapshotEntries(snapshot(world.layoutDir)), snapshotEntries(before), 'explain changed the layout');
  return r;
}

test('explain --tag of a kept image: KEPT with the git-history reason and the commit', () => {
  const m5 = world.main[5] as string;
  const r = explain('--tag', sha7(m5));
  assert.is(r.code, 0, describe(r));
  assert.ok(r.stdout.includes(`:${sha7(m5)} → sha256:`), r.stdout);
  assert.ok(r.stdout.includes(`built from: ${m5}`), r.stdout);
  assert.match(r.stdout, /KEPT because:\n {4}- git-history: \d+(st|nd|rd|th) image group of branch main; default keepPolicies\[2\] keeps 10 \(commit [0-9a-f]{7} of /);
  assert.not.match(r.stdout, /WOULD BE DELETED/);
});

test('explain --tag of an image that goes: WOULD BE DELETED with why', () => {
  const r = explain('--tag', 'feature-old');
  assert.is(r.code, 0, describe(r));
  assert.match(r.stdout, /:feature-old → sha256:[0-9a-f]{64} \(also tagged sha-[0-9a-f]{7}\)/);
  assert.match(r.stdout, /WOULD BE DELETED: commit [0-9a-f]{7} \(revision label\): branch feature-old no longer exists/);
  assert.match(r.stdout, /nearest miss of each keep policy:\n {4}- not-reached: default keepPolicies\[0\]: [^\n]*\n {4}- not-reached: default keepPolicies\[1\]: [^\n]*\n {4}- not-reached: default keepPolicies\[2\]: branch main does not reach its commit/);
  assert.not.match(r.stdout, /KEPT/);
});

test('explain several tags: closure for a signature, unmapped for a third-party image', () => {
  const r = explain('--tag', world.tags.indexSig, '--tag', 'redis-7', '--tag', sha7(world.main[0] as string));
  assert.is(r.code, 0, describe(r));
  assert.match(r.stdout, new RegExp(`${world.tags.indexSig.replace('.', '\\.')} → [^\\n]*\\n[^\\n]*\\n {2}KEPT because:\\n {4}- closure: attachment of kept image ${world.digests.index}`));
  assert.match(r.stdout, /:redis-7 → [^\n]*\n {2}built from: no commit found \(unmapped\)\n {2}KEPT because:\n {4}- unmapped \(cleanup\.unmapped\.keepFor\): /);
  assert.match(r.stdout, /WOULD BE DELETED: commit [0-9a-f]{7} \(revision label\): 13th image group of branch main; default keepPolicies\[2\] keeps 10\n/);
});

test('explain an unknown tag: exit 2 and the tag is named', () => {
  const r = explain('--tag', 'main', '--tag', 'no-such-tag');
  assert.is(r.code, 2, describe(r));
  assert.ok(r.stderr.includes('no image has the tag or digest no-such-tag'), r.stderr);
  assert.match(r.stdout, /:main → /, 'the known tag is still explained');
});

test('explain without --tag or --digest: exit 2', () => {
  const r = explain();
  assert.is(r.code, 2, describe(r));
  assert.ok(r.stderr.includes('explain: name an image with --tag or --digest'), r.stderr);
});

test('§5 explain --keep-list: KEPT because of the keep-list', () => {
  const r = explain('--tag', 'feature-old', '--keep-list', 'keep.txt');
  assert.is(r.code, 0, describe(r));
  assert.match(r.stdout, /KEPT because:\n {4}- keep-list: tag feature-old matches keep-list feature-\*/);
});

test('§5 --keep-list FILE keeps a tag the policy deletes (reason keep-list), with its attachments', () => {
  const r = runCli(
    ['cleanup', '--registry', 'oci:registry', '--git', 'project', '--now', NOW_TEXT, '--without-kube', '--keep-list', 'keep.txt', '--report', 'kept.json'],
    world.root,
  );
  assert.is(r.code, 0, describe(r));
  const report = readReport(join(world.root, 'kept.json'));
  const old = keptEntry(report, 'feature-old');
  assert.equal(old.reasons, ['keep-list']);
  assert.equal(old.tags.sort(), [...world.tags.oldBranch].sort());
  assert.equal(keptEntry(report, world.tags.oldSig).reasons, ['closure']);
  assert.equal(keptEntry(report, world.digests.oldReferrer).reasons, ['closure']);
  const expectKept = [...world.expectKept, ...world.tags.oldBranch, world.tags.oldSig].sort();
  assert.equal(keptTags(report), expectKept);
  assert.equal(deletedTags(report), [sha7(world.main[0] as string), sha7(world.main[2] as string)].sort());
  assert.equal(layoutTags(world.layoutDir), expectKept);
  assert.ok(r.stdout.includes('keep-list 1'), r.stdout);
});

test('§5 a bad keep-list glob: exit 2 naming the file and line', () => {
  writeFileSync(join(world.root, 'bad-keep.txt'), 'v1.*\n[unclosed\n');
  const before = snapshot(world.layoutDir);
  const r = runCli(['cleanup', '--registry', 'oci:registry', '--git', 'project', '--now', NOW_TEXT, '--without-kube', '--keep-list', 'bad-keep.txt'], world.root);
  assert.is(r.code, 2, describe(r));
  assert.ok(r.stderr.includes('bad-keep.txt:2:'), r.stderr);
  assert.ok(r.stderr.includes('(got "[unclosed")'), r.stderr);
  assert.equal(snapshotEntries(snapshot(world.layoutDir)), snapshotEntries(before));
});

test.run();
