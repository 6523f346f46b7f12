/**
 * The GitLab component's job end to end: `node dist/gitlab/index.js` (the committed bundle) with the
 * predefined variables of a scheduled pipeline against the fake GitLab (REST v4, `/gitlab/v1`, the
 * registry), then the fake's tags, the JSON report, the dotenv report and the job log are checked.
 * The world (packages/gitlab/test/support/world.ts): main m4 (merging the deleted MR branch's f1),
 * feature/live l1 (multi-arch, signed, open MR !7), tags v1.0 (c2) and v0.9 (c1), a deleted branch's
 * g1 (signed).
 */
import { mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { C, startWorld, TOKENS, type World } from '@regsweep/test-kit/gitlab-world';
import { FakeKube, kubeconfigYaml } from '@regsweep/test-kit/fake-kube';
import { predefinedVariables, projectDir, runJobProcess, type JobRun } from './support/job-process.js';
import { testSecret } from '@regsweep/test-kit/secrets';
import { bundleNode, versionBundlesRunOn } from '@regsweep/test-kit/node-process';

const POLICY = `cleanup:
  keepPolicies:
    - references: { branch: /.*/ }
      imagesPerReference: { last: 1 }
    - references: { tag: /.*/ }
`;
/** Needs each branch's history two images deep: commits must be listed. */
const DEEP_POLICY = POLICY.replace('last: 1', 'last: 2');
const API_TOKEN = TOKENS.api;

interface Job {
  world: World;
  dir: string;
  run(variables?: Record<string, string>): Promise<JobRun>;
}

async function job(body: (j: Job) => Promise<void>, setUp: (w: World) => void = () => undefined, policy = POLICY): Promise<void> {
  const world = await startWorld(new Date());
  setUp(world);
  const project = await projectDir();
  try {
    await writeFile(join(project.dir, '.regsweep.yml'), policy);
    const base = { ...predefinedVariables(world.gitlab.url, project.dir), REGSWEEP_API_TOKEN: API_TOKEN, REGSWEEP_TOKEN_VARIABLE: 'REGSWEEP_API_TOKEN' };
    await body({ world, dir: project.dir, run: (variables = {}) => runJobProcess({ ...base, ...variables }) });
  } finally {
    await world.gitlab.close();
    await project.remove();
  }
}

const tagsLeft = (world: World): string[] => [...(world.gitlab.registry.tags.get('acme/app')?.keys() ?? [])].sort();
const writes = (world: World): string[] => world.gitlab.requestTimes.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').map((r) => `${r.method} ${r.path}`);
const sig = (digest: string | undefined): string => `${(digest ?? '').replace(':', '-')}.sig`;

/** What the policy keeps: main's tip, feature/live's multi-arch index and its signature, the tagged commits. */
function expectedKeptTags(world: World): string[] {
  return [C.m4, 'main', C.l1, 'feature-live', sig(world.digests['l1']), C.c2, 'v1.0', C.c1].sort();
}
const expectedGone = (world: World): string[] => [C.c3, C.f1, C.g1, sig(world.digests['g1'])].sort();

function checkMasked(run: JobRun, secrets: string[]): void {
  for (const s of secrets) {
    assert.not.ok(run.stdout.includes(s) || run.stderr.includes(s) || JSON.stringify(run.report).includes(s), `${s} is never printed`);
  }
}

test('the bundle runs on the Node binary the run names (REGSWEEP_TEST_NODE; this one without it)', async () => {
  const expected = bundleNode().version;
  assert.is(await versionBundlesRunOn(), expected);
  console.log(`bundle end-to-end tests on node ${expected}`);
});

test('deleted branch, merged-and-deleted MR branch and an old commit go; branches, open MR, tags and the multi-arch image stay', () => job(async ({ world, run }) => {
  const r = await run();
  assert.is(r.code, 0, r.stdout);
  assert.equal(tagsLeft(world), expectedKeptTags(world));
  const deletedTags = (r.report?.deleted ?? []).flatMap((d) => d.tags).sort();
  assert.equal(deletedTags, expectedGone(world));
  const f1 = r.report?.deleted.find((d) => d.tags.includes(C.f1));
  assert.ok(f1 !== undefined && f1.why.length > 0, 'the merged MR branch image is deleted with a reason');
  // The rule in words, in the report and in the job log; the policy's line in the file as data.
  assert.match(f1.why, /: not among the image groups [^(]*branch main keep \(cleanup\.keepPolicies\[0\] \(line 3\): last: 1\)/);
  assert.equal(f1.decision.misses?.map((m) => [m.policy.line, m.outcome]), [[3, 'walk-stopped'], [5, 'not-reached']]);
  assert.ok(r.stdout.includes(f1.why), 'the job log says why');
  const index = r.report?.kept.find((k) => k.digest === world.digests['l1']);
  assert.is(index?.kind, 'index');
  assert.ok(index?.reasons.length, 'the multi-arch image is kept with a reason');
  // Tag by tag through REST, never the bulk endpoint; nothing else written.
  assert.ok(writes(world).every((w) => /^DELETE \/api\/v4\/projects\/42\/registry\/repositories\/\d+\/tags\/[^/]+$/.test(w)), writes(world).join('\n'));
  assert.is(writes(world).length, expectedGone(world).length);
  assert.equal(r.dotenv, {
    REGSWEEP_DELETED: String(r.report?.deleted.length), REGSWEEP_KEPT: String(r.report?.kept.length), REGSWEEP_FAILED: '0',
    REGSWEEP_SKIPPED: '0', REGSWEEP_TAGS_REMOVED: '0', REGSWEEP_LEFT_FOR_NEXT_RUN: '0', REGSWEEP_EXIT_CODE: '0', REGSWEEP_DRY_RUN: 'false',
  });
  // The log: the summary section open, the lists collapsed; the /gitlab/v1 listing, no per-tag call.
  assert.match(r.stdout, /\u001b\[0Ksection_start:\d+:regsweep_summary\r\u001b\[0K/);
  assert.match(r.stdout, /\u001b\[0Ksection_start:\d+:regsweep_deleted\[collapsed=true\]\r\u001b\[0K.*deleted: 4 image/);
  assert.match(r.stdout, /\u001b\[0Ksection_end:\d+:regsweep_deleted\r\u001b\[0K/);
  // Each phase of the run in a collapsed section of its own, all closed before the summary.
  const phases = [...r.stdout.matchAll(/section_start:\d+:regsweep_phase_\d+_[^[]+\[collapsed=true\]\r\u001b\[0K\u001b\[1mregsweep: \S+: ([a-z ]+)/g)].map((m) => m[1]);
  assert.equal([...new Set(phases)], ['listing', 'reading manifests', 'planning', 'checking the plan', 'deleting'], r.stdout);
  assert.is((r.stdout.match(/section_start:\d+:regsweep_phase_/g) ?? []).length, (r.stdout.match(/section_end:\d+:regsweep_phase_/g) ?? []).length);
  assert.ok(r.stdout.lastIndexOf('section_end:') > r.stdout.indexOf('section_start:') && r.stdout.indexOf('regsweep_summary') > r.stdout.lastIndexOf('regsweep_phase_'));
  assert.match(r.stdout, /token: variable REGSWEEP_API_TOKEN/);
  // The listing read twice (the reads must agree), and again twice right before the deletes.
  assert.match(r.stdout, /GitLab requests: .*tags-v1 4/);
  assert.not.match(r.stdout, /tag-details/);
  checkMasked(r, [API_TOKEN, TOKENS.job]);
}));

test('dry run: the same plan, no write request, exit 0', () => job(async ({ world, run }) => {
  const before = tagsLeft(world);
  const r = await run({ REGSWEEP_DRY_RUN: 'true' });
  assert.is(r.code, 0, r.stdout);
  assert.equal(writes(world), []);
  assert.equal(tagsLeft(world), before);
  assert.ok(r.report?.dryRun);
  assert.equal((r.report?.deleted ?? []).flatMap((d) => d.tags).sort(), expectedGone(world));
  assert.ok(r.report?.deleted.every((d) => d.status === 'would-delete'));
  assert.is(r.dotenv['REGSWEEP_DRY_RUN'], 'true');
  assert.match(r.stdout, /dry run of the cleanup/);
}));

test('a protected tag (403) is reported as skipped; the rest is cleaned; exit 0', () => job(async ({ world, run }) => {
  const r = await run();
  assert.is(r.code, 0, r.stdout);
  assert.ok(tagsLeft(world).includes(C.g1), 'the protected tag stays');
  assert.not.ok(tagsLeft(world).includes(C.c3));
  assert.is(r.report?.skipped.length, 1);
  assert.ok(r.report?.skipped[0]?.tags.includes(C.g1));
  assert.match(r.report?.skipped[0]?.message ?? '', /protect/);
  assert.is(r.dotenv['REGSWEEP_SKIPPED'], '1');
  assert.match(r.stdout, /section_start:\d+:regsweep_skipped\[collapsed=true\]/);
}, (world) => world.gitlab.project.protectedTags.push(new RegExp(`^${C.g1}$`))));

test('a 429 storm: requests wait out Retry-After, the run completes with the same result', () => job(async ({ world, run }) => {
  world.gitlab.startStorm(4, 1);
  const r = await run();
  assert.is(r.code, 0, r.stdout);
  assert.equal(tagsLeft(world), expectedKeptTags(world));
  assert.is(world.gitlab.limitedUntil.length, 4);
  for (const until of world.gitlab.limitedUntil) {
    const early = world.gitlab.requestTimes.filter((q) => q.path.startsWith('/api/') && q.at > until - 1000 + 5 && q.at < until - 50);
    assert.equal(early, [], 'no request while GitLab asked to wait');
  }
  assert.match(r.stdout, /GitLab's rate limit \(429\)/);
}));

test('CI_JOB_TOKEN alone cannot list commits: exit 2 naming the token to give, nothing deleted', () => job(async ({ world, run }) => {
  const r = await run({ REGSWEEP_TOKEN_VARIABLE: '', REGSWEEP_API_TOKEN: '' });
  assert.is(r.code, 2, r.stdout);
  assert.equal(writes(world), []);
  assert.match(r.stdout, /ERROR: GitLab: history from [0-9a-f]+ of acme\/app was not found, or the token cannot see it \(404\)/);
  assert.match(r.stdout, /CI_JOB_TOKEN cannot list commits: put a project access token with the read_api scope/);
  assert.match(r.stdout, /token-variable/);
  assert.is(r.report?.error?.exitCode, 2);
  assert.is(r.report?.deleted.length, 0);
  checkMasked(r, [TOKENS.job]);
}, () => undefined, DEEP_POLICY));

test('a registry without /gitlab/v1: REST tags and tag details, the same result', () => job(async ({ world, run }) => {
  const r = await run();
  assert.is(r.code, 0, r.stdout);
  assert.equal(tagsLeft(world), expectedKeptTags(world));
  // One probe of /gitlab/v1 (404), then a REST page, one details call per tag, the REST page again;
  // the same once more right before the deletes (the fresh look).
  // (The references are read beside the listing, so the kinds come in no fixed order.)
  const requests = /GitLab requests: [^\n]*/.exec(r.stdout)?.[0] ?? '';
  for (const count of ['tags-v1 2', 'tag-pages 4', 'tag-details 24']) assert.ok(requests.includes(`${count},`), `${count} in ${requests}`);
  assert.match(r.stdout, /no \/gitlab\/v1 tags listing; reading tag details through REST/);
}, (world) => (world.gitlab.registry.v1 = false)));

test('bad input is named with its input and fixed before any request: exit 2', () => job(async ({ world, run }) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ REGSWEEP_MAX_DELETIONS: 'lots' }, /REGSWEEP_MAX_DELETIONS \(the max-deletions input\): expected a whole number/],
    [{ REGSWEEP_DRY_RUN: 'maybe' }, /REGSWEEP_DRY_RUN \(the dry-run input\): expected true or false/],
    [{ REGSWEEP_TOKEN_VARIABLE: 'NOT_SET_ANYWHERE' }, /names NOT_SET_ANYWHERE, but this job has no such variable[^]*fix: add NOT_SET_ANYWHERE in Settings > CI\/CD > Variables/],
    [{ REGSWEEP_TOKEN_VARIABLE: testSecret('pasted-token') }, /is not the name of a CI\/CD variable/],
    [{ REGSWEEP_CONFIG: 'ci/missing.yml' }, /REGSWEEP_CONFIG \(the config input\): .*ci\/missing\.yml does not exist/],
    [{ REGSWEEP_REPOSITORIES: 'nope' }, /no registry repository of acme\/app matches "nope"/],
    [{ CI_REGISTRY: '' }, /CI_REGISTRY is empty: the container registry is turned off/],
    [{ REGSWEEP_KUBECONFIG_VARIABLE: 'KUBE' }, /names KUBE, but this job has no such variable[^]*nothing was deleted[^]*file-type variable/],
    [{ REGSWEEP_KUBECONFIG_VARIABLE: 'KUBE', KUBE: 'apiVersion: v1\nkind: Config\n' }, /the kubeconfig has no context/],
  ];
  for (const [variables, message] of cases) {
    const r = await run(variables);
    assert.is(r.code, 2, `${JSON.stringify(variables)}: ${r.stdout}`);
    assert.match(r.stdout, message);
    assert.is(r.report?.error?.exitCode, 2);
    assert.is(r.dotenv['REGSWEEP_EXIT_CODE'], '2');
  }
  assert.equal(writes(world), []);
}));

test('an artifact path that cannot be written (a folder, a planted link, /proc): exit 2 before any request, the link\'s target unchanged', () => job(async ({ world, dir, run }) => {
  const before = tagsLeft(world);
  await mkdir(join(dir, 'regsweep-report.json'));
  const folder = await run();
  assert.is(folder.code, 2, folder.stdout);
  assert.match(folder.stdout, new RegExp(`ERROR: the job's artifact regsweep-report\\.json \\(in CI_PROJECT_DIR\\): ${dir}/regsweep-report\\.json is a folder\nfix: the job writes regsweep-report\\.json into CI_PROJECT_DIR`));
  assert.match(folder.stdout, /no report and no dotenv file written/);

  await rm(join(dir, 'regsweep-report.json'), { recursive: true });
  const victim = `${dir}-victim.env`;
  await writeFile(victim, 'KEEP=me\n');
  try {
    await symlink(victim, join(dir, 'regsweep.env'));
    const planted = await run();
    assert.is(planted.code, 2, planted.stdout);
    assert.match(planted.stdout, /ERROR: the job's artifact regsweep\.env \(in CI_PROJECT_DIR\): .*regsweep\.env is a symbolic link \(to .*-victim\.env\), and regsweep never writes through a link/);
    assert.is(await readFile(victim, 'utf8'), 'KEEP=me\n', 'the link\'s target is unchanged');
    assert.is(await readlink(join(dir, 'regsweep.env')), victim);
  } finally {
    await rm(victim, { force: true });
  }

  const proc = await run({ REGSWEEP_REPORT_DIR: '/proc/regsweep' });
  assert.is(proc.code, 2, proc.stdout);
  assert.match(proc.stdout, /ERROR: the job's artifact regsweep-report\.json \(in REGSWEEP_REPORT_DIR\): cannot (create the folder \/proc\/regsweep|create files in \/proc)/);
  assert.equal(world.gitlab.requestTimes, [], 'GitLab and its registry were asked nothing');
  assert.equal(tagsLeft(world), before);
}));

test('kubeconfig-variable (a file-type variable): what the cluster runs is kept and where; an unreachable cluster stops the run', () => job(async ({ world, dir, run }) => {
  const kube = new FakeKube({ token: 'kube-secret-token' });
  const host = new URL(world.gitlab.url).host;
  kube.workload('deployments', 'web', 'gone-feature', { containers: [`${host}/acme/app:${C.g1}`] });
  await kube.start();
  try {
    const file = join(dir, 'kubeconfig-prod');
    await writeFile(file, kubeconfigYaml([{ name: 'prod', server: kube.url, token: 'kube-secret-token' }]));
    const down = join(dir, 'kubeconfig-two');
    await writeFile(down, kubeconfigYaml([{ name: 'prod', server: kube.url, token: 'kube-secret-token' }, { name: 'edge', server: 'http://127.0.0.1:9' }]));
    const refused = await run({ REGSWEEP_KUBECONFIG_VARIABLE: 'KUBECONFIG_PROD', KUBECONFIG_PROD: down });
    assert.is(refused.code, 1, refused.stdout);
    assert.match(refused.stdout, /ERROR: Kubernetes context edge: cannot reach http:\/\/127\.0\.0\.1:9/);
    assert.equal(writes(world), [], 'nothing deleted');
    const r = await run({ REGSWEEP_KUBECONFIG_VARIABLE: 'KUBECONFIG_PROD', KUBECONFIG_PROD: file });
    assert.is(r.code, 0, r.stdout);
    const g1 = r.report?.kept.find((k) => k.tags.includes(C.g1));
    assert.ok(g1?.reasons.includes('in-use'), JSON.stringify(g1));
    assert.equal(g1?.details.find((d) => d.reason === 'in-use')?.where, { context: 'prod', namespace: 'web', kind: 'Deployment', name: 'gone-feature' });
    assert.ok(tagsLeft(world).includes(C.g1) && tagsLeft(world).includes(sig(world.digests['g1'])), 'the image and its signature stay');
    assert.not.ok(tagsLeft(world).includes(C.c3), 'the rest is cleaned');
    assert.match(r.stdout, /in-use protection: reading what 1 Kubernetes context\(s\) run \(prod\) from variable KUBECONFIG_PROD/);
    checkMasked(r, ['kube-secret-token']);
  } finally {
    await kube.close();
  }
}));

test('max-deletions: the run stops at the budget, lists the rest for the next run, exit 0', () => job(async ({ world, run }) => {
  const r = await run({ REGSWEEP_MAX_DELETIONS: '1' });
  assert.is(r.code, 0, r.stdout);
  assert.is(r.report?.deleted.length, 1);
  assert.is(r.report?.notAttempted.length, 3);
  assert.is(r.dotenv['REGSWEEP_LEFT_FOR_NEXT_RUN'], '3');
  assert.ok(r.report?.notAttempted.some((p) => /^max-deletions \(1 for the whole run\) reached; the next run continues$/.test(p.message)), JSON.stringify(r.report?.notAttempted));
  assert.match(r.stdout, /3 deletion\(s\) left for the next run: /);
  const deleted = new Set(r.report?.deleted[0]?.tags);
  assert.equal(tagsLeft(world), [...expectedKeptTags(world), ...expectedGone(world)].filter((t) => !deleted.has(t)).sort());
}));

test.run();
