/**
 * A summary that adds up (issue 15): kept images counted by their first reason, so the numbers sum to
 * "kept", with every reason's count in the JSON; deletions oldest first with tag and age; the bytes
 * the deletions free estimated from the manifests (blobs a kept image shares are not counted); the
 * policy's source in words; the registry's note after deleting.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runPipeline, type LoadedPolicy } from '../src/pipeline/pipeline.js';
import { emptyReport, type Report } from '../src/report/report.js';
import { renderSummary } from '../src/report/summary.js';
import { FakeHistory, idOf } from './support/fake-history.js';
import { instantClock } from './support/fake-registry.js';
import { MemoryRegistry } from './support/memory-registry.js';
import { NOW, policyFrom } from './support/plan.js';

// main keeps its last 2 images; anything built within 48 hours is kept too (overlapping with main's).
const YAML = 'cleanup:\n  keepImagesBuiltWithinLastNHours: 48\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 2 }\n';
const daysAgo = (d: number): string => new Date(NOW.getTime() - d * 86_400_000).toISOString();

async function run(registry: MemoryRegistry, source = 'werf.yaml'): Promise<Report> {
  const h = new FakeHistory();
  h.line('m', 6, '2026-11-20T00:00:00Z');
  h.branch('main', 'm6');
  const loaded: LoadedPolicy = { policy: policyFrom(YAML), keepTags: [], source, warnings: [] };
  const report = emptyReport({ command: 'cleanup', dryRun: true, now: NOW, startedAt: NOW, policySource: 'none' });
  await runPipeline({ command: 'cleanup', dryRun: true, concurrency: 2, noun: 'repositories' }, {
    clock: instantClock(NOW), policy: async () => loaded, history: async () => h,
    repositories: async () => ({ repositories: [{ spec: { ref: registry.name, path: registry.name, role: 'primary' }, open: async () => registry }] }),
  }, report);
  return report;
}

function world(): MemoryRegistry {
  const r = new MemoryRegistry('app');
  // m6 and m5: main's last two; m6 was also built an hour ago (git-history and recent).
  r.image({ name: 'm6', tags: ['sha-m6', 'main'], revision: idOf('m6'), created: new Date(NOW.getTime() - 3_600_000).toISOString(), layers: [{ name: 'base', size: 5000 }, { name: 'app6', size: 300 }] });
  r.image({ name: 'm5', tags: ['sha-m5'], revision: idOf('m5'), created: daysAgo(3), layers: [{ name: 'base', size: 5000 }, { name: 'app5', size: 200 }] });
  r.image({ name: 'hot', tags: ['hotfix'], created: new Date(NOW.getTime() - 7_200_000).toISOString() });
  r.image({ name: 'm3', tags: ['sha-m3'], revision: idOf('m3'), created: daysAgo(9), layers: [{ name: 'base', size: 5000 }, { name: 'app3', size: 100 }] });
  r.image({ name: 'm1', tags: ['sha-m1'], revision: idOf('m1'), created: daysAgo(20), layers: [{ name: 'old-base', size: 7000 }, { name: 'app1', size: 50 }] });
  r.image({ name: 'm2', tags: ['sha-m2'], revision: idOf('m2'), created: daysAgo(12), layers: [{ name: 'old-base', size: 7000 }] });
  return r;
}

test('kept by first reason adds up to kept; every reason that holds is in keptByAnyReason', async () => {
  const report = await run(world());
  const totals = report.repositories[0];
  assert.ok(totals);
  assert.is(totals.kept, 3);
  assert.is(Object.values(totals.keptByReason).reduce((a, b) => a + (b ?? 0), 0), totals.kept, 'the first reasons add up');
  assert.equal(totals.keptByReason, { 'git-history': 2, recent: 1 });
  assert.equal(totals.keptByAnyReason, { 'git-history': 2, recent: 2, unmapped: 1 }, 'm6 is recent too, hotfix unmapped too');
  assert.match(renderSummary(report), /app: kept 3 \(git-history 2, recent 1\), would delete 3/);
});

test('deletions oldest first with tags and age; freed bytes count only blobs no kept image names', async () => {
  const report = await run(world());
  const summary = renderSummary(report).split('\n');
  const list = summary.filter((l) => l.startsWith('  - '));
  assert.equal(list.map((l) => l.slice(4, 10)), ['sha-m1', 'sha-m2', 'sha-m3'], 'oldest first');
  assert.match(list[0] ?? '', /^ {2}- sha-m1, 20d old \([0-9a-f]{12}\) — commit /);
  // m1, m2 and m3 go: old-base 7000 (m1 and m2 share it: once) + app1 50 + app3 100 + three configs of 1 byte; base stays (m5 and m6 keep it).
  assert.is(report.repositories[0]?.stats.freedBytes, 7000 + 50 + 100 + 3);
  assert.ok(summary.some((l) => l === 'Would delete 3 image(s), oldest first; about 7.2 kB of configs and layers no kept image uses (estimated from the manifests):'), summary.join('\n'));
  assert.ok(report.deleted.every((d) => d.builtAt !== undefined));
});

test('the policy in words, and the note a registry gives after deleting', async () => {
  assert.match(renderSummary(await run(world())), /\n {2}policy: werf\.yaml \(cleanup section\)\n/);
  assert.match(renderSummary(await run(world(), '.regsweep.yml')), /\n {2}policy: \.regsweep\.yml\n/);
  const gc = Object.assign(world(), { afterDeleting: 'run its garbage collector' });
  assert.match(renderSummary(await run(gc)), /\nnote: app: run its garbage collector/);
  assert.equal((await run(world())).notes, [], 'no note where the registry has none');
});

test.run();
