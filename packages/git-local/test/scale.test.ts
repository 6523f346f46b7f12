import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GitRepoBuilder, openLocalGit } from '../src/index.ts';

const temps: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regsweep-git-scale-'));
  temps.push(dir);
  return dir;
}
test.after(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

const START = new Date(Date.UTC(2023, 0, 1));

test('§4.4 commits(): 20,000 commits are read through one long-lived cat-file process', async () => {
  const repo = GitRepoBuilder.init(tempDir());
  const ids = repo.commitMany(20_000, { start: START, stepSeconds: 60 });
  assert.equal(ids.length, 20_000);
  const history = await openLocalGit(repo.dir);
  try {
    // One big pipelined request, then several concurrent ones whose answers must not mix.
    const all = await history.commits([...ids].reverse());
    assert.equal(all.size, ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] ?? '';
      const info = all.get(id);
      assert.ok(info, `commit ${i} missing`);
      assert.equal(info.parents, i === 0 ? [] : [ids[i - 1]]);
      assert.equal(info.date.getTime(), START.getTime() + i * 60_000);
    }
    const slices = [0, 1, 2, 3].map((k) => ids.slice(k * 5000, (k + 1) * 5000));
    const answers = await Promise.all(slices.map((s) => history.commits([...s, '0'.repeat(40)])));
    answers.forEach((answer, k) => {
      assert.equal(answer.size, 5000);
      assert.equal([...answer.keys()], slices[k]);
    });
    const branches = (await history.refs()).filter((r) => r.kind === 'branch');
    assert.equal(branches.map((b) => [b.name, b.commit]), [['main', ids[ids.length - 1]]]);
  } finally {
    await history.close();
  }
});

test('§4.4 commitMany continues an existing branch and mixes with ordinary commits', async () => {
  const repo = GitRepoBuilder.init(tempDir());
  const first = repo.commit('first', { date: START });
  const more = repo.commitMany(3, { start: new Date(START.getTime() + 3600_000), branch: 'main' });
  const history = await openLocalGit(repo.dir);
  try {
    const got = await history.commits(more);
    assert.equal(got.get(more[0] ?? '')?.parents, [first]);
    assert.equal(repo.revParse('main'), more[2]);
  } finally {
    await history.close();
  }
});

test('a forgotten close() does not keep node alive', () => {
  const repo = GitRepoBuilder.init(tempDir());
  const id = repo.commit('only', { date: START });
  const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.js');
  const script = `
    const { openLocalGit } = await import(${JSON.stringify(dist)});
    const h = await openLocalGit(${JSON.stringify(repo.dir)});
    const got = await h.commits([${JSON.stringify(id)}]);
    console.log(got.size);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, null, 'node was still running after 20s');
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.trim(), '1', 'a waiting request keeps node alive until answered');
  assert.equal(r.status, 0);
});

test.run();
