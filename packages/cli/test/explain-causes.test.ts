/**
 * `regsweep explain`, one test per cause (docs/cleanup-semantics.md §4-§5): beyond `last`, a deleted
 * branch, outside `in`, unmapped, untagged, closure, and a kept image with several reasons. Each checks
 * the rule and the rank as data (`--json`) and the words (the text). Ranks are worked out by hand from
 * the world (support/world.ts): main's image groups newest first are M, m9, f2, f1, m8 … m0, so m2 is
 * the 11th and m0 the 13th; feature/wip's are w2, w1, m9 … m0, so m0 is its 12th. In use (it needs a
 * cluster) is in in-use.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PolicyMiss } from '@regsweep/core';
import type { Explanation } from '../src/explain.js';
import { NOW_TEXT, daysAgo, describe, readReport, removeTemps, runCli, tempDir } from './support/cli.js';
import { buildWorld, sha7, type World } from './support/world.js';

const DAY = 86_400_000;
let world: World;
let experiment = '';

test.before(async () => {
  world = await buildWorld(tempDir(), async ({ git, layout, main, revision }) => {
    // A branch last touched 45 days ago: the default policy's `in: 168h` on references leaves it out.
    git.branch('old-experiment', main[0]);
    experiment = git.commit('experiment', { date: daysAgo(45), branch: 'old-experiment' });
    git.checkout('main');
    await layout.addImage({ tags: ['old-experiment'], labels: { [revision]: experiment }, created: daysAgo(45), layerText: 'experiment' });
  });
  // Not in the root: there, a werf.yaml would be the policy of every run (cleanup-semantics.md §2).
  mkdirSync(join(world.root, 'werf'));
  writeFileSync(join(world.root, 'werf', 'werf.yaml'), [
    'project: demo', 'configVersion: 1', 'cleanup:', '  keepPolicies:', '    - references:', '        tag: /.*/',
    '    - references:', '        branch: /.*/', '      imagesPerReference:', '        last: 5', '',
  ].join('\n'));
  writeFileSync(join(world.root, 'unmapped.yml'), 'cleanup:\n  unmapped:\n    keepFor: 30d\n');
});
test.after(removeTemps);

const base = ['explain', '--registry', 'oci:registry', '--git', 'project', '--now', NOW_TEXT, '--without-kube'];

function explainJson(...args: string[]): Explanation[] {
  const r = runCli([...base, '--json', ...args], world.root);
  assert.is(r.code, 0, describe(r));
  return (JSON.parse(r.stdout) as { explanations: Explanation[] }).explanations;
}

function explainText(...args: string[]): string {
  const r = runCli([...base, ...args], world.root);
  assert.is(r.code, 0, describe(r));
  return r.stdout;
}

const miss = (e: Explanation | undefined, index: number): PolicyMiss | undefined => e?.decision?.misses?.find((m) => m.policy.index === index);

test('beyond last: the 11th image group of main, where keepPolicies[2] keeps 10', () => {
  const tag = sha7(world.main[2] as string);
  const [e] = explainJson('--tag', tag);
  assert.is(e?.status, 'would-delete');
  assert.is(e?.decision?.cause, 'git-history');
  const m = miss(e, 2);
  assert.is(m?.outcome, 'beyond-last');
  assert.is(m?.rank, 11);
  assert.equal(m?.reference, { kind: 'branch', name: 'main' });
  assert.is(m?.policy.path, 'default keepPolicies[2]');
  assert.is(m?.limit?.last, 10);
  assert.match(explainText('--tag', tag), /\(revision label\): 11th image group of branch main; default keepPolicies\[2\] keeps 10\n/);
});

test('outside in: m0 is feature/wip\'s 12th image group, its commit 40 days old, outside in: 168h', () => {
  const tag = sha7(world.main[0] as string);
  const [e] = explainJson('--tag', tag);
  const m = miss(e, 1);
  assert.is(m?.outcome, 'outside-in');
  assert.is(m?.rank, 12);
  assert.equal(m?.reference, { kind: 'branch', name: 'feature/wip' });
  assert.is(m?.limit?.in, 168 * 3_600_000);
  assert.is(miss(e, 2)?.rank, 13, 'and main met it as its 13th');
  assert.match(explainText('--tag', tag), /- outside-in: 12th image group of branch feature\/wip: commit [0-9a-f]{7} is 40 days old, outside in: 168h; default keepPolicies\[1\] keeps 2 within 168h/);
});

test('outside in, for the reference: a branch whose last commit is 45 days old is not selected', () => {
  const [e] = explainJson('--tag', 'old-experiment');
  assert.equal(e?.commits, { ids: [experiment], via: 'revision label' });
  const m = miss(e, 1);
  assert.is(m?.outcome, 'reference-not-selected');
  assert.equal(m?.reference, { kind: 'branch', name: 'old-experiment' });
  assert.is(m?.limit?.in, 168 * 3_600_000);
  assert.is(miss(e, 2)?.outcome, 'not-reached', 'main does not reach the experiment');
  assert.match(explainText('--tag', 'old-experiment'), /branch old-experiment is not selected: last commit 45 days ago, outside in: 168h \(references\.limit of default keepPolicies\[1\]: last: 10 and in: 168h\)/);
});

