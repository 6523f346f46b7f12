/**
 * Several repositories in one run (werf's storage layout, cleanup-semantics.md §7), as a real process on a real git
 * repository and real OCI layouts: a primary cleaned by the policy, a final that follows the primary's
 * decisions, a cache cleaned by age; and several `--registry`, each cleaned by the policy.
 *
 *   main   c1 (20d) - c2 (16d) - c3 (12d) - c4 (8d) - c5 (4d)
 *
 * The policy keeps main's last 2 images (c4, c5); nothing is kept for being recent; unmapped images
 * stay 30 days. Expected outcomes are written down by hand from cleanup-semantics.md and the issue.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GitRepoBuilder } from '@regsweep/git-local';
import { LayoutWriter } from '@regsweep/oci-layout';
import {
  NOW_TEXT, daysAgo, describe, keptEntry, layoutTags, readIndexJson, readReport, removeTemps, runCli, snapshot, snapshotEntries, tempDir,
} from './support/cli.js';

test.after(removeTemps);

const REVISION = 'org.opencontainers.image.revision';
const AGES = [20, 16, 12, 8, 4];
const POLICY = [
  'cleanup:',
  '  keepImagesBuiltWithinLastNHours: 0',
  '  keepPolicies:',
  '    - references: { branch: main }',
  '      imagesPerReference: { last: 2 }',
  '  unmapped: { keepFor: 30d }',
].join('\n');

const sha = (commit: string): string => `sha-${commit.slice(0, 7)}`;

interface Project {
  root: string;
  gitDir: string;
  commits: string[];
}

function project(): Project {
  const root = tempDir('regsweep-repos-');
  const gitDir = join(root, 'project');
  const git = GitRepoBuilder.init(gitDir);
  const commits = AGES.map((days, i) => git.commit(`c${i + 1}`, { date: daysAgo(days) }));
  return { root, gitDir, commits };
}

/** What CI pushes to a primary repository: one image per commit, tagged sha-<7>, with the revision label. */
async function primaryLayout(dir: string, p: Project): Promise<string[]> {
  const layout = await LayoutWriter.create(dir);
  const digests: string[] = [];
  for (const [i, commit] of p.commits.entries()) {
    const img = await layout.addImage({ tags: [sha(commit)], labels: { [REVISION]: commit }, created: daysAgo(AGES[i] as number), layerText: `app ${i + 1}` });
    digests.push(img.digest);
  }
  await layout.write();
  return digests;
}

/** `.regsweep.yml` with the policy and a `repositories:` list, in a fresh working directory. */
function config(p: Project, repositories: string[]): string {
  const cwd = join(p.root, `cwd-${Math.random().toString(36).slice(2)}`);
  mkdirSync(cwd);
  writeFileSync(join(cwd, '.regsweep.yml'), `${POLICY}\n  repositories:\n${repositories.map((r) => `    - ${r}\n`).join('')}`);
  return cwd;
}

const cleanup = (p: Project, ...extra: string[]): string[] =>
  ['cleanup', '--git', p.gitDir, '--now', NOW_TEXT, '--without-kube', '--report', 'report.json', ...extra];

