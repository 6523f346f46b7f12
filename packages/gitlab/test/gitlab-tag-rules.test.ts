/**
 * GitLab's container tag rules: a tag delete refused by an immutable rule (GitLab 18.2+) or a
 * protection rule is skipped with the rule named, and regsweep never falls back to a registry manifest
 * delete (GitLab refuses those in projects with immutable rules, and one would take the kept tags along).
 * Rule patterns are RE2, matched anywhere in the name, in linear time.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultCleanupPolicy, DeleteSkipped, emptyReport, type ListedImage, type Plan, type Registry } from '@regsweep/core';
import { applyPlan } from '@regsweep/core/internal';
import { openGitLabProject } from '../src/index.js';
import { parseTagRules, tagRuleMatcher } from '../src/gitlab-tag-rules.js';
import { C, startWorld, TOKENS, type World } from '@regsweep/test-kit/gitlab-world';

const now = new Date('2026-12-01T12:00:00Z');
const test = suite<{ world: World }>('gitlab tag rules');

test.before.each(async (ctx) => {
  ctx.world = await startWorld(now);
});
test.after.each(async (ctx) => ctx.world.gitlab.close());

async function open(world: World): Promise<Registry> {
  const project = openGitLabProject({ serverUrl: world.gitlab.url, auth: { kind: 'token', value: TOKENS.api }, projectId: '42', projectPath: 'acme/app', registry: world.gitlab.url });
  const [registry] = await project.repositories([]);
  if (registry === undefined) throw new Error('no repository');
  return registry;
}

const registryDeletes = (world: World): string[] =>
  world.gitlab.requestTimes.filter((r) => r.method === 'DELETE' && r.path.startsWith('/v2/')).map((r) => r.path);

test('rules as GitLab answers them: both roles null is an immutable rule; a protection rule keeps its delete role', () => {
  const rules = parseTagRules([
    { id: 1, tag_name_pattern: '^v\\d', minimum_access_level_for_push: 'maintainer', minimum_access_level_for_delete: 'owner' },
    { id: 2, tag_name_pattern: 'release', minimum_access_level_for_push: null, minimum_access_level_for_delete: null },
    { id: 3, minimum_access_level_for_delete: 'maintainer' },
  ]);
  assert.equal(rules, [
    { pattern: '^v\\d', immutable: false, deleteRole: 'owner' },
    { pattern: 'release', immutable: true },
  ]);
  assert.is(parseTagRules({ message: 'not a list' }), undefined);
});

test('matching: anywhere in the name (GitLab\'s reading), the immutable rule named first, RE2 in linear time', () => {
  const explain = tagRuleMatcher([
    { pattern: 'v1', immutable: false, deleteRole: 'maintainer' },
    { pattern: '^v1\\.', immutable: true },
    // Exponential on a backtracking engine against 40 `a`s with no `b`; linear on RE2.
    { pattern: '(a+)+b', immutable: false, deleteRole: 'owner' },
  ]);
  assert.match(explain('v1.0') ?? '', /^tag v1\.0 is immutable \(rule `\^v1\\\.`\): no one may delete it$/);
  assert.match(explain('pre-v1') ?? '', /^tag pre-v1 is protected \(rule `v1`: deleting needs the maintainer role\)$/);
  assert.is(explain('a'.repeat(40)), undefined);
  assert.match(explain(`${'a'.repeat(40)}b`) ?? '', /needs the owner role/);
});

test('an immutable tag refused (plain 403): skipped with the rule, the image\'s other tags go, no manifest delete', async ({ world }) => {
  world.gitlab.project.immutableTags.push(/^v\d+\./);
  const registry = await open(world);
  const v1 = (await registry.list()).find((i) => i.tags.includes('v1.0')) as ListedImage;
  const error = await registry.deleteImage(v1).then(() => undefined, (e: unknown) => e);
  assert.instance(error, DeleteSkipped);
  assert.match((error as Error).message, /keeps tag v1\.0 of sha256:.*tag v1\.0 is immutable \(rule `\^v\\d\+\\\.`\)/);
  assert.match((error as Error).message, new RegExp(`other tags ${C.c2} were removed`));
  assert.equal(world.gitlab.rest.deletes, [`acme/app:${C.c2}`]);
  assert.equal(registryDeletes(world), [], 'no registry manifest delete');
});

test('through the run: the refused image is reported skipped with the rule\'s reason, the run goes on', async ({ world }) => {
  world.gitlab.project.immutableTags.push(/^v1\.0$/);
  const registry = await open(world);
  const listed = await registry.list();
  const doomed = listed.filter((i) => i.tags.includes('v1.0') || i.digest === world.digests['c1']);
  const kept = listed.filter((i) => !doomed.includes(i)).map((i) => ({ digest: i.digest, tags: i.tags, kind: 'image' as const, listed: i, reasons: [] }));
  const plan: Plan = {
    registry: registry.name, now, kept, untag: [], warnings: [],
    delete: doomed.map((i) => ({ digest: i.digest, tags: i.tags, kind: 'image' as const, listed: i, why: 'test', decision: { cause: 'purge' as const, rule: 'purge' }, after: [] })),
    stats: { images: listed.length, refs: 0, selectedRefs: 0, commitsRead: 0, commitsVisited: 0 },
  };
  const report = emptyReport({ command: 'cleanup', dryRun: false, now, startedAt: now, policySource: 'test' });
  await applyPlan({
    registry, policy: defaultCleanupPolicy(), keepTags: [], clusterImages: [], now, dryRun: false, concurrency: 2,
    clock: { now: () => now, sleep: async () => {} },
  }, plan, report);
  assert.equal(report.deleted.map((d) => d.digest), [world.digests['c1']]);
  assert.is(report.skipped.length, 1);
  assert.match(JSON.stringify(report.skipped[0]), /tag v1\.0 is immutable \(rule `\^v1\\\\\.0\$`\)/);
  assert.equal(registryDeletes(world), []);
});

test.run();