test('deleted branch: "branch feature-old no longer exists", and no selected reference reaches its commit', () => {
  const [e] = explainJson('--tag', 'feature-old');
  assert.equal({ rule: e?.decision?.rule, goneBranches: e?.decision?.goneBranches }, { rule: 'default keepPolicies', goneBranches: ['feature-old'] });
  assert.equal(e?.decision?.misses?.map((m) => [m.policy.path, m.outcome]), [
    ['default keepPolicies[0]', 'not-reached'], ['default keepPolicies[1]', 'not-reached'], ['default keepPolicies[2]', 'not-reached'],
  ]);
  const text = explainText('--tag', 'feature-old');
  assert.match(text, /WOULD BE DELETED: commit [0-9a-f]{7} \(revision label\): branch feature-old no longer exists; /);
  assert.match(text, /- not-reached: default keepPolicies\[1\]: branch feature\/wip does not reach its commit/);
  assert.match(text, /- not-reached: default keepPolicies\[2\]: branch main does not reach its commit/);
});

test('unmapped: kept by cleanup.unmapped.keepFor (forever by default); with keepFor 30d a 60-day-old one goes', () => {
  const [kept] = explainJson('--tag', 'redis-7');
  assert.is(kept?.status, 'kept');
  assert.is(kept?.reasons?.[0]?.rule, 'cleanup.unmapped.keepFor');
  assert.is(kept?.reasons?.[0]?.ageMs, 60 * DAY);
  const [gone] = explainJson('--tag', 'redis-7', '--config', 'unmapped.yml');
  assert.is(gone?.status, 'would-delete');
  assert.equal({ cause: gone?.decision?.cause, rule: gone?.decision?.rule, windowMs: gone?.decision?.windowMs }, { cause: 'unmapped', rule: 'cleanup.unmapped.keepFor', windowMs: 30 * DAY });
  assert.match(explainText('--tag', 'redis-7', '--config', 'unmapped.yml'), /WOULD BE DELETED \(cleanup\.unmapped\.keepFor\): no commit found for it \(unmapped\) and older than unmapped\.keepFor \(720h\)/);
});

test('untagged, by the digest the summary shows: cleanup.untagged.keepFor', () => {
  const short = world.digests.leftover.slice(7, 19);
  const [e] = explainJson('--digest', short);
  assert.is(e?.digest, world.digests.leftover);
  assert.equal({ cause: e?.decision?.cause, rule: e?.decision?.rule }, { cause: 'untagged', rule: 'cleanup.untagged.keepFor' });
  assert.match(explainText('--digest', short), new RegExp(`@${world.digests.leftover} \\(untagged\\)\\n[^\\n]*\\n {2}WOULD BE DELETED \\(cleanup\\.untagged\\.keepFor\\): untagged and not pinned by any workload`));
});

test('closure: a kept index\'s signature stays with it; a deleted image\'s signature goes with it', () => {
  const [sig, oldSig] = explainJson('--tag', world.tags.indexSig, '--tag', world.tags.oldSig);
  assert.equal({ reason: sig?.reasons?.[0]?.reason, rule: sig?.reasons?.[0]?.rule, of: sig?.reasons?.[0]?.of }, { reason: 'closure', rule: 'closure', of: world.digests.index });
  assert.equal({ cause: oldSig?.decision?.cause, of: oldSig?.decision?.of }, { cause: 'attachment', of: [world.digests.old] });
  assert.match(explainText('--tag', world.tags.indexSig), new RegExp(`KEPT because:\\n {4}- closure: attachment of kept image ${world.digests.index}`));
  assert.match(explainText('--tag', world.tags.oldSig), new RegExp(`WOULD BE DELETED \\(closure\\): attachment of ${world.digests.old}, which is not kept`));
});

test('werf.yaml: every reason that holds, each with its policy\'s line and the rank', () => {
  const tag = sha7(world.main[9] as string);
  const [e] = explainJson('--tag', tag, '--config', 'werf/werf.yaml');
  const groups = (e?.reasons ?? []).map((r) => r.group).map((g) => g && { ref: g.reference.name, rank: g.rank, line: g.policy.line, path: g.policy.path });
  assert.equal(groups.sort((a, b) => (a?.ref ?? '').localeCompare(b?.ref ?? '')), [
    { ref: 'feature/wip', rank: 3, line: 7, path: 'cleanup.keepPolicies[1]' },
    { ref: 'main', rank: 2, line: 7, path: 'cleanup.keepPolicies[1]' },
  ]);
  const text = explainText('--tag', tag, '--config', 'werf/werf.yaml');
  assert.match(text, /- git-history: 2nd image group of branch main; cleanup\.keepPolicies\[1\] \(line 7\) keeps 5 \(commit [0-9a-f]{7} of /);
  assert.match(text, /- git-history: 3rd image group of branch feature\/wip; cleanup\.keepPolicies\[1\] \(line 7\) keeps 5/);
});

test('cleanup (no explain): the report says where the walk stopped, without walking further', () => {
  const r = runCli(['cleanup', '--dry-run', '--registry', 'oci:registry', '--git', 'project', '--now', NOW_TEXT, '--without-kube', '--report', 'dry.json'], world.root);
  assert.is(r.code, 0, describe(r));
  const report = readReport(join(world.root, 'dry.json'));
  const m0 = report.deleted.find((d) => d.tags.includes(sha7(world.main[0] as string)));
  const m = m0?.decision.misses?.find((x) => x.policy.index === 2);
  assert.is(m?.outcome, 'walk-stopped');
  assert.equal(m?.stopped?.map((s) => ({ ref: s.reference.name, groups: s.groups, stoppedBy: s.stoppedBy })), [{ ref: 'main', groups: 10, stoppedBy: 'last' }]);
  assert.match(r.stdout, /: not among the image groups branch main keeps \(default keepPolicies\[2\]: last: 10, back to [0-9a-f]{7} of \d{4}-\d\d-\d\d\)/);
});

test('a malformed --digest: exit 2 naming it', () => {
  const r = runCli([...base, '--digest', 'sha256:xyz'], world.root);
  assert.is(r.code, 2, describe(r));
  assert.match(r.stderr, /--digest "sha256:xyz" is not a digest/);
});

test.run();