test('werf storage layout: the primary by policy, the final follows the primary, the cache by age; one report', async () => {
  const p = project();
  const [c1, c2, c3, c4, c5] = p.commits as [string, string, string, string, string];
  const primaryDir = join(p.root, 'primary');
  const finalDir = join(p.root, 'final');
  const cacheDir = join(p.root, 'cache');
  const primary = await primaryLayout(primaryDir, p);

  const final = await LayoutWriter.create(finalDir);
  // c5's image under a release tag: the same digest as in the primary, which keeps it.
  const sameDigest = await final.addImage({ tags: ['prod-5'], labels: { [REVISION]: c5 }, created: daysAgo(4), layerText: 'app 5' });
  assert.is(sameDigest.digest, primary[4], 'the same image gives the same digest');
  // c4's final image is built differently, with the primary's tag: the primary keeps that tag.
  await final.addImage({ tags: [sha(c4)], created: daysAgo(8), layerText: 'final 4' });
  // c2's image as in the primary (deleted there) and c3's own image under the primary's tag (deleted there).
  await final.addImage({ tags: ['prod-2'], labels: { [REVISION]: c2 }, created: daysAgo(16), layerText: 'app 2' });
  await final.addImage({ tags: [sha(c3)], created: daysAgo(12), layerText: 'final 3' });
  // Unknown to the primary and older than unmapped.keepFor: goes; a young one stays as unmapped.
  await final.addImage({ tags: ['hotfix-old'], created: daysAgo(60), layerText: 'old hotfix' });
  await final.addImage({ tags: ['hotfix-new'], created: daysAgo(2), layerText: 'new hotfix' });
  await final.write();

  const cache = await LayoutWriter.create(cacheDir);
  await cache.addImage({ tags: ['stage-young'], created: daysAgo(2), layerText: 'young stage' });
  await cache.addImage({ tags: ['stage-old'], created: daysAgo(20), layerText: 'old stage' });
  // Old, even though main's last commit would keep it in a primary: a cache is cleaned by age only.
  await cache.addImage({ tags: [sha(c5)], labels: { [REVISION]: c5 }, created: daysAgo(9), layerText: 'cached c5' });
  await cache.write();

  // werf's secondary repository: old images nothing keeps, which regsweep must not touch.
  const secondaryDir = join(p.root, 'secondary');
  const secondary = await LayoutWriter.create(secondaryDir);
  await secondary.addImage({ tags: ['base-old'], created: daysAgo(90), layerText: 'old base' });
  await secondary.write();
  const secondaryBefore = snapshot(secondaryDir);

  // Listed cache first and final second: the run plans the primary first anyway.
  const cwd = config(p, [
    `{ ref: "oci:${secondaryDir}", role: secondary }`,
    `{ ref: "oci:${cacheDir}", role: cache, keepFor: 7d }`,
    `{ ref: "oci:${finalDir}", role: final }`,
    `{ ref: "oci:${primaryDir}" }`,
  ]);
  const r = runCli(cleanup(p), cwd);
  assert.is(r.code, 0, describe(r));
  const report = readReport(join(cwd, 'report.json'));
  assert.is(report.policySource, '.regsweep.yml');
  assert.equal(report.repositories.map((x) => x.repository), [`oci:${primaryDir}`, `oci:${finalDir}`, `oci:${cacheDir}`]);
  assert.equal(report.untouched.map((u) => u.repository), [`oci:${secondaryDir}`]);
  assert.equal(snapshotEntries(snapshot(secondaryDir)), snapshotEntries(secondaryBefore), 'the secondary repository is byte-identical');
  assert.match(r.stdout, `oci:${secondaryDir}: untouched (secondary repository (cleanup.repositories[0]): werf only reads it`);

  assert.equal(layoutTags(primaryDir), [sha(c4), sha(c5)].sort());
  assert.equal(layoutTags(finalDir), ['hotfix-new', 'prod-5', sha(c4)].sort(), 'the final keeps exactly what follows the primary (and a young unmapped image)');
  assert.equal(layoutTags(cacheDir), ['stage-young']);
  assert.not.ok(layoutTags(primaryDir).includes(sha(c1)));

  assert.equal(report.repositories.map((x) => [x.kept, x.deleted]), [[2, 3], [3, 3], [1, 2]]);

  const inFinal = report.kept.filter((k) => k.repository === `oci:${finalDir}`);
  const reasons = (tag: string): string[] => inFinal.find((k) => k.tags.includes(tag))?.reasons ?? [];
  assert.equal(reasons('prod-5'), ['primary']);
  assert.equal(reasons(sha(c4)), ['primary']);
  assert.equal(reasons('hotfix-new'), ['unmapped']);
  assert.match(keptEntry(report, 'prod-5').details[0]?.detail ?? '', /the same digest is kept in oci:/);
  const finalGone = report.deleted.filter((d) => d.repository === `oci:${finalDir}`);
  assert.match(finalGone.find((d) => d.tags.includes('prod-2'))?.why ?? '', /not kept in the primary repository/);
  assert.equal(keptEntry(report, 'stage-young').reasons, ['cache-age']);
  assert.match(report.deleted.find((d) => d.tags.includes('stage-old'))?.why ?? '', /cache repository image older than its keepFor/);
  assert.match(r.stderr, new RegExp(`oci:${finalDir}: final repository, follows oci:${primaryDir}`));
});

test('several --registry: each is cleaned by the policy; the config\'s repositories: list is ignored with a warning', async () => {
  const p = project();
  const a = join(p.root, 'a');
  const b = join(p.root, 'b');
  const elsewhere = join(p.root, 'elsewhere');
  await primaryLayout(a, p);
  await primaryLayout(b, p);
  await primaryLayout(elsewhere, p);
  const untouched = snapshot(elsewhere);
  const cwd = config(p, [`{ ref: "oci:${elsewhere}" }`]);
  const r = runCli(cleanup(p, '--registry', `oci:${a}`, '--registry', `oci:${b}`), cwd);
  assert.is(r.code, 0, describe(r));
  const report = readReport(join(cwd, 'report.json'));
  const kept = [sha(p.commits[3] as string), sha(p.commits[4] as string)].sort();
  assert.equal(layoutTags(a), kept);
  assert.equal(layoutTags(b), kept);
  assert.equal(report.repositories.map((x) => [x.repository, x.kept, x.deleted]), [[`oci:${a}`, 2, 3], [`oci:${b}`, 2, 3]]);
  assert.equal(snapshotEntries(snapshot(elsewhere)), snapshotEntries(untouched), 'the config list was not cleaned');
  assert.ok(report.warnings.some((w) => /^\.regsweep\.yml: cleanup\.repositories \(1 repositories\) was ignored because --registry was given/.test(w)), report.warnings.join('\n'));
});

