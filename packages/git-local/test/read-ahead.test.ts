import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CommitInfo, GitHistory } from '@regsweep/core';
import { CommitStream } from '../src/commit-stream.ts';
import { gitEnv } from '../src/git-process.ts';
import { GitRepoBuilder, openLocalGit, type LocalGitHistory, type LocalGitOptions } from '../src/index.ts';

const temps: string[] = [];
const opened: LocalGitHistory[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regsweep-git-ahead-'));
  temps.push(dir);
  return dir;
}
async function open(dir: string, options: LocalGitOptions = {}): Promise<LocalGitHistory> {
  const h = await openLocalGit(dir, options);
  opened.push(h);
  return h;
}
test.after(async () => {
  await Promise.all(opened.map((h) => h.close()));
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

const START = new Date(Date.UTC(2024, 0, 1));

/** Waits until `done()` holds (polling), or fails after 10 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (const t0 = Date.now(); !done(); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() - t0 > 10_000) throw new Error(`timed out waiting for ${what}`);
  }
}
const at = (minutes: number): Date => new Date(START.getTime() + minutes * 60_000);

/**
 * Branches with merges, an annotated tag, a commit whose content a replace ref swaps, a graft (which
 * cat-file's raw objects do not show), and a commit no reference reaches.
 */
function tangledRepo(): { repo: GitRepoBuilder; unreachable: string; tree: string } {
  const repo = GitRepoBuilder.init(tempDir());
  const base = repo.commitMany(30, { start: at(0), branch: 'main' });
  repo.branch('feature/a', base[10]);
  repo.commitMany(12, { start: at(15), branch: 'feature/a' });
  repo.checkout('main');
  repo.commitMany(5, { start: at(40), branch: 'main' });
  repo.merge('feature/a', { date: at(50) });
  repo.branch('feature/b', base[20]);
  const b = repo.commitMany(4, { start: at(45), branch: 'feature/b' });
  repo.tag('v1', { annotated: true, date: at(60), target: b[1] });
  repo.checkout('main');
  const swapped = repo.commit('swapped in', { date: at(70) });
  repo.git(['replace', base[5] as string, swapped]);
  fs.writeFileSync(path.join(repo.dir, '.git', 'info', 'grafts'), `${base[25]} ${base[2]}\n`);
  repo.branch('gone', base[29]);
  const unreachable = repo.commit('only on a deleted branch', { date: at(80), branch: 'gone' });
  repo.checkout('main');
  repo.deleteBranch('gone');
  return { repo, unreachable, tree: repo.revParse('HEAD^{tree}') };
}

/** The planner's way of asking: one commit per call, newest first, each parent once. */
async function walkOneByOne(history: GitHistory, tips: readonly string[]): Promise<Map<string, CommitInfo>> {
  const seen = new Map<string, CommitInfo>();
  const queue: CommitInfo[] = [];
  const ask = async (id: string): Promise<void> => {
    if (seen.has(id)) return;
    const c = (await history.commits([id])).get(id);
    if (!c) throw new Error(`commit ${id} not answered`);
    seen.set(id, c);
    queue.push(c);
  };
  for (const t of tips) await ask(t);
  while (queue.length > 0) {
    queue.sort((x, y) => y.date.getTime() - x.date.getTime());
    const next = queue.shift() as CommitInfo;
    for (const p of next.parents) await ask(p);
  }
  return seen;
}

test('read ahead: every commit is answered as cat-file alone answers it (merges, replace refs, grafts, unreachable, uppercase, order)', async () => {
  const { repo, unreachable, tree } = tangledRepo();
  const plain = await open(repo.dir, { readAhead: false });
  const ahead = await open(repo.dir, { readAhead: { ahead: 1_000 } });
  const tips = [...new Set((await ahead.refs()).map((r) => r.commit))];
  await until(() => ahead.stats().stream?.ended === true, 'the listing to end'); // so that the walk below is all read ahead
  assert.equal((await plain.refs()).map((r) => r.commit), (await ahead.refs()).map((r) => r.commit));
  const walked = await walkOneByOne(ahead, tips);
  const expected = await walkOneByOne(plain, tips);
  assert.equal([...walked.keys()].sort(), [...expected.keys()].sort());
  for (const [id, c] of expected) assert.equal(walked.get(id), c, `commit ${id}`);
  assert.ok(expected.size > 40, `walked ${expected.size} commits`);

  const mixed = [unreachable, tree, '0'.repeat(40), ...tips.map((t) => t.toUpperCase()), ...tips.slice(0, 2), 'abc'];
  const a = await ahead.commits(mixed);
  const b = await plain.commits(mixed);
  assert.equal([...a.keys()], [...b.keys()], 'keys in the order asked');
  assert.equal(a, b);
  assert.ok(a.has(unreachable) && !a.has(tree) && !a.has('0'.repeat(40)));
  const stats = ahead.stats();
  assert.equal(stats.stream?.answered, expected.size + tips.length + 2, JSON.stringify(stats)); // the walk, then the tips again
  assert.equal(stats.catFileCommits, 3, 'the walk read nothing through cat-file; the unreachable commit, the tree and the unknown id did');
});

test('read ahead: a walk of 20,000 commits one call at a time reads almost none through cat-file, and listing pauses ahead of the walk', async () => {
  const repo = GitRepoBuilder.init(tempDir());
  const ids = repo.commitMany(20_000, { start: START, stepSeconds: 60 });
  const history = await open(repo.dir, { readAhead: { ahead: 100 } });
  const [main] = await history.refs();
  assert.equal(main?.commit, ids[ids.length - 1]);
  let id: string | undefined = main?.commit;
  for (let i = 0; i < 10 && id; i++) id = (await history.commits([id])).get(id)?.parents[0];
  await new Promise((resolve) => setTimeout(resolve, 200)); // rev-list gets time to run ahead
  const early = history.stats().stream;
  assert.ok(early && early.listed >= 10 && early.listed < 2_000, `listed ${early?.listed} after 10 asked`);
  let walked = 10;
  while (id) {
    id = (await history.commits([id])).get(id)?.parents[0];
    walked += 1;
  }
  assert.equal(walked, 20_000);
  const stats = history.stats();
  // Only what the walk asks while it has caught up with the listing goes through cat-file (all of it without the read-ahead).
  assert.ok(stats.catFileCommits <= 5_000, `${stats.catFileCommits} of 20,000 through cat-file`);
  assert.equal((stats.stream?.answered ?? 0) + stats.catFileCommits, 20_000);
});

test('read ahead: past `max` listed commits, cat-file reads the rest', async () => {
  const repo = GitRepoBuilder.init(tempDir());
  const ids = repo.commitMany(200, { start: START, stepSeconds: 60 });
  const history = await open(repo.dir, { readAhead: { max: 50, ahead: 10 } });
  await history.refs();
  const walked = await walkOneByOne(history, [ids[ids.length - 1] as string]);
  assert.equal(walked.size, 200);
  ids.forEach((id, i) => assert.equal(walked.get(id)?.parents, i === 0 ? [] : [ids[i - 1]]));
  const stats = history.stats();
  assert.equal(stats.stream?.listed, 50);
  assert.equal(stats.stream?.ended, true);
  assert.ok((stats.stream?.answered ?? 0) <= 50);
  assert.equal((stats.stream?.answered ?? 0) + stats.catFileCommits, 200);
  assert.ok(stats.catFileCommits >= 150);
});

test('read ahead: a rev-list that fails (a tip that is not there) lists nothing and ends', async () => {
  const repo = GitRepoBuilder.init(tempDir());
  const [id] = repo.commitMany(3, { start: START });
  const stream = new CommitStream(repo.dir, gitEnv(), ['1'.repeat(40), id as string]);
  try {
    await until(() => stream.stats().ended, 'rev-list to end');
    assert.equal(stream.get(id as string), undefined);
    assert.equal(stream.stats(), { listed: 0, answered: 0, ended: true });
  } finally {
    stream.close();
  }
});

test('read ahead: a paused listing and a forgotten close() do not keep node alive', () => {
  const repo = GitRepoBuilder.init(tempDir());
  repo.commitMany(5_000, { start: START });
  const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.js');
  const script = `
    const { openLocalGit } = await import(${JSON.stringify(dist)});
    const h = await openLocalGit(${JSON.stringify(repo.dir)}, { readAhead: { ahead: 10 } });
    const [main] = await h.refs();
    const got = await h.commits([main.commit]);
    console.log(got.size, h.stats().stream.ended);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, null, 'node was still running after 20s');
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.trim(), '1 false', 'the listing was still open (paused) when the script ended');
  assert.equal(r.status, 0);
});

test.run();
