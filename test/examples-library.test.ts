/**
 * examples/library/: a custom `Registry` adapter (a registry with a REST API of its own) and a
 * `GitHistory` built on `@regsweep/core`'s public API alone, planning and applying a cleanup against a
 * fake of that registry on 127.0.0.1. The adapter stays well under 100 lines, and the example imports
 * nothing but the package's main entry.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CommitInfo, GitRef } from '@regsweep/core';
import { startFakeRestRegistry, type FakeRestRegistry } from '@regsweep/test-kit/fake-rest-registry';
import { cleanUp } from '../examples/library/cleanup.js';
import { memoryHistory } from '../examples/library/memory-history.js';

const root = new URL('../', import.meta.url).pathname;
const example = join(root, 'examples/library');
const NOW = new Date('2026-11-30T12:00:00Z');
const clock = { now: () => NOW, sleep: async () => undefined };
const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * 86_400_000);
const commitId = (label: string): string => label.padEnd(40, '0').replace(/[^0-9a-f]/g, 'a').slice(0, 40);

const POLICY = `cleanup:
  keepPolicies:
    - references:
        branch: main
      imagesPerReference:
        last: 3
`;

/** main m1..m6 a day apart, an image of each, one of a deleted branch's commit, one untagged leftover. */
function world(registry: FakeRestRegistry): { history: ReturnType<typeof memoryHistory>; kept: string[]; gone: string[] } {
  const commits: CommitInfo[] = [];
  const images: string[] = [];
  for (let i = 1; i <= 6; i++) {
    const id = commitId(`c${i}`);
    commits.push({ id, parents: i === 1 ? [] : [commitId(`c${i - 1}`)], date: daysAgo(7 - i) });
    images.push(registry.push('app', { tags: [`build-${i}`, ...(i === 6 ? ['main'] : [])], revision: id, pushedAt: daysAgo(7 - i) }));
  }
  const refs: GitRef[] = [{ kind: 'branch', name: 'main', commit: commitId('c6'), date: daysAgo(1) }];
  const deletedBranch = registry.push('app', { tags: ['feature-x'], revision: commitId('dead'), pushedAt: daysAgo(3) });
  const leftover = registry.push('app', { tags: [], pushedAt: daysAgo(2) });
  return { history: memoryHistory(refs, commits), kept: images.slice(3), gone: [...images.slice(0, 3), deletedBranch, leftover] };
}

const sorted = (list: string[]): string[] => [...list].sort();

test('the example cleans the REST registry: a dry run deletes nothing, the real run deletes what no policy keeps', async () => {
  const registry = await startFakeRestRegistry();
  try {
    const { history, kept, gone } = world(registry);
    const options = { api: registry.url, repository: 'app', token: registry.token, history, policyText: POLICY, clock };
    const preview = await cleanUp({ ...options, dryRun: true });
    assert.is(preview.report.exitCode, 0, preview.report.error?.message);
    assert.equal(sorted(preview.report.deleted.map((d) => d.digest)), sorted(gone));
    assert.ok(preview.report.deleted.every((d) => d.status === 'would-delete'));
    assert.is(registry.digests('app').length, 8, 'a dry run deletes nothing');
    assert.ok(!registry.server.requests.some((r) => r.method === 'DELETE'));

    const run = await cleanUp({ ...options, dryRun: false });
    assert.is(run.report.exitCode, 0, run.report.error?.message);
    assert.equal(sorted(run.report.deleted.map((d) => d.digest)), sorted(gone));
    assert.equal(sorted(registry.digests('app')), sorted(kept));
    assert.equal(sorted(run.report.kept.map((k) => k.digest)), sorted(kept));
    assert.ok(run.report.kept.every((k) => k.reasons.includes('git-history')), 'kept by main\'s last 3 images');
    assert.match(run.summary, /deleted 5/);
    assert.ok(registry.server.requests.some((r) => r.url.includes('page=2')), 'the listing is read page by page');
    assert.ok(registry.server.requests.filter((r) => r.url.endsWith('images?page=1')).length >= 2, 'and read until two reads agree');
  } finally {
    await registry.close();
  }
});

test('a registry that refuses the token: the run fails with the reason, nothing is deleted', async () => {
  const registry = await startFakeRestRegistry();
  try {
    const { history } = world(registry);
    const run = await cleanUp({ api: registry.url, repository: 'app', token: 'wrong', history, dryRun: false, clock });
    assert.is(run.report.exitCode, 1);
    assert.match(run.report.error?.message ?? '', /HTTP 401/);
    assert.is(registry.digests('app').length, 8);
  } finally {
    await registry.close();
  }
});

test('the adapter stays well under 100 lines and the example uses only the public entry of @regsweep/core', async () => {
  const adapter = await readFile(join(example, 'rest-registry.ts'), 'utf8');
  assert.ok(adapter.split('\n').length < 90, `rest-registry.ts has ${adapter.split('\n').length} lines`);
  for (const file of (await readdir(example)).filter((f) => f.endsWith('.ts'))) {
    const text = await readFile(join(example, file), 'utf8');
    const sources = [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1] ?? '');
    assert.ok(sources.length > 0, `${file} imports something`);
    assert.ok(sources.every((s) => s === '@regsweep/core' || s.startsWith('./')), `${file} imports ${sources.join(', ')}`);
  }
});

test.run();
