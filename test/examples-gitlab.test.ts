/**
 * The GitLab pipelines users see, through gitlab-ci-local (test/support/gitlab-ci-local.ts):
 * - regsweep's own .gitlab-ci.yml: tests everywhere; the dry run of the component at this commit on
 *   the default branch when REGSWEEP_READ_TOKEN is set (and it runs from the checkout, writing
 *   nothing); the catalog release on semver tags only;
 * - examples/gitlab: the cleanup job only in scheduled pipelines, a later job reading the dotenv
 *   report, and a policy file regsweep accepts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { VERSION } from '@regsweep/core';
import { loadPolicy } from '@regsweep/node-host';
import { startWorld, TOKENS } from '@regsweep/test-kit/gitlab-world';
import { componentProject, fakeGitLabVariables, gitlabCiLocal, listedJobs, userProject } from './support/gitlab-ci-local.js';

const root = new URL('..', import.meta.url).pathname;
const read = (path: string): Promise<string> => readFile(join(root, path), 'utf8');

test("regsweep's .gitlab-ci.yml: which jobs each pipeline has", async () => {
  const p = await componentProject({ '.gitlab-ci.yml': await read('.gitlab-ci.yml') });
  try {
    const jobs = async (variables: Record<string, string>): Promise<string[]> => {
      const r = await gitlabCiLocal(p, { CI_PIPELINE_SOURCE: 'push', ...variables }, ['--list']);
      assert.is(r.code, 0, r.out);
      return listedJobs(r.stdout);
    };
    assert.equal(await jobs({}), ['test'], 'a push to main without the read token');
    assert.equal(await jobs({ REGSWEEP_READ_TOKEN: TOKENS.read }), ['test', 'cleanup-dry-run']);
    assert.equal(await jobs({ REGSWEEP_READ_TOKEN: TOKENS.read, CI_PIPELINE_SOURCE: 'schedule' }), ['test', 'cleanup-dry-run']);
    assert.equal(await jobs({ CI_COMMIT_BRANCH: '', CI_COMMIT_REF_NAME: '1.4.0', CI_COMMIT_TAG: '1.4.0' }), ['test', 'publish-npm', 'release']);
    assert.equal(await jobs({ CI_COMMIT_BRANCH: '', CI_COMMIT_REF_NAME: 'v1.4', CI_COMMIT_TAG: 'v1.4' }), ['test'], 'no release for a tag that is not semver');
    const doc = parse(await read('.gitlab-ci.yml')) as { release: { release: { tag_name: string } } };
    assert.is(doc.release.release.tag_name, '$CI_COMMIT_TAG');
  } finally {
    await p.remove();
  }
});

test('the dry-run job of the project pipeline runs the checkout\'s bundle and writes nothing', async () => {
  const world = await startWorld(new Date());
  const p = await componentProject({ '.gitlab-ci.yml': await read('.gitlab-ci.yml') });
  try {
    // The include names $CI_PROJECT_PATH, so the project keeps gitlab-ci-local's path (acme/regsweep); the fake answers by id.
    const { CI_PROJECT_PATH: _, ...variables } = fakeGitLabVariables(world.gitlab.url, p.dir);
    const r = await gitlabCiLocal(p, { ...variables, CI_PIPELINE_SOURCE: 'schedule', REGSWEEP_READ_TOKEN: TOKENS.read }, ['cleanup-dry-run']);
    assert.is(r.code, 0, r.out);
    assert.match(r.out, /dry run of the cleanup of the container registry of acme\/regsweep/);
    assert.match(r.out, /policy: the default/);
    assert.match(r.out, /kept 7 \(git-history 6, closure 1\), would delete 2/, 'the default policy drops the deleted branch\'s image and its signature');
    assert.match(r.out, /regsweep: running dist\/gitlab\/index\.js of this checkout/);
    assert.not.match(r.out, /npx/, 'the bundle input runs this checkout, not the npm package');
    assert.equal(world.gitlab.requestTimes.filter((q) => q.method === 'DELETE'), []);
    assert.not.ok(r.out.includes(TOKENS.read), 'the token is never printed');
  } finally {
    await world.gitlab.close();
    await p.remove();
  }
});

test('examples/gitlab: the cleanup job in scheduled pipelines only; its policy loads', async () => {
  const example = await read('examples/gitlab/.gitlab-ci.yml');
  assert.ok(example.includes(`component: $CI_SERVER_FQDN/tools/regsweep/cleanup@${VERSION}`), 'the example pins this release');
  // The component project's path here is acme/regsweep.
  const pipeline = example.replace('$CI_SERVER_FQDN/tools/regsweep/', 'gitlab.example.com/acme/regsweep/');
  const p = await userProject({ '.gitlab-ci.yml': pipeline, '.regsweep.yml': await read('examples/gitlab/.regsweep.yml') }, VERSION);
  try {
    const list = (source: string) => gitlabCiLocal(p, { CI_PIPELINE_SOURCE: source }, ['--list']);
    assert.equal(listedJobs((await list('schedule')).stdout), ['regsweep-cleanup', 'cleanup-notice']);
    assert.equal(listedJobs((await list('push')).stdout), []);
    assert.equal(listedJobs((await list('merge_request_event')).stdout), []);
    const loaded = await loadPolicy({ cwd: p.dir });
    assert.is(loaded.source, '.regsweep.yml');
    assert.is(loaded.policy.keepPolicies.length, 3);
  } finally {
    await p.remove();
  }
});

test.run();
