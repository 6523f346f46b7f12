/**
 * Property tests of `planCleanup` on a few hundred random small worlds (support/random-world.ts), and
 * an exactness test of the git-history policy against a brute force of §4 (support/brute-force.ts).
 * Every message names its seed; `PLANNER_SEED=<n>` runs that seed alone:
 *   PLANNER_SEED=17 node --import tsx packages/core/test/planner-properties.test.ts
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImageGraph } from '../src/graph/graph.js';
import type { Plan } from '../src/plan/types.js';
import { tagGlobMatcher } from '../src/policy/pattern.js';
import type { Digest } from '../src/ports.js';
import { bruteForceGitKept, bruteForceGroups } from './support/brute-force.js';
import { NOW, planWith, policyFrom } from './support/plan.js';
import { policyYaml, randomWorld, type World, type WorldOptions } from './support/random-world.js';

const only = process.env['PLANNER_SEED'];
const seeds = (from: number, count: number): number[] => (only ? [Number(only)] : Array.from({ length: count }, (_, i) => from + i));
const WORLDS = seeds(1, 300);
const EXACT = seeds(10_001, 600);

const optionsFor = (seed: number): WorldOptions => ({ monotonic: seed % 3 === 0, simpleMapping: false });

function plan(w: World, extraKeepTags: readonly string[] = []): Promise<Plan> {
  return planWith({ yaml: policyYaml(w.policy, extraKeepTags), graph: w.graph, history: w.history, extra: { clusterImages: w.clusterImages } });
}

/** The worlds and their plans, made once and shared by the tests below. */
const cache = new Map<number, { world: World; plan: Plan }>();
async function planned(seed: number): Promise<{ world: World; plan: Plan }> {
  let entry = cache.get(seed);
  if (!entry) {
    const world = randomWorld(seed, optionsFor(seed));
    entry = { world, plan: await plan(world) };
    cache.set(seed, entry);
  }
  return entry;
}

const listedDigests = (graph: ImageGraph): Digest[] => [...graph.nodes.values()].filter((n) => n.listed).map((n) => n.digest);
const sets = (p: Plan) => ({ kept: new Set(p.kept.map((k) => k.digest)), deleted: new Set(p.delete.map((d) => d.digest)) });

test('(1) every listed digest is in exactly one of kept and delete', async () => {
  for (const seed of WORLDS) {
    const { world, plan: p } = await planned(seed);
    const { kept, deleted } = sets(p);
    assert.is(kept.size, p.kept.length, `seed ${seed}: a digest is kept twice`);
    assert.is(deleted.size, p.delete.length, `seed ${seed}: a digest is deleted twice`);
    for (const d of kept) assert.not.ok(deleted.has(d), `seed ${seed}: ${d} is both kept and deleted`);
    const listed = listedDigests(world.graph);
    assert.is(kept.size + deleted.size, listed.length, `seed ${seed}: ${listed.length} listed, ${kept.size} kept + ${deleted.size} deleted`);
    for (const d of listed) assert.ok(kept.has(d) || deleted.has(d), `seed ${seed}: listed ${d} is in neither list`);
    for (const list of [p.kept, p.delete]) {
      list.forEach((item, i) => assert.ok(i === 0 || (list[i - 1] as { digest: string }).digest < item.digest, `seed ${seed}: lists are not in digest order at ${item.digest}`));
    }
  }
});

test('(2) never deleted: children of kept indexes, attachments of kept images, kept tags, digests workloads use', async () => {
  for (const seed of WORLDS) {
    const { world, plan: p } = await planned(seed);
    const { kept, deleted } = sets(p);
    const nodes = world.graph.nodes;
    for (const d of kept) {
      const n = nodes.get(d);
      for (const c of n?.children ?? []) assert.not.ok(deleted.has(c), `seed ${seed}: child ${c} of kept index ${d} is deleted`);
      for (const a of n?.attachments ?? []) assert.not.ok(deleted.has(a), `seed ${seed}: attachment ${a} of kept ${d} is deleted`);
    }
    // A kept tag: a tag of a kept image (no tag may also sit on a deleted digest; tags are unique here,
    // as in a registry), and a tag the keep-list matches (attachments follow their subject instead).
    const keepList = tagGlobMatcher(policyFrom(policyYaml(world.policy)).keepTags);
    for (const n of nodes.values()) {
      if (!n.listed) continue;
      for (const t of n.tags) {
        const keptTag = p.kept.some((k) => k.tags.includes(t)) || (n.kind !== 'attachment' && keepList(t));
        if (keptTag) assert.not.ok(deleted.has(n.digest), `seed ${seed}: ${n.digest} is deleted though its tag ${t} is kept`);
      }
    }
    if (!world.policy.disableKube) {
      for (const d of world.pinned) assert.not.ok(deleted.has(d), `seed ${seed}: ${d} is used by a workload and deleted`);
    }
  }
});

