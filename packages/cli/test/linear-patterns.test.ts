/**
 * User patterns run in linear time (issue 12): the three patterns that hung the CLI — a branch regex
 * `/(a+)+$/` against a 41-character branch name, a tag pattern `(?<sha>([0-9a-f]+)+)-z` against a
 * 46-character tag, an extglob keep-list entry — on inputs of 40+ characters. The regexes run on RE2
 * and give their answers; the extglob is refused as bad input (exit 2, the file and line named). Syntax
 * RE2 does not have and over-long patterns are exit 2 naming the file, the path and what to write.
 * Assertions are on results, never on a timer (bench/patterns.mjs times them).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GitRepoBuilder } from '@regsweep/git-local';
import { LayoutWriter } from '@regsweep/oci-layout';
import { daysAgo, deletedTags, describe, keptEntry, NOW_TEXT, readReport, removeTemps, runCli, snapshot, snapshotEntries, tempDir, type CliResult } from './support/cli.js';
import { sha7 } from './support/world.js';

const A40 = 'a'.repeat(40);
const HEX_TAG = `${'a'.repeat(45)}y`;
let root = '';
let layoutDir = '';
const commits: Record<'main' | 'matching' | 'bang', string> = { main: '', matching: '', bang: '' };

test.before(async () => {
  root = tempDir();
  layoutDir = join(root, 'registry');
  const git = GitRepoBuilder.init(join(root, 'project'));
  commits.main = git.commit('main 0', { date: daysAgo(30) });
  commits.matching = git.commit('on the a branch', { date: daysAgo(20), branch: A40 });
  git.checkout('main');
  commits.bang = git.commit('on the a! branch', { date: daysAgo(20), branch: `${A40}!` });
  git.checkout('main');
  const layout = await LayoutWriter.create(layoutDir);
  for (const [name, commit] of Object.entries(commits)) {
    await layout.addImage({ tags: [sha7(commit)], created: daysAgo(20), layerText: name });
  }
  await layout.addImage({ tags: [HEX_TAG], created: daysAgo(20), layerText: 'hex-shaped tag' });
  await layout.write();
});
test.after(removeTemps);

function policy(name: string, yaml: string): string {
  writeFileSync(join(root, name), yaml);
  return name;
}

function cleanup(...args: string[]): CliResult {
  return runCli(['cleanup', '--registry', 'oci:registry', '--git', 'project', '--now', NOW_TEXT, '--without-kube', ...args], root);
}

/** An exit-2 run changed nothing in the registry. */
function refused(args: string[], message: RegExp): void {
  const before = snapshot(layoutDir);
  const r = cleanup(...args);
  assert.is(r.code, 2, describe(r));
  assert.match(r.stderr, message);
  assert.equal(snapshotEntries(snapshot(layoutDir)), snapshotEntries(before), 'the registry was touched');
}

test('branch: /(a+)+$/ with a 41-character branch a…a! and tagPatterns (?<sha>([0-9a-f]+)+)-z on a 46-character tag: answers, on RE2', () => {
  const file = policy('redos.yaml', [
    'cleanup:',
    '  keepPolicies:',
    '    - references: { branch: "/(a+)+$/" }',
    '  imageCommits:',
    '    tagPatterns: ["/(?<sha>([0-9a-f]+)+)-z/"]',
    '',
  ].join('\n'));
  const r = cleanup('--config', file, '--dry-run', '--report', 'redos.json');
  assert.is(r.code, 0, describe(r));
  const report = readReport(join(root, 'redos.json'));
  assert.ok(keptEntry(report, sha7(commits.matching)).reasons.includes('git-history'), 'the branch of forty a matches');
  const deleted = deletedTags(report);
  assert.ok(deleted.includes(sha7(commits.bang)), 'the branch a…a! does not match (/(a+)+$/ must end in a)');
  assert.ok(deleted.includes(sha7(commits.main)), 'main is not selected by the policy');
  // The tag does not end in -z, so the pattern finds no commit in it: an image of no known commit is kept.
  assert.ok(keptEntry(report, HEX_TAG).reasons.includes('unmapped'), JSON.stringify(keptEntry(report, HEX_TAG)));
});

test('an extglob keep-list entry +(a|aa)+(a|aa)+(a|aa)+(a|aa)b: exit 2 naming the file and line, nothing touched', () => {
  writeFileSync(join(root, 'keep.txt'), `# promised\nrelease-*\n+(a|aa)+(a|aa)+(a|aa)+(a|aa)b\n`);
  refused(['--keep-list', 'keep.txt'], /keep\.txt:3: .*extglob/);
});

test('an extglob in the policy\'s keepTags: exit 2 naming cleanup.keepTags[0]', () => {
  const file = policy('extglob.yaml', 'cleanup:\n  keepTags: ["+(a|aa)+(a|aa)+(a|aa)+(a|aa)b"]\n');
  refused(['--config', file], /extglob\.yaml.*cleanup\.keepTags\[0\].*extglob/s);
});

test('a 200 KB glob: exit 2 naming the file and line, not an exception', () => {
  writeFileSync(join(root, 'long.txt'), `v*\n${'a*'.repeat(100_000)}\n`);
  refused(['--keep-list', 'long.txt'], /long\.txt:2: the glob is 200000 characters long; at most 256 are accepted/);
});

test('a regex too long, or syntax RE2 has not (lookahead, backreference): exit 2 with the path and what to write instead', () => {
  const long = policy('long.yaml', `cleanup:\n  keepPolicies:\n    - references: { branch: "/${'a'.repeat(1001)}/" }\n`);
  refused(['--config', long], /long\.yaml.*cleanup\.keepPolicies\[0\]\.references\.branch.*1001 characters long; at most 1000/s);
  const lookahead = policy('lookahead.yaml', 'cleanup:\n  keepPolicies:\n    - references: { branch: "/(?!wip-).*/" }\n');
  refused(['--config', lookahead], /lookahead\.yaml.*cleanup\.keepPolicies\[0\]\.references\.branch.*lookahead and lookbehind .* are not RE2: match the names you want directly/s);
  const backref = policy('backref.yaml', 'cleanup:\n  imageCommits:\n    tagPatterns: ["/(?<sha>[0-9a-f]+)-\\\\1/"]\n');
  refused(['--config', backref], /backref\.yaml.*cleanup\.imageCommits\.tagPatterns\[0\].*backreferences .* are not RE2: write the repeated part out/s);
});

test('Go\'s (?P<sha>…) named group works as werf users write it', () => {
  const file = policy('go-group.yaml', [
    'cleanup:',
    '  keepPolicies:',
    '    - references: { branch: main }',
    '  imageCommits:',
    '    tagPatterns: ["/(?P<sha>[0-9a-f]{7,40})-x/"]',
    '',
  ].join('\n'));
  const r = cleanup('--config', file, '--dry-run', '--report', 'go.json');
  assert.is(r.code, 0, describe(r));
  assert.ok(keptEntry(readReport(join(root, 'go.json')), sha7(commits.main)), 'main is kept');
});

test.run();
