/**
 * §2 where the policy comes from: `--config FILE` beats `./.regsweep.yml`, which beats the `cleanup:`
 * section of `./werf.yaml`, which beats the default set. Each candidate file keeps a different number
 * of main's image groups, so the outcome shows which one was read, and `policySource` says so too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '@regsweep/core';
import { NOW_TEXT, describe, keptTags, readReport, removeTemps, runCli, snapshot, snapshotEntries, tempDir } from './support/cli.js';
import { buildWorld, sha7, type World } from './support/world.js';

let world: World;
test.before(async () => {
  world = await buildWorld(tempDir());
});
test.after(removeTemps);

/** A policy that keeps main's `n` newest image groups and nothing else by git history. */
const mainOnly = (n: number): string =>
  `cleanup:\n  keepPolicies:\n    - references:\n        branch: main\n      imagesPerReference:\n        last: ${n}\n`;

/** werf.yaml as werf users have it: meta document first, then image documents with Go templates. */
const werfYaml = (n: number): string =>
  `project: shop\nconfigVersion: 1\n${mainOnly(n)}---\nimage: app\nfrom: alpine:3.20\n---\n` +
  `{{ $base := "alpine:3.20" }}\nimage: worker\nfrom: {{ $base }}\n`;

/** A fresh working directory holding the given files; dry-runs the cleanup there and returns the report. */
function dryRunIn(files: Record<string, string>, ...extra: string[]): { report: Report; cwd: string; stdout: string } {
  const cwd = tempDir('regsweep-cwd-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(cwd, name, '..'), { recursive: true });
    writeFileSync(join(cwd, name), text);
  }
  const before = snapshot(world.layoutDir);
  const r = runCli(
    ['cleanup', '--registry', `oci:${world.layoutDir}`, '--git', world.gitDir, '--now', NOW_TEXT, '--without-kube', '--dry-run', '--report', 'out/report.json', ...extra],
    cwd,
  );
  assert.is(r.code, 0, describe(r));
  assert.equal(snapshotEntries(snapshot(world.layoutDir)), snapshotEntries(before));
  return { report: readReport(join(cwd, 'out', 'report.json')), cwd, stdout: r.stdout };
}

/** Tags kept by git history. */
const byHistory = (r: Report): string[] => r.kept.filter((k) => k.reasons.includes('git-history')).flatMap((k) => k.tags).sort();

const newest = (n: number): string[] => {
  const groups = [[...world.tags.index], [sha7(world.main[9] as string)], [world.tags.merged[1] as string]];
  return groups.slice(0, n).flat().sort();
};

test('§2 --config FILE beats ./.regsweep.yml and ./werf.yaml', () => {
  const { report } = dryRunIn(
    { 'policies/custom.yml': mainOnly(1), '.regsweep.yml': mainOnly(2), 'werf.yaml': werfYaml(3) },
    '--config', 'policies/custom.yml',
  );
  assert.is(report.policySource, 'policies/custom.yml');
  assert.equal(byHistory(report), newest(1));
});

test('§2 --config accepts a werf.yaml anywhere (multi-document, templates after the meta document)', () => {
  const { report } = dryRunIn({ 'ci/werf.yaml': werfYaml(2), '.regsweep.yml': mainOnly(3) }, '--config', 'ci/werf.yaml');
  assert.is(report.policySource, 'ci/werf.yaml');
  assert.equal(byHistory(report), newest(2));
});

test('§2 ./.regsweep.yml beats the cleanup: section of ./werf.yaml', () => {
  const { report } = dryRunIn({ '.regsweep.yml': mainOnly(2), 'werf.yaml': werfYaml(3) });
  assert.is(report.policySource, '.regsweep.yml');
  assert.equal(byHistory(report), newest(2));
});

test('§2 the cleanup: section of a multi-document ./werf.yaml beats the default set', () => {
  const { report } = dryRunIn({ 'werf.yaml': werfYaml(3) });
  assert.is(report.policySource, 'werf.yaml');
  assert.equal(byHistory(report), newest(3));
});

test('§2 no policy file: the default set', () => {
  const { report, stdout } = dryRunIn({ 'README.md': 'nothing here\n' });
  assert.is(report.policySource, 'default');
  assert.equal(keptTags(report), world.expectKept);
  assert.match(stdout, '  policy: default (no .regsweep.yml or werf.yaml, so the default policy applies)');
});

test('§2 a ./werf.yaml without cleanup: runs on the default, and the summary and report say so', () => {
  const { report, stdout } = dryRunIn({ 'werf.yaml': 'project: shop\nconfigVersion: 1\n---\nimage: app\nfrom: alpine:3.20\n' });
  assert.is(report.policySource, 'werf.yaml');
  assert.is(report.policyNote, "werf.yaml has no cleanup: section (or an empty one), so werf's default policy applies");
  assert.equal(keptTags(report), world.expectKept, 'the default policy decided');
  assert.match(stdout, "  policy: werf.yaml (werf.yaml has no cleanup: section (or an empty one), so werf's default policy applies)");
});

test('§2 a file that holds a policy names it in the summary, with no note', () => {
  const { report, stdout } = dryRunIn({ '.regsweep.yml': mainOnly(2) });
  assert.is(report.policyNote, undefined);
  assert.match(stdout, '  policy: .regsweep.yml\n');
});

test('§2 a found ./.regsweep.yml with nothing under cleanup: is refused, not replaced by the default', () => {
  const cwd = tempDir('regsweep-cwd-');
  writeFileSync(join(cwd, '.regsweep.yml'), '# to do\n');
  writeFileSync(join(cwd, 'werf.yaml'), werfYaml(3));
  const before = snapshot(world.layoutDir);
  const r = runCli(['cleanup', '--registry', `oci:${world.layoutDir}`, '--git', world.gitDir, '--now', NOW_TEXT, '--without-kube'], cwd);
  assert.is(r.code, 2, describe(r));
  assert.match(r.stderr, '.regsweep.yml: no cleanup section; nest keepPolicies under cleanup:');
  assert.equal(snapshotEntries(snapshot(world.layoutDir)), snapshotEntries(before), 'nothing deleted');
});

test.run();