test('(3) deletion order: after names only deleted digests; indexes before children, attachments before subjects', async () => {
  for (const seed of WORLDS) {
    const { world, plan: p } = await planned(seed);
    const { deleted } = sets(p);
    const after = new Map(p.delete.map((d) => [d.digest, d.after]));
    for (const item of p.delete) {
      for (const a of item.after) assert.ok(deleted.has(a), `seed ${seed}: ${item.digest} waits for ${a}, which is not deleted`);
      const n = world.graph.nodes.get(item.digest);
      for (const parent of n?.parents ?? []) {
        if (deleted.has(parent)) assert.ok(item.after.includes(parent), `seed ${seed}: child ${item.digest} does not wait for its index ${parent}`);
      }
      for (const a of n?.attachments ?? []) {
        if (deleted.has(a)) assert.ok(item.after.includes(a), `seed ${seed}: ${item.digest} does not wait for its attachment ${a}`);
      }
    }
    // The order is satisfiable: `after` has no cycle.
    const state = new Map<Digest, 'open' | 'done'>();
    const visit = (d: Digest, path: Digest[]): void => {
      if (state.get(d) === 'done') return;
      assert.not.ok(state.get(d) === 'open', `seed ${seed}: cycle in after: ${[...path, d].join(' -> ')}`);
      state.set(d, 'open');
      for (const a of after.get(d) ?? []) visit(a, [...path, d]);
      state.set(d, 'done');
    };
    for (const d of after.keys()) visit(d, []);
  }
});

test('(4) every kept image has at least one reason', async () => {
  for (const seed of WORLDS) {
    const { plan: p } = await planned(seed);
    for (const k of p.kept) assert.ok(k.reasons.length > 0, `seed ${seed}: ${k.digest} is kept without a reason`);
  }
});

test('(5) determinism: the same input twice gives the same plan', async () => {
  for (const seed of WORLDS) {
    const { plan: first } = await planned(seed);
    const second = await plan(randomWorld(seed, optionsFor(seed)));
    assert.is(JSON.stringify(second), JSON.stringify(first), `seed ${seed}: two plans of one world differ`);
  }
});

test('(6) monotonicity: a keep-list glob * keeps every tagged image and drops nothing that was kept', async () => {
  for (const seed of WORLDS) {
    const { world, plan: p } = await planned(seed);
    const star = await plan(world, ['*']);
    const { kept } = sets(star);
    for (const k of p.kept) assert.ok(kept.has(k.digest), `seed ${seed}: ${k.digest} was kept and is deleted with keepTags *`);
    for (const n of world.graph.nodes.values()) {
      // Attachments follow their subject (§3, §5), whatever their tags.
      if (!n.listed || n.tags.length === 0 || n.kind === 'attachment') continue;
      assert.ok(kept.has(n.digest), `seed ${seed}: tagged ${n.digest} (${n.tags.join(', ')}) is deleted with keepTags *`);
    }
  }
});

const allTags = (graph: ImageGraph): string[] => [...new Set([...graph.nodes.values()].flatMap((n) => n.tags))];
const decisions = (p: Plan): string => JSON.stringify({ kept: p.kept.map((k) => [k.digest, [...new Set(k.reasons.map((r) => r.reason))]]), deleted: p.delete.map((d) => d.digest) });

test('(7) explaining changes no decision: the same kept (by the same reasons) and deleted sets', async () => {
  for (const seed of WORLDS) {
    const { world, plan: p } = await planned(seed);
    const explained = await planWith({ yaml: policyYaml(world.policy), graph: world.graph, history: world.history, extra: { clusterImages: world.clusterImages, explain: allTags(world.graph) } });
    assert.is(decisions(explained), decisions(p), `seed ${seed}: explain changed a decision`);
  }
});

