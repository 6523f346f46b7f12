/**
 * The plans of bench:plan's 100,000-image world (bench/world.mjs, seed 20261120) for four policies, as
 * JSON, against the sha256 of the plans the planner made before its performance work (commit 7254c4f).
 * The property tests check invariants; this checks that nothing about a plan moved — a decision, a
 * sentence, an order, a key. A change that means to alter plans updates the hashes here, and says why.
 */
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildGraph, type ReadFacts } from '../src/graph/graph.js';
import { defaultCleanupPolicy, REVISION_LABEL } from '../src/policy/defaults.js';
import { parsePolicyText } from '../src/policy/parse.js';
import { planCleanup } from '../src/plan/planner.js';
import type { CleanupPolicy } from '../src/policy/types.js';
import type { ClusterImageUse, GitHistory, ListedImage } from '../src/ports.js';

interface BenchWorld extends ReadFacts {
  listing: ListedImage[];
  clusterImages: ClusterImageUse[];
  now: Date;
}
interface WorldModule {
  makeWorld(seed: number): BenchWorld;
  memoryHistory(world: BenchWorld): GitHistory;
}

const fromYaml = (yaml: string): CleanupPolicy => parsePolicyText(yaml, 'golden.yaml').policy;
const POLICIES: Array<{ name: string; policy: () => CleanupPolicy; sha256: string; kept: number; deleted: number }> = [
  { name: 'werf default', policy: () => defaultCleanupPolicy(), sha256: '95f80f2d436bcf15', kept: 741, deleted: 99259 },
  {
    name: 'every tag last 1, every branch last 10',
    policy: () => fromYaml('cleanup:\n  keepPolicies:\n    - references: { tag: /.*/ }\n    - references: { branch: /.*/ }\n      imagesPerReference: { last: 10 }\n'),
    sha256: '7171730d0570fe32', kept: 17532, deleted: 82468,
  },
  {
    name: 'every branch last 100, main/staging/production 90 days',
    policy: () => fromYaml('cleanup:\n  keepPolicies:\n    - references: { branch: /.*/ }\n      imagesPerReference: { last: 100 }\n' +
      '    - references: { branch: /^(main|staging|production)$/ }\n      imagesPerReference: { in: 2160h }\n'),
    sha256: '313c91e2cece0f95', kept: 49559, deleted: 50441,
  },
  {
    name: 'references.limit, Or, untagged and unmapped keepFor, git tags',
    policy: () => fromYaml('cleanup:\n  untagged: { keepFor: 72h }\n  unmapped: { keepFor: 240h }\n  keepPolicies:\n' +
      '    - references: { branch: /.*/, limit: { last: 5, in: 720h } }\n      imagesPerReference: { last: 3, in: 168h, operator: Or }\n' +
      '    - references: { tag: /^v/ , limit: { last: 3 } }\n'),
    sha256: '6b188047248ce1c7', kept: 249, deleted: 99751,
  },
];

test('the bench world plans exactly as before, as JSON, for four policies', async () => {
  const worldPath = new URL('../../../bench/world.mjs', import.meta.url).href;
  const { makeWorld, memoryHistory } = (await import(worldPath)) as WorldModule;
  const world = makeWorld(20261120);
  const graph = buildGraph(world.listing, { manifests: world.manifests, configs: world.configs }, [REVISION_LABEL]);
  for (const p of POLICIES) {
    const policy = p.policy();
    const plan = await planCleanup({
      registry: { name: 'ghcr.io/acme/app', imageReference: 'ghcr.io/acme/app' }, graph, policy, keepTags: policy.keepTags,
      history: memoryHistory(world), clusterImages: world.clusterImages, now: world.now,
    });
    assert.equal([plan.kept.length, plan.delete.length], [p.kept, p.deleted], `${p.name}: kept and deleted`);
    assert.is(createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16), p.sha256, `${p.name}: the plan's JSON`);
  }
});

test.run();
