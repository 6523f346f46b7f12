// Planner bench: `npm run bench:plan` (builds, then runs this with --expose-gc).
// Generates a deterministic world (bench/world.mjs), builds the image graph once, then times
// `planCleanup` alone for several policies, and beside each run a linear baseline on the same input
// (linearBaseline below: the least any planner must do). `ratio` is the planner's median over the
// baseline's, both measured in this process, so a loaded machine slows both alike. The last line is
// the one the results file quotes.
//   BENCH_RUNS=3   runs per policy variant (the median counts; every run is printed)
//   BENCH_SEED=…   another world
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { buildGraph, defaultCleanupPolicy, parsePolicyText, planCleanup, REVISION_LABEL } from '@regsweep/core/internal';
import { makeWorld, memoryHistory } from './world.mjs';

const MB = 1024 * 1024;
const runs = Math.max(1, Number(process.env.BENCH_RUNS) || 3);
const seed = Number(process.env.BENCH_SEED) || 20261120;
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
if (typeof globalThis.gc !== 'function') console.log('note: run with --expose-gc for heap figures after gc');

const fromYaml = (yaml) => parsePolicyText(yaml, 'bench.yaml').policy;
const VARIANTS = [
  { name: 'default', about: 'werf default keepPolicies, keepImagesBuiltWithinLastNHours 2', policy: () => defaultCleanupPolicy() },
  {
    name: 'heavy', about: 'every tag last 1; every branch imagesPerReference last 10, no in',
    policy: () => fromYaml('cleanup:\n  keepPolicies:\n    - references: { tag: /.*/ }\n    - references: { branch: /.*/ }\n      imagesPerReference: { last: 10 }\n'),
  },
  {
    name: 'deep', about: 'every branch last 100 images; main, staging, production every image of 90 days',
    policy: () => fromYaml('cleanup:\n  keepPolicies:\n    - references: { branch: /.*/ }\n      imagesPerReference: { last: 100 }\n' +
      '    - references: { branch: /^(main|staging|production)$/ }\n      imagesPerReference: { in: 2160h }\n'),
  },
];

let t0 = performance.now();
const world = makeWorld(seed);
const graph = buildGraph(world.listing, { manifests: world.manifests, configs: world.configs }, [REVISION_LABEL]);
const branches = world.refs.filter((r) => r.kind === 'branch').length;
console.log(`world (seed ${seed}): ${world.listing.length} listed digests, ${graph.nodes.size} graph nodes, ${world.refs.length} refs ` +
  `(${branches} branches, ${world.refs.length - branches} tags), ${world.commits.length} commits (trunk ${world.trunkLength}, ` +
  `${world.features} feature lines), ${world.clusterImages.length} cluster uses; generated in ${(performance.now() - t0).toFixed(0)} ms`);
console.log(`  ${world.composition}`);
// The world stays referenced (graph, history), so it is part of every rss figure below.
world.manifests.clear();
world.configs.clear();

// Peak rss: sampled by the history port (at most every 2 ms, so sampling does not slow the planner)
// and by a timer where the planner yields to the event loop.
let peakRss = 0;
let lastSample = 0;
const sample = () => {
  const t = performance.now();
  if (t - lastSample < 2) return;
  lastSample = t;
  const rss = process.memoryUsage.rss();
  if (rss > peakRss) peakRss = rss;
};
const forceSample = () => {
  lastSample = 0;
  sample();
};
// GC pauses inside the timed window (the main thread's share of the planner's time).
const gcPauses = [];
new PerformanceObserver((list) => gcPauses.push(...list.getEntries())).observe({ entryTypes: ['gc'] });
const gcWithin = (from, to) => gcPauses.filter((e) => e.startTime >= from && e.startTime < to).reduce((sum, e) => sum + e.duration, 0);

/**
 * The least any planner must do, in one pass: a map of the listed digests, a map from commit to the
 * digests built from it (revision labels), and one visit of every commit reachable from a reference,
 * read through the same history port frontier by frontier.
 */