/** Checks a plan's ranks and misses against the brute force; counts the ranks compared. */
function checkAgainstBruteForce(seed: number, world: World, p: Plan, explained: boolean): number {
  const policy = policyFrom(policyYaml(world.policy));
  const brute = bruteForceGroups(world.graph, world.history.refList, world.history.commitsById, policy, NOW);
  const inWindow = (id: string, index: number): boolean => {
    const limit = policy.keepPolicies[index]?.imagesPerReference;
    const date = world.history.commitsById.get(id)?.date.getTime() ?? 0;
    return limit?.in === undefined || date > NOW.getTime() - limit.in;
  };
  let ranked = 0;
  for (const k of p.kept) {
    for (const r of k.reasons) {
      if (!r.group) continue;
      const want = brute.find((b) => b.policyIndex === r.group?.policy.index && b.ref.name === r.group.reference.name)?.groups.get(k.digest);
      assert.equal({ rank: r.group.rank, kept: r.group.kept, inWindow: r.group.inWindow }, { rank: want?.rank, kept: true, inWindow: inWindow(r.group.commit.id, r.group.policy.index) },
        `seed ${seed}: ${k.digest} kept by ${r.group.reference.name}`);
      ranked += 1;
    }
  }
  for (const d of p.delete) {
    for (const m of d.decision.misses ?? []) {
      const met = brute.filter((r) => r.policyIndex === m.policy.index && r.groups.has(d.digest));
      const where = `seed ${seed} (${explained ? 'explain' : 'cleanup'}): ${d.digest}: ${m.outcome}: ${m.detail}`;
      if (m.outcome === 'beyond-last' || m.outcome === 'outside-in') {
        const group = met.find((r) => r.ref.name === m.reference?.name)?.groups.get(d.digest);
        assert.equal({ rank: m.rank, kept: group?.kept }, { rank: group?.rank, kept: false }, where);
        if (explained) assert.is(m.rank, Math.min(...met.map((r) => r.groups.get(d.digest)?.rank ?? Infinity)), `${where}: not the nearest`);
        assert.is(m.outcome === 'outside-in', !inWindow(m.commit?.id ?? '', m.policy.index), `${where}: the date test`);
        ranked += 1;
      } else if (m.outcome === 'reference-not-selected') {
        // A fact about that reference; in explain, also the nearest (a selected reference meeting it comes first).
        assert.not.ok(brute.some((r) => r.policyIndex === m.policy.index && r.ref.name === m.reference?.name), `${where}: it is selected`);
        if (explained) assert.is(met.length, 0, `${where}, yet ${met[0]?.ref.name} reaches it`);
      } else if (m.outcome !== 'walk-stopped') {
        assert.is(met.length, 0, `${where}, yet ${met[0]?.ref.name} reaches it`);
      }
      if (explained) assert.not.ok(m.outcome === 'walk-stopped', `${where}: explain left it unranked`);
      // A git tag looks at its own commit only: it never stops before an image.
      if (policy.keepPolicies[m.policy.index]?.references.kind === 'tag') assert.not.ok(m.outcome === 'walk-stopped', `${where}: a tag walk-stopped`);
    }
  }
  return ranked;
}

test('§4.7 exactness: ranks, date tests and misses equal a brute force of §4 that walks every history (explain and cleanup)', async () => {
  let ranked = 0;
  for (const seed of EXACT) {
    const world = randomWorld(seed, { monotonic: true, simpleMapping: true, sparse: seed % 3 === 0 });
    world.policy.disableGit = false;
    const input = { yaml: policyYaml(world.policy), graph: world.graph, history: world.history };
    const explained = await planWith({ ...input, extra: { clusterImages: world.clusterImages, explain: allTags(world.graph) } });
    ranked += checkAgainstBruteForce(seed, world, explained, true);
    ranked += checkAgainstBruteForce(seed, world, await planWith({ ...input, extra: { clusterImages: world.clusterImages } }), false);
  }
  if (!only) assert.ok(ranked > 1000, `only ${ranked} ranks compared`);
});

test('§4 exactness: the git-history kept set equals a brute force of §4 on monotonic random histories', async () => {
  let compared = 0;
  let nonEmpty = 0;
  for (const seed of EXACT) {
    const world = randomWorld(seed, { monotonic: true, simpleMapping: true, sparse: seed % 3 === 0 });
    world.policy.disableGit = false;
    const p = await plan(world);
    const got = p.kept.filter((k) => k.reasons.some((r) => r.reason === 'git-history')).map((k) => k.digest).sort();
    const policy = policyFrom(policyYaml(world.policy));
    const want = [...bruteForceGitKept(world.graph, world.history.refList, world.history.commitsById, policy, NOW)].sort();
    const onlyPlanner = got.filter((d) => !want.includes(d));
    const onlyBrute = want.filter((d) => !got.includes(d));
    assert.ok(onlyPlanner.length === 0 && onlyBrute.length === 0,
      `seed ${seed}: planner keeps ${onlyPlanner.join(', ') || 'nothing more'}; brute force keeps ${onlyBrute.join(', ') || 'nothing more'}\n${policyYaml(world.policy)}`);
    compared += 1;
    if (want.length > 0) nonEmpty += 1;
  }
  // The comparison means something only if many worlds keep something by git history.
  if (!only) assert.ok(nonEmpty > compared / 3, `only ${nonEmpty} of ${compared} worlds keep anything by git history`);
});

test.run();
