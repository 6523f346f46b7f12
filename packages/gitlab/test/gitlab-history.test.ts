/**
 * GitLabHistory against the fake GitLab (REST v4 wire format, offset pagination): references with
 * their dates (§4.2), merge requests as `mr-<iid>` (§4.1), lazy history pages, prefixes, and the
 * failures that must stop a run (CI_JOB_TOKEN on commits, a refused token).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IncompleteInputError, InputError } from '@regsweep/core';
import { openGitLabProject, type GitLabAuth } from '../src/index.js';
import { C, id, startWorld, TOKENS, type World } from '@regsweep/test-kit/gitlab-world';

const now = new Date('2026-12-01T12:00:00Z');
const test = suite<{ world: World }>('gitlab history');

test.before(async (ctx) => {
  ctx.world = await startWorld(now);
});
test.after(async (ctx) => ctx.world.gitlab.close());

function project(world: World, auth: GitLabAuth = { kind: 'token', value: TOKENS.read }, mergeRequests = true) {
  return openGitLabProject({ serverUrl: world.gitlab.url, auth, projectId: '42', projectPath: 'acme/app', registry: world.gitlab.url, mergeRequests });
}

test('§4.1/§4.2: branches, tags (annotated: tagger date) and open merge requests as mr-<iid>', async ({ world }) => {
  const refs = await project(world).history.refs();
  const by = new Map(refs.map((r) => [`${r.kind}:${r.name}`, r]));
  assert.equal([...by.keys()].sort(), ['branch:feature/live', 'branch:main', 'branch:mr-7', 'tag:v0.9', 'tag:v1.0']);
  assert.is(by.get('branch:main')?.commit, C.m4);
  assert.is(by.get('branch:main')?.date.toISOString(), world.gitlab.project.commits.get(C.m4)?.date);
  assert.is(by.get('tag:v1.0')?.date.toISOString(), new Date(now.getTime() - 24 * 86_400_000).toISOString(), 'annotated: tagger date');
  assert.is(by.get('tag:v0.9')?.date.toISOString(), world.gitlab.project.commits.get(C.c1)?.date, 'lightweight: commit date');
  assert.is(by.get('branch:mr-7')?.commit, C.l1, 'the merged MR !5 is not a reference');
});

test('merge requests can be left out', async ({ world }) => {
  const refs = await project(world, undefined, false).history.refs();
  assert.not.ok(refs.some((r) => r.name.startsWith('mr-')));
});

test('every page of a long branch list is read (Link rel="next")', async ({ world }) => {
  const p = world.gitlab.project;
  for (let i = 0; i < 150; i++) p.branches.set(`bulk/${String(i).padStart(3, '0')}`, C.c3);
  try {
    const before = world.gitlab.requestTimes.filter((r) => r.path.endsWith('/repository/branches')).length;
    const refs = await project(world).history.refs();
    assert.is(refs.filter((r) => r.name.startsWith('bulk/')).length, 150);
    assert.is(world.gitlab.requestTimes.filter((r) => r.path.endsWith('/repository/branches')).length - before, 2, '152 branches, 100 a page');
  } finally {
    for (let i = 0; i < 150; i++) p.branches.delete(`bulk/${String(i).padStart(3, '0')}`);
  }
});

test('commits: one page from an asked commit answers its ancestors from memory', async ({ world }) => {
  const { history } = project(world);
  const first = await history.commits([C.m4]);
  assert.equal(first.get(C.m4)?.parents, [C.c3, C.f1]);
  const pages = history.stats().historyPages;
  const later = await history.commits([C.c3, C.f1, C.c1]);
  assert.is(later.size, 3);
  assert.is(history.stats().historyPages, pages, 'no further request');
  const unknown = await history.commits([id('nope')]);
  assert.is(unknown.size, 0, 'a commit GitLab does not know is absent, not an error');
});

test('prefixes resolve through repository/commits/:sha; unknown ones are absent', async ({ world }) => {
  const { history } = project(world);
  const found = await history.resolvePrefixes([C.g1.slice(0, 9), 'abcdef1234']);
  assert.is(found.get(C.g1.slice(0, 9)), C.g1);
  assert.not.ok(found.has('abcdef1234'));
});

test('CI_JOB_TOKEN: branches and tags are listed; an open merge request needs its commit, so refs() fails clearly', async ({ world }) => {
  const refs = await project(world, { kind: 'job', value: TOKENS.job }, false).history.refs();
  assert.is(refs.length, 4, 'branches and tags accept the job token');
  try {
    await project(world, { kind: 'job', value: TOKENS.job }).history.refs();
    assert.unreachable('the merge request head date needs the commits API');
  } catch (err) {
    assert.instance(err, InputError);
    assert.match((err as InputError).hint ?? '', /CI_JOB_TOKEN cannot list commits/);
  }
});

test('CI_JOB_TOKEN: commits fail with the token to give instead', async ({ world }) => {
  try {
    await project(world, { kind: 'job', value: TOKENS.job }, false).history.commits([C.m4]);
    assert.unreachable('commits must fail');
  } catch (err) {
    assert.instance(err, InputError);
    assert.match((err as InputError).message, /history from .*acme\/app.*404/);
    assert.match((err as InputError).hint ?? '', /CI_JOB_TOKEN cannot list commits.*read_api.*token-variable/);
  }
});

test('a refused token is an InputError; GitLab failing is incomplete input', async ({ world }) => {
  try {
    await project(world, { kind: 'token', value: 'wrong' }).history.refs();
    assert.unreachable();
  } catch (err) {
    assert.instance(err, InputError);
    assert.match((err as Error).message, /refused the token \(401\)/);
  }
  const broken = openGitLabProject({ serverUrl: 'http://127.0.0.1:9', auth: { kind: 'token', value: 'x' }, projectId: '42', projectPath: 'acme/app', registry: 'x', attempts: 2, backoffMs: 1 });
  try {
    await broken.history.refs();
    assert.unreachable();
  } catch (err) {
    assert.instance(err, IncompleteInputError);
    assert.match((err as Error).message, /git references of acme\/app \(GitLab\): the branches could not be read/);
  }
});

test.run();
