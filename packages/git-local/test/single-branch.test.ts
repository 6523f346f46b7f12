/** §6 fail closed: a clone that fetches only some of origin's branches is refused. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '@regsweep/core';
import { GitRepoBuilder, openLocalGit } from '../src/index.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'regsweep-single-'));
test.after(() => fs.rmSync(root, { recursive: true, force: true }));

test('§4.1/§6 a --single-branch clone is refused with the fix; a full clone is read', async () => {
  const repo = GitRepoBuilder.init(path.join(root, 'upstream'));
  repo.commit('one', { date: '2026-11-01T00:00:00Z' });
  repo.commit('two', { date: '2026-11-02T00:00:00Z', branch: 'feature' });
  const single = path.join(root, 'single');
  execFileSync('git', ['clone', '-q', '--single-branch', '--branch', 'main', `file://${repo.dir}`, single], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  const history = await openLocalGit(single);
  try {
    await history.refs();
    assert.unreachable('a single-branch clone must be refused');
  } catch (err) {
    assert.instance(err, InputError);
    assert.match((err as Error).message, /fetches only refs\/heads\/main/);
    assert.match((err as InputError).hint ?? '', /refs\/heads\/\*:refs\/remotes\/origin\/\*/);
  } finally {
    await history.close();
  }
  const full = repo.cloneTo(path.join(root, 'full'));
  const ok = await openLocalGit(full.dir);
  assert.equal((await ok.refs()).filter((r) => r.kind === 'branch').map((r) => r.name).sort(), ['feature', 'main']);
  await ok.close();
});

test.run();
