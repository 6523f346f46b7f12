/**
 * The component itself (templates/cleanup.yml), parsed, interpolated and run by gitlab-ci-local (npm,
 * shell executor) the way GitLab does. A user's project (`acme/app`) has the README's include snippet,
 * verbatim, as its pipeline (its placeholders filled in: the group `acme`, this release); the job runs
 * `npx` of the npm package @regsweep/gitlab-ci, packed from this checkout and published to a local npm
 * registry (test-kit's fake-npm-registry, the project's `npm_config_registry` variable), against the
 * fake GitLab; a later job reads the dotenv report.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { VERSION } from '@regsweep/core';
import { startFakeNpmRegistry } from '@regsweep/test-kit/fake-npm-registry';
import { C, startWorld, TOKENS } from '@regsweep/test-kit/gitlab-world';
import { fakeGitLabVariables, gitlabCiLocal, listedJobs, userProject, type ComponentProject } from './support/gitlab-ci-local.js';
import { packWorkspace, publishTarball } from './support/npm-packages.js';

const root = new URL('..', import.meta.url).pathname;
const npmHome = await mkdtemp(join(tmpdir(), 'regsweep-npm-gitlab-'));
const registry = await startFakeNpmRegistry();
await publishTarball(await packWorkspace('gitlab-ci', npmHome), registry, npmHome);

/** The README's include snippet, as a user copies it. */
async function readmeSnippet(): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## GitLab CI/CD component'));
  const block = /```yaml\n(include:\n[\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README: no include snippet under "GitLab CI/CD component"');
  return block.replace('<group>', 'acme').replace('<version>', VERSION);
}

const POLICY = `cleanup:
  keepPolicies:
    - references: { branch: /.*/ }
      imagesPerReference: { last: 1 }
    - references: { tag: /.*/ }
`;

const RESULT_JOB = `
cleanup-result:
  stage: .post
  needs: [regsweep-cleanup]
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
  script:
    - echo "result deleted=$REGSWEEP_DELETED kept=$REGSWEEP_KEPT failed=$REGSWEEP_FAILED exit=$REGSWEEP_EXIT_CODE"
