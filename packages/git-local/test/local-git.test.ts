import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IncompleteInputError, InputError, type GitRef } from '@regsweep/core';
import { GitRepoBuilder, openLocalGit, type LocalGitHistory } from '../src/index.ts';

const temps: string[] = [];
const opened: LocalGitHistory[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regsweep-git-local-'));
  temps.push(dir);
  return dir;
}
async function open(dir: string): Promise<LocalGitHistory> {
  const h = await openLocalGit(dir);
  opened.push(h);
  return h;
}
test.after(async () => {
  await Promise.all(opened.map((h) => h.close()));
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

const day = (n: number): Date => new Date(Date.UTC(2024, 0, n, 12, 0, 0));
const names = (refs: GitRef[], kind: GitRef['kind']): string[] =>
  refs.filter((r) => r.kind === kind).map((r) => r.name).sort();
const byName = (refs: GitRef[], kind: GitRef['kind'], name: string): GitRef => {
  const ref = refs.find((r) => r.kind === kind && r.name === name);
  if (!ref) throw new Error(`no ${kind} ${name} in ${JSON.stringify(refs)}`);
  return ref;
};

/** main: c1 (day 1) - c2 (day 2) - m (day 5, merges feature/x: f1 day 3, f2 day 4); tags. */
function upstream(): { repo: GitRepoBuilder; c1: string; c2: string; f1: string; f2: string; m: string } {
  const repo = GitRepoBuilder.init(path.join(tempDir(), 'upstream'));
  const c1 = repo.commit('c1', { date: day(1) });
  const c2 = repo.commit('c2', { date: day(2) });
  const f1 = repo.commit('f1', { date: day(3), branch: 'feature/x' });
  const f2 = repo.commit('f2', { date: day(4) });
  repo.checkout('main');
  const m = repo.merge('feature/x', { date: day(5), message: 'merge feature/x' });
  repo.tag('v1.0.0', { annotated: true, date: day(20), target: c1 });
  repo.tag('light', { target: c2 });
  return { repo, c1, c2, f1, f2, m };
}

test('§4.1 local branches are the candidates when there is no origin remote', async () => {
  const { repo, m, f2 } = upstream();
  const refs = await (await open(repo.dir)).refs();
  assert.equal(names(refs, 'branch'), ['feature/x', 'main']);
  assert.equal(byName(refs, 'branch', 'main').commit, m);
  assert.equal(byName(refs, 'branch', 'feature/x').commit, f2);
  assert.equal(names(refs, 'tag'), ['light', 'v1.0.0']);
});

test('§4.1 origin remote-tracking branches are the candidates when origin exists', async () => {
  const { repo, f2 } = upstream();
  const clone = repo.cloneTo(path.join(tempDir(), 'clone'));
  clone.commit('local work', { date: day(9), branch: 'local-only' });
  repo.commit('pushed later, not fetched', { date: day(10), branch: 'not-fetched' });
  const refs = await (await open(clone.dir)).refs();
  // origin/HEAD is left out; the clone's own branch is not a candidate; names carry no `origin/`.
  assert.equal(names(refs, 'branch'), ['feature/x', 'main']);
  assert.equal(byName(refs, 'branch', 'feature/x').commit, f2);
  assert.equal(names(refs, 'tag'), ['light', 'v1.0.0']);
});

test('§4.1 a bare clone (origin without remote-tracking branches) uses its branches', async () => {
  const { repo, m } = upstream();
  const bare = repo.cloneTo(path.join(tempDir(), 'bare.git'), { bare: true });
  const refs = await (await open(bare.dir)).refs();
  assert.equal(names(refs, 'branch'), ['feature/x', 'main']);
  assert.equal(byName(refs, 'branch', 'main').commit, m);
});

test('§4.2 a branch is dated by the committer date of its tip', async () => {
  const { repo } = upstream();
  const refs = await (await open(repo.dir)).refs();
  assert.equal(byName(refs, 'branch', 'main').date.toISOString(), day(5).toISOString());
  assert.equal(byName(refs, 'branch', 'feature/x').date.toISOString(), day(4).toISOString());
});

test('§4.2 an annotated tag is dated by its tagger date, a lightweight tag by its commit', async () => {
  const { repo, c1, c2, m } = upstream();
  repo.tag('nested', { annotated: true, date: day(21), target: 'v1.0.0' });
  repo.tag('tree-tag', { target: `${m}^{tree}` });
  repo.tag('tree-annotated', { annotated: true, date: day(22), target: `${m}^{tree}` });
  const refs = await (await open(repo.dir)).refs();
  const annotated = byName(refs, 'tag', 'v1.0.0');
  assert.equal(annotated.commit, c1, 'peeled to the commit');
  assert.equal(annotated.date.toISOString(), day(20).toISOString());
  const light = byName(refs, 'tag', 'light');
  assert.equal(light.commit, c2);
  assert.equal(light.date.toISOString(), day(2).toISOString());
  const nested = byName(refs, 'tag', 'nested');
  assert.equal(nested.commit, c1, 'a tag of a tag is peeled to the commit');
  assert.equal(nested.date.toISOString(), day(21).toISOString());
  assert.equal(names(refs, 'tag'), ['light', 'nested', 'v1.0.0'], 'tags of trees are skipped');
  for (const r of refs) assert.match(r.commit, /^[0-9a-f]{40}$/);
});

test('§4.4 commits(): parents in order (merges have two), committer dates, missing ids absent', async () => {
  const { repo, c1, c2, f1, f2, m } = upstream();
  const history = await open(repo.dir);
  const missing = 'f'.repeat(40);
  const blob = repo.git(['hash-object', '-w', '--stdin'], { input: 'not a commit\n' });
  const got = await history.commits([m, c1, c2, f1, f2, missing, blob, 'HEAD', `${m.slice(0, 39)}\n`, m]);
  assert.equal([...got.keys()].sort(), [c1, c2, f1, f2, m].sort());
  assert.equal(got.get(m)?.parents, [c2, f2], 'first parent is the branch merged into');
  assert.equal(got.get(m)?.date.toISOString(), day(5).toISOString());
  assert.equal(got.get(f1)?.parents, [c2]);
  assert.equal(got.get(c1)?.parents, []);
  assert.equal(got.get(c1)?.id, c1);
  assert.equal((await history.commits([])).size, 0);
});

test('§3 resolvePrefixes(): abbreviated ids of commits resolve; unknown and non-commits are absent', async () => {
  const { repo, c1, m } = upstream();
  const history = await open(repo.dir);
  const tagObject = repo.revParse('refs/tags/v1.0.0');
  const tree = repo.revParse(`${m}^{tree}`);
  const unknown = c1.startsWith('0000000') ? '1111111' : '0000000';
  const got = await history.resolvePrefixes([c1.slice(0, 7), m.slice(0, 39), m.slice(0, 12).toUpperCase(), unknown, tagObject.slice(0, 10), tree.slice(0, 10), 'abc', 'not-hex']);
  assert.equal(
    [...got.entries()].sort(),
    [[c1.slice(0, 7), c1], [m.slice(0, 39), m], [m.slice(0, 12).toUpperCase(), m]].sort(),
  );
});

/** Two commit objects whose ids share at least 7 hex digits (a birthday search, ~2^14 hashes). */
function collidingCommits(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i++) {
    const body = `tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@b> 1704067200 +0000\ncommitter A <a@b> 1704067200 +0000\n\nambiguous ${i}\n`;
    const id = createHash('sha1').update(`commit ${Buffer.byteLength(body)}\0${body}`).digest('hex');
    const other = seen.get(id.slice(0, 7));
    if (other !== undefined) return [other, body];
    seen.set(id.slice(0, 7), body);
  }
}

test('§3 resolvePrefixes(): an ambiguous prefix is absent, a longer unique one resolves', async () => {
  const { repo } = upstream();
  const [a, b] = collidingCommits().map((body) => repo.git(['hash-object', '-t', 'commit', '-w', '--stdin'], { input: body }));
  assert.ok(a && b && a !== b);
  let common = 0;
  while (a[common] === b[common]) common++;
  const history = await open(repo.dir);
  const got = await history.resolvePrefixes([a.slice(0, 7), a.slice(0, common), a.slice(0, common + 1), b.slice(0, common + 1)]);
  assert.equal(got.get(a.slice(0, common + 1)), a);
  assert.equal(got.get(b.slice(0, common + 1)), b);
  assert.not.ok(got.has(a.slice(0, 7)));
  assert.not.ok(got.has(a.slice(0, common)));
  // The process survives the ambiguity (its stderr hints are drained) and keeps answering.
  assert.equal((await history.commits([a])).get(a)?.parents, []);
});

test('§4.1 a shallow clone is refused with the fix (InputError, exit 2)', async () => {
  const { repo } = upstream();
  const shallow = repo.cloneTo(path.join(tempDir(), 'shallow'), { shallow: true });
  try {
    await openLocalGit(shallow.dir);
    assert.unreachable('a shallow clone was accepted');
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    assert.match(e.message, shallow.dir);
    assert.match(e.message, 'shallow');
    assert.match(e.message, 'git fetch --unshallow');
    assert.match(e.hint ?? '', 'fetch-depth: 0');
    assert.match(e.hint ?? '', 'GIT_DEPTH: 0');
  }
});

test('§6 a directory that is not a git repository, or is missing, is refused (InputError)', async () => {
  const plain = tempDir();
  for (const dir of [plain, path.join(plain, 'missing'), path.join(plain, 'file')]) {
    if (dir.endsWith('file')) fs.writeFileSync(dir, 'x');
    try {
      await openLocalGit(dir);
      assert.unreachable(`${dir} was accepted`);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      assert.match(e.message, dir);
      assert.match(e.message, 'not a git repository');
      assert.ok(e.hint);
    }
  }
});

test('§6 a history that can no longer be read fails closed (IncompleteInputError)', async () => {
  const { repo, m } = upstream();
  const history = await open(repo.dir);
  fs.rmSync(path.join(repo.dir, '.git'), { recursive: true, force: true });
  for (const read of [() => history.refs(), () => history.commits([m]), () => history.resolvePrefixes([m.slice(0, 8)])]) {
    try {
      await read();
      assert.unreachable('an unreadable history was answered');
    } catch (e) {
      if (!(e instanceof IncompleteInputError)) throw e;
      assert.match(e.message, 'git history');
    }
  }
});

test('§4.1 a subdirectory of a working tree reads the repository', async () => {
  const { repo, m } = upstream();
  fs.mkdirSync(path.join(repo.dir, 'sub'));
  const history = await open(path.join(repo.dir, 'sub'));
  assert.equal(byName(await history.refs(), 'branch', 'main').commit, m);
});

test.run();