test('--max-deletions is the whole run\'s budget: two repositories, --max-deletions 1, one image deleted in all', async () => {
  const p = project();
  const a = join(p.root, 'a');
  const b = join(p.root, 'b');
  await primaryLayout(a, p);
  await primaryLayout(b, p);
  const cwd = join(p.root, 'cwd-budget');
  mkdirSync(cwd);
  writeFileSync(join(cwd, '.regsweep.yml'), `${POLICY}\n`);
  const r = runCli(cleanup(p, '--registry', `oci:${a}`, '--registry', `oci:${b}`, '--max-deletions', '1'), cwd);
  assert.is(r.code, 0, describe(r));
  const report = readReport(join(cwd, 'report.json'));
  assert.is(report.deleted.length, 1, JSON.stringify(report.deleted));
  assert.is(layoutTags(a).length + layoutTags(b).length, 9, 'ten images, one deleted');
  assert.is(report.notAttempted.length, 5, 'the other five are left for the next run');
  assert.ok(report.notAttempted.every((x) => x.message === 'max-deletions (1 for the whole run) reached; the next run continues'), JSON.stringify(report.notAttempted));
  assert.equal(report.repositories.map((x) => x.notAttempted), [2, 3]);
});

test('fail closed: a final whose primary cannot be planned is not planned; the cache is still cleaned; exit 1', async () => {
  const p = project();
  const primaryDir = join(p.root, 'primary');
  const finalDir = join(p.root, 'final');
  const cacheDir = join(p.root, 'cache');
  const primary = await primaryLayout(primaryDir, p);
  await primaryLayout(finalDir, p);
  const cache = await LayoutWriter.create(cacheDir);
  await cache.addImage({ tags: ['stage-old'], created: daysAgo(20), layerText: 'old stage' });
  await cache.write();
  // The primary's listing names a manifest that is not there: its inventory is incomplete.
  rmSync(join(primaryDir, 'blobs', 'sha256', (primary[0] as string).slice('sha256:'.length)));
  assert.ok(readIndexJson(primaryDir).manifests.some((m) => m.digest === primary[0]));
  const finalBefore = snapshot(finalDir);
  const cwd = config(p, [`{ ref: "oci:${primaryDir}" }`, `{ ref: "oci:${finalDir}", role: final }`, `{ ref: "oci:${cacheDir}", role: cache, keepFor: 7d }`]);
  const r = runCli(cleanup(p), cwd);
  assert.is(r.code, 1, describe(r));
  assert.equal(snapshotEntries(snapshot(finalDir)), snapshotEntries(finalBefore), 'nothing was deleted in the final repository');
  assert.equal(layoutTags(cacheDir), []);
  const report = readReport(join(cwd, 'report.json'));
  assert.equal(report.repositories.map((x) => x.repository), [`oci:${cacheDir}`]);
  assert.is(report.exitCode, 1);
  assert.match(report.error?.message ?? '', /2 of 3 repositories failed/);
  assert.match(report.error?.message ?? '', new RegExp(`oci:${primaryDir}: .*could not read manifest`));
  assert.match(report.error?.message ?? '', new RegExp(`oci:${finalDir}: not planned: the primary repository it follows, oci:${primaryDir}, could not be planned`));
});

test('bad input: no --registry and no repositories: list; a repositories: list that is not valid', () => {
  const p = project();
  const cwd = join(p.root, 'cwd-none');
  mkdirSync(cwd);
  writeFileSync(join(cwd, '.regsweep.yml'), `${POLICY}\n`);
  let r = runCli(cleanup(p), cwd);
  assert.is(r.code, 2, describe(r));
  assert.ok(r.stderr.includes('cleanup: --registry is required'), describe(r));
  assert.ok(r.stderr.includes('cleanup.repositories'), describe(r));

  const bad = config(p, [`{ ref: "oci:${join(p.root, 'f')}", role: final }`, `{ ref: "oci:${join(p.root, 'c')}", role: cache }`]);
  r = runCli(cleanup(p), bad);
  assert.is(r.code, 2, describe(r));
  assert.ok(r.stderr.includes('.regsweep.yml: cleanup.repositories[0].role: a final repository follows the decisions of a primary one'), describe(r));
  assert.ok(r.stderr.includes('.regsweep.yml: cleanup.repositories[1].keepFor: is required for role cache'), describe(r));

  const missing = config(p, [`{ ref: "oci:${join(p.root, 'missing')}" }`]);
  r = runCli(cleanup(p), missing);
  assert.is(r.code, 2, describe(r));
  assert.ok(r.stderr.includes(`.regsweep.yml: cleanup.repositories[0].ref: OCI layout ${join(p.root, 'missing')} does not exist`), describe(r));

  r = runCli(cleanup(p, '--registry', 'oci:./x', '--registry', 'oci:./x'), cwd);
  assert.is(r.code, 2, describe(r));
  assert.ok(r.stderr.includes('--registry "oci:./x" is given twice'), describe(r));
});

test.run();
