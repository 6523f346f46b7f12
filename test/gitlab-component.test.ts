/**
 * The component itself (templates/cleanup.yml), parsed, interpolated and run by gitlab-ci-local (npm,
 * shell executor) the way GitLab does: a project whose git remote is the component project includes
 * `cleanup@$CI_COMMIT_SHA` with inputs; the job fetches that commit of the component project (a local
 * clone here, the `source` input), runs its dist/gitlab/index.js against the fake GitLab, and a later
 * job reads the dotenv report. The project holds the working tree's template and bundle
 * (test/dist.test.ts proves the bundle is what the sources build).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { C, startWorld, TOKENS } from '@regsweep/test-kit/gitlab-world';
import { componentProject, fakeGitLabVariables, gitlabCiLocal, listedJobs, type ComponentProject } from './support/gitlab-ci-local.js';

const root = new URL('..', import.meta.url).pathname;

const POLICY = `cleanup:
  keepPolicies:
    - references: { branch: /.*/ }
      imagesPerReference: { last: 1 }
    - references: { tag: /.*/ }
`;

/** The pipeline of a project that includes the component (its inputs as YAML lines), plus a job reading the dotenv report. */
function pipeline(inputs: string): string {
  return `include:
  - component: gitlab.example.com/acme/regsweep/cleanup@$CI_COMMIT_SHA
    inputs:
      as: registry-cleanup
${inputs.split('\n').filter((l) => l !== '').map((l) => `      ${l}`).join('\n')}
cleanup-result:
  stage: .post
  needs: [registry-cleanup]
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
  script:
    - echo "result deleted=$REGSWEEP_DELETED kept=$REGSWEEP_KEPT failed=$REGSWEEP_FAILED exit=$REGSWEEP_EXIT_CODE"
`;
}

const project = (inputs: string): Promise<ComponentProject> => componentProject({ '.regsweep.yml': POLICY, '.gitlab-ci.yml': pipeline(inputs) });

test('the template: every input has a description and a default; the job pins the component commit', async () => {
  const docs = parseAllDocuments(await readFile(join(root, 'templates/cleanup.yml'), 'utf8'));
  assert.is(docs.length, 2, 'a spec header, ---, then the job');
  const spec = docs[0]?.toJS() as { spec: { component: string[]; inputs: Record<string, { description?: string; default?: unknown }> } };
  const inputs = spec.spec.inputs;
  for (const name of ['stage', 'as', 'repositories', 'config', 'dry-run', 'token-variable', 'kubeconfig-variable', 'max-deletions', 'rules']) {
    assert.ok(name in inputs, `input ${name}`);
  }
  for (const [name, input] of Object.entries(inputs)) {
    assert.ok((input.description ?? '').length > 10, `${name} has a description`);
    assert.ok(input.default !== undefined, `${name} has a default`);
  }
  assert.equal(spec.spec.component.sort(), ['name', 'reference', 'sha', 'version']);
  const text = String(docs[1]);
  assert.match(text, /REGSWEEP_VERSION: "\$\[\[ component\.version \]\]"/);
  assert.match(text, /REGSWEEP_SHA: "\$\[\[ component\.sha \]\]"/);
  assert.match(text, /node "\$REGSWEEP_HOME\/dist\/gitlab\/index\.js"/);
});

test('a scheduled pipeline: the component job fetches its commit, cleans the registry, the next job reads the dotenv report', async () => {
  const world = await startWorld(new Date());
  const p = await project('token-variable: CLEANUP_TOKEN\nsource: "@SOURCE@"\nrepositories: ["."]\nmax-deletions: 100');
  try {
    const r = await gitlabCiLocal(p, { ...fakeGitLabVariables(world.gitlab.url, p.dir), CI_PIPELINE_SOURCE: 'schedule', CLEANUP_TOKEN: TOKENS.api });
    assert.is(r.code, 0, r.out);
    const head = await p.head();
    assert.match(r.out, new RegExp(`regsweep ${head}: fetching ${head} of file://`), 'the job runs the component\'s own commit');
    assert.match(r.out, /token: variable CLEANUP_TOKEN/);
    assert.match(r.out, /registry-cleanup regsweep_summary_started/, 'gitlab-ci-local reads the section markers');
    assert.match(r.out, /registry-cleanup regsweep_deleted_started/);
    assert.match(r.out, /result deleted=4 kept=5 failed=0 exit=0/);
    const left = [...(world.gitlab.registry.tags.get('acme/app')?.keys() ?? [])];
    for (const gone of [C.c3, C.f1, C.g1]) assert.not.ok(left.includes(gone), `${gone} deleted`);
    for (const kept of ['main', 'feature-live', 'v1.0', C.c1]) assert.ok(left.includes(kept), `${kept} kept`);
    const report = JSON.parse(await readFile(join(p.dir, '.gitlab-ci-local/artifacts/registry-cleanup/regsweep-report.json'), 'utf8')) as { deleted: unknown[] };
    assert.is(report.deleted.length, 4, 'the JSON report is the job\'s artifact');
    assert.not.ok(r.out.includes(TOKENS.api), 'the token is never printed');
  } finally {
    await world.gitlab.close();
    await p.remove();
  }
});

test('the default rules: no cleanup job in a push pipeline; a wrong input type fails when the pipeline is built', async () => {
  const p = await project('dry-run: true');
  try {
    const push = await gitlabCiLocal(p, { CI_PIPELINE_SOURCE: 'push' }, ['--list']);
    assert.is(push.code, 0, push.out);
    assert.equal(listedJobs(push.stdout), []);
    const schedule = await gitlabCiLocal(p, { CI_PIPELINE_SOURCE: 'schedule' }, ['--list']);
    assert.equal(listedJobs(schedule.stdout), ['registry-cleanup', 'cleanup-result']);
    assert.match(schedule.out, /registry-cleanup\s+\.post\s+on_success/);
    await p.write('.gitlab-ci.yml', pipeline('max-deletions: lots'));
    const bad = await gitlabCiLocal(p, { CI_PIPELINE_SOURCE: 'schedule' }, ['--list']);
    assert.ok(bad.code !== 0, bad.out);
    assert.match(bad.out, /max-deletions/);
  } finally {
    await p.remove();
  }
});

test.run();