`;

/** The README snippet with more inputs (YAML lines, indented under `inputs:`). */
const withInputs = (snippet: string, inputs: string): string =>
  snippet.replace(/(\n    inputs:\n)/, `$1${inputs.split('\n').map((l) => `      ${l}`).join('\n')}\n`);

const project = async (pipeline: string): Promise<ComponentProject> => userProject({ '.regsweep.yml': POLICY, '.gitlab-ci.yml': pipeline }, VERSION);

test('the template: every input has a description and a default; the job runs the npm package of its release', async () => {
  const docs = parseAllDocuments(await readFile(join(root, 'templates/cleanup.yml'), 'utf8'));
  assert.is(docs.length, 2, 'a spec header, ---, then the job');
  const spec = docs[0]?.toJS() as { spec: { component?: unknown; inputs: Record<string, { description?: string; default?: unknown; regex?: string }> } };
  const inputs = spec.spec.inputs;
  for (const name of ['stage', 'as', 'repositories', 'config', 'dry-run', 'token-variable', 'kubeconfig-variable', 'max-deletions', 'rules', 'version']) {
    assert.ok(name in inputs, `input ${name}`);
  }
  for (const [name, input] of Object.entries(inputs)) {
    assert.ok((input.description ?? '').length > 10, `${name} has a description`);
    assert.ok(input.default !== undefined, `${name} has a default`);
  }
  assert.is(spec.spec.component, undefined, 'no component context: it is Beta in GitLab 18.6');
  assert.is(inputs['version']?.default, VERSION, 'the default version is this release');
  const exact = new RegExp(inputs['version']?.regex ?? '');
  assert.ok(exact.test('1.2.3') && exact.test('1.2.3-rc.1'));
  for (const loose of ['latest', '^1.2.0', '1.2', '1.x']) assert.not.ok(exact.test(loose), `${loose} is not a pin`);
  const text = String(docs[1]);
  assert.not.match(text, /component\./);
  assert.match(text, /npx --yes --package "@regsweep\/gitlab-ci@\$REGSWEEP_VERSION" -- regsweep-gitlab-ci/);
});

test("the README's snippet, verbatim, in a scheduled pipeline: npx runs the published package, the registry is cleaned, the next job reads the dotenv report", async () => {
  const world = await startWorld(new Date());
  const snippet = await readmeSnippet();
  assert.not.match(snippet, /source:|bundle:|version:/, 'the snippet names no code source');
  const p = await project(`${snippet}${RESULT_JOB}`);
  try {
    const r = await gitlabCiLocal(p, {
      ...fakeGitLabVariables(world.gitlab.url, p.dir), CI_PIPELINE_SOURCE: 'schedule', REGSWEEP_API_TOKEN: TOKENS.api, npm_config_registry: registry.url,
    });
    assert.is(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`regsweep ${VERSION.replaceAll('.', '\\.')}: npx --package @regsweep/gitlab-ci@${VERSION.replaceAll('.', '\\.')}`));
    assert.match(r.out, new RegExp(`regsweep ${VERSION.replaceAll('.', '\\.')}: cleanup of the container registry of acme/app`), 'the package is this release');
    assert.match(r.out, /token: variable REGSWEEP_API_TOKEN/);
    assert.match(r.out, /regsweep-cleanup regsweep_summary_started/, 'gitlab-ci-local reads the section markers');
    assert.match(r.out, /result deleted=4 kept=5 failed=0 exit=0/);
    const left = [...(world.gitlab.registry.tags.get('acme/app')?.keys() ?? [])];
    for (const gone of [C.c3, C.f1, C.g1]) assert.not.ok(left.includes(gone), `${gone} deleted`);
    for (const kept of ['main', 'feature-live', 'v1.0', C.c1]) assert.ok(left.includes(kept), `${kept} kept`);
    const report = JSON.parse(await readFile(join(p.dir, '.gitlab-ci-local/artifacts/regsweep-cleanup/regsweep-report.json'), 'utf8')) as { deleted: unknown[] };
    assert.is(report.deleted.length, 4, 'the JSON report is the job\'s artifact');
    const fetched = new Set(registry.server.requests.filter((q) => q.method === 'GET').map((q) => q.url));
    assert.equal([...fetched].sort(), [`/-/tarballs/regsweep-gitlab-ci-${VERSION}.tgz`, '/@regsweep%2fgitlab-ci'], 'npx fetched the pinned package and nothing else');
    assert.not.ok(r.out.includes(TOKENS.api), 'the token is never printed');
  } finally {
    await world.gitlab.close();
    await p.remove();
  }
});

test('the default rules: no cleanup job in a push pipeline; a wrong input type or a loose version fails when the pipeline is built', async () => {
  const snippet = await readmeSnippet();
  const p = await project(`${snippet}${RESULT_JOB}`);
  try {
    const push = await gitlabCiLocal(p, { CI_PIPELINE_SOURCE: 'push' }, ['--list']);
    assert.is(push.code, 0, push.out);
    assert.equal(listedJobs(push.stdout), []);
    const schedule = await gitlabCiLocal(p, { CI_PIPELINE_SOURCE: 'schedule' }, ['--list']);
    assert.equal(listedJobs(schedule.stdout), ['regsweep-cleanup', 'cleanup-result']);
    assert.match(schedule.out, /regsweep-cleanup\s+\.post\s+on_success/);
    for (const [input, name] of [['max-deletions: lots', 'max-deletions'], ['version: latest', 'version']] as const) {
      await p.write('.gitlab-ci.yml', `${withInputs(snippet, input)}${RESULT_JOB}`);
      const bad = await gitlabCiLocal(p, { CI_PIPELINE_SOURCE: 'schedule' }, ['--list']);
      assert.ok(bad.code !== 0, bad.out);
      assert.match(bad.out, new RegExp(name));
    }
  } finally {
    await p.remove();
  }
});

test.after(async () => {
  await registry.close();
  await rm(npmHome, { recursive: true, force: true });
});
test.run();