async function linearBaseline(history) {
  const digests = new Map();
  const byCommit = new Map();
  for (const n of graph.nodes.values()) {
    if (!n.listed) continue;
    digests.set(n.digest, n);
    for (const rev of n.revisions) {
      const list = byCommit.get(rev);
      if (list) list.push(n.digest);
      else byCommit.set(rev, [n.digest]);
    }
  }
  const seen = new Set();
  let frontier = [];
  for (const r of await history.refs()) if (!seen.has(r.commit)) { seen.add(r.commit); frontier.push(r.commit); }
  let images = 0;
  while (frontier.length > 0) {
    const read = await history.commits(frontier);
    const next = [];
    for (const id of frontier) {
      images += byCommit.get(id)?.length ?? 0;
      for (const p of read.get(id)?.parents ?? []) if (!seen.has(p)) { seen.add(p); next.push(p); }
    }
    frontier = next;
  }
  return { digests: digests.size, commits: seen.size, images };
}

async function timeBaseline() {
  const history = memoryHistory(world);
  gc();
  const t = performance.now();
  const out = await linearBaseline(history);
  return { ms: performance.now() - t, ...out };
}

async function runOnce(variant) {
  const policy = variant.policy();
  const history = memoryHistory(world, sample);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  peakRss = 0;
  forceSample();
  const rssBefore = peakRss;
  const timer = setInterval(sample, 5); // fires only where the planner awaits a macrotask; the port samples too
  t0 = performance.now();
  const plan = await planCleanup({
    registry: { name: 'ghcr.io/acme/app', imageReference: 'ghcr.io/acme/app' },
    graph, policy, keepTags: policy.keepTags, history, clusterImages: world.clusterImages, now: world.now,
  });
  const t1 = performance.now();
  const ms = t1 - t0;
  forceSample();
  clearInterval(timer);
  gc();
  const heapAfter = process.memoryUsage().heapUsed; // with the plan still referenced
  await new Promise((resolve) => setTimeout(resolve, 20)); // lets the observer deliver the gc entries
  // Only figures leave this function, so that no plan outlives its run.
  return { ms, gcMs: gcWithin(t0, t1), peakRss, rssBefore, heapBefore, heapAfter, kept: plan.kept.length, deleted: plan.delete.length, stats: plan.stats, history: history.stats };
}

const results = [];
for (const variant of VARIANTS) {
  const list = [];
  const base = [];
  // Interleaved, so that both see the same machine load.
  for (let i = 0; i < runs; i++) {
    base.push(await timeBaseline());
    list.push(await runOnce(variant));
  }
  const median = list.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const baseMedian = base.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(base.length / 2)];
  const ratio = median / baseMedian;
  const peak = Math.max(...list.map((r) => r.peakRss));
  const s = list[0].stats;
  console.log(`${variant.name}: ${variant.about}`);
  console.log(`  runs ${list.map((r) => `${r.ms.toFixed(0)} (gc ${r.gcMs.toFixed(0)})`).join(', ')} ms, median ${median.toFixed(0)} ms; peak rss ${(peak / MB).toFixed(0)} MB ` +
    `(before ${(list[0].rssBefore / MB).toFixed(0)} MB); heap after gc ${(list[0].heapBefore / MB).toFixed(0)} -> ${(list[0].heapAfter / MB).toFixed(0)} MB with the plan`);
  console.log(`  kept ${list[0].kept}, delete ${list[0].deleted}; selected refs ${s.selectedRefs}/${s.refs}; ` +
    `commits read ${s.commitsRead}, visited ${s.commitsVisited}; history calls ${list[0].history.commitsCalls}, prefixes ${list[0].history.prefixes}`);
  console.log(`  baseline runs ${base.map((r) => r.ms.toFixed(0)).join(', ')} ms, median ${baseMedian.toFixed(0)} ms ` +
    `(${base[0].digests} digests, ${base[0].commits} commits, ${base[0].images} labelled images); ratio ${ratio.toFixed(2)}`);
  results.push({ variant, ms: median, peak, ratio });
}

// The last line quotes the slowest variant's median run, and the highest peak rss of any run.
const worst = results.reduce((a, b) => (b.ms > a.ms ? b : a));
const hungriest = results.reduce((a, b) => (b.peak > a.peak ? b : a));
const worstRatio = results.reduce((a, b) => (b.ratio > a.ratio ? b : a));
console.log(`worst variant: ${worst.variant.name} (highest median of ${runs} runs); peak rss: ${hungriest.variant.name} (highest of all runs, world included); ` +
  `highest ratio: ${worstRatio.variant.name}`);
console.log(`plan: ${world.listing.length} images, ${world.refs.length} refs, ${world.commits.length} commits: ${worst.ms.toFixed(0)} ms, peak ${(hungriest.peak / MB).toFixed(0)} MB, ratio ${worstRatio.ratio.toFixed(2)}`);
