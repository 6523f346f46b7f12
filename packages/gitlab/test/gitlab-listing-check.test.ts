/**
 * GitLab's tag listing is verified, not trusted: `/gitlab/v1` pages are read until two reads agree, and
 * right before deleting, core's fresh look (execute/recheck.ts) must agree with the plan. GitLab deletes
 * tag by tag, so a tag that moved onto another image between plan and delete would be removed from that
 * image: the run deletes nothing instead.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultCleanupPolicy, emptyReport, IncompleteInputError, type Plan, type Registry } from '@regsweep/core';
import { applyPlan } from '@regsweep/core/internal';
import { openGitLabProject } from '../src/index.js';
import { C, startWorld, TOKENS, type World } from '@regsweep/test-kit/gitlab-world';

const now = new Date('2026-12-01T12:00:00Z');
const test = suite<{ world: World }>('gitlab listing check');

test.before.each(async (ctx) => {
  ctx.world = await startWorld(now);
});
test.after.each(async (ctx) => ctx.world.gitlab.close());

async function open(world: World, log: string[] = []): Promise<Registry> {
  const project = openGitLabProject({ serverUrl: world.gitlab.url, auth: { kind: 'token', value: TOKENS.api }, projectId: '42', projectPath: 'acme/app', registry: world.gitlab.url, log: (m) => log.push(m) });
  const [registry] = await project.repositories([]);
  if (registry === undefined) throw new Error('no repository');
  return registry;
}

const deletes = (world: World): number => world.gitlab.requestTimes.filter((r) => /\/registry\/repositories\/\d+\/tags\/.+/.test(r.path) && r.method === 'DELETE').length;

/** A plan that deletes the image of commit c1 (its one tag), made from `registry.list()`. */
async function planDeletingC1(registry: Registry, world: World): Promise<Plan> {
  const listed = await registry.list();
  const c1 = listed.find((i) => i.digest === world.digests['c1']);
  if (c1 === undefined) throw new Error('c1 not listed');
  const kept = listed.filter((i) => i !== c1).map((i) => ({ digest: i.digest, tags: i.tags, kind: 'image' as const, listed: i, reasons: [] }));
  return {
    registry: registry.name, now, kept, untag: [], warnings: [],
    delete: [{ digest: c1.digest, tags: c1.tags, kind: 'image', listed: c1, why: 'test', decision: { cause: 'purge', rule: 'purge' }, after: [] }],
    stats: { images: listed.length, refs: 0, selectedRefs: 0, commitsRead: 0, commitsVisited: 0 },
  };
}

const options = (registry: Registry) => ({
  registry, policy: defaultCleanupPolicy(), keepTags: [], clusterImages: [], now, dryRun: false, concurrency: 2,
  clock: { now: () => now, sleep: async () => {} },
});

test('a tag of the plan\'s deletion moved onto a kept image before the delete: nothing is deleted', async ({ world }) => {
  const registry = await open(world);
  const plan = await planDeletingC1(registry, world);
  // Someone pushes the tag c1 anew: it now names the image of main.
  world.gitlab.registry.tag('acme/app', C.c1, world.digests['m4'] as string, now.toISOString());
  const report = emptyReport({ command: 'cleanup', dryRun: false, now, startedAt: now, policySource: 'test' });
  const error = await applyPlan(options(registry), plan, report).then(() => undefined, (e: unknown) => e);
  assert.instance(error, IncompleteInputError);
  assert.match((error as Error).message, new RegExp(`tag ${C.c1} of sha256:[0-9a-f]{12}…, which was to be deleted, moved to sha256:[0-9a-f]{12}…`));
  assert.is(deletes(world), 0, 'no tag was deleted');
});

test('nothing changed: the fresh look agrees and the tag is deleted', async ({ world }) => {
  const registry = await open(world);
  const plan = await planDeletingC1(registry, world);
  const report = emptyReport({ command: 'cleanup', dryRun: false, now, startedAt: now, policySource: 'test' });
  await applyPlan(options(registry), plan, report);
  assert.is(deletes(world), 1);
  assert.equal(report.deleted.map((d) => d.digest), [world.digests['c1']]);
});

test('/gitlab/v1: a tag pushed behind the cursor while pages are read is caught by the second read', async ({ world }) => {
  for (let i = 0; i < 1500; i++) world.gitlab.registry.tag('acme/app', `bulk-${String(i).padStart(4, '0')}`, world.digests['c3'] as string, now.toISOString());
  world.gitlab.registry.beforeV1Page = (answered) => {
    // While page 2 of the first read is asked for, a tag that sorts onto page 1 appears.
    if (answered === 1) world.gitlab.registry.tag('acme/app', 'aaa-new', world.digests['c1'] as string, now.toISOString());
  };
  const log: string[] = [];
  const listed = await (await open(world, log)).list();
  assert.ok(listed.find((i) => i.digest === world.digests['c1'])?.tags.includes('aaa-new'), 'the pushed tag is in the listing');
  assert.match(log.join('\n'), /the tag list changed while it was read \(tag aaa-new missing from one read\); reading it again/);
  assert.is(world.gitlab.registry.counts.v1Pages, 6, 'two pages a read, three reads');
});

test.run();
