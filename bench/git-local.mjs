// Local-git bench: `npm run bench:git-local` (builds, then runs this).
// The planner bench's world (bench/world.mjs) written into a real git repository with `git fast-import`
// (one commit per world commit, same parents, committer dates to the second, every branch and tag), then
// `planCleanup` on it with the history read through @regsweep/git-local, twice per policy, interleaved:
// every commit through `git cat-file --batch` (readAhead: false), and with the read-ahead stream (one
// `git rev-list` listing ahead of the walk). The planner runs on the world's own ids and commit objects:
// a thin port turns them into the repository's ids and back, so both modes plan exactly the same and
// only the reading differs. The last line is the one the results file quotes.
//   BENCH_RUNS=3   runs per mode and policy (the median counts)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildGraph, defaultCleanupPolicy, parsePolicyText, planCleanup, REVISION_LABEL } from '@regsweep/core/internal';
import { openLocalGit } from '@regsweep/git-local';
import { makeWorld, memoryHistory } from './world.mjs';

const runs = Math.max(1, Number(process.env.BENCH_RUNS) || 3);
const fromYaml = (yaml) => parsePolicyText(yaml, 'bench.yaml').policy;
const VARIANTS = [
  { name: 'default', policy: () => defaultCleanupPolicy() },
  {
    name: 'deep',
    policy: () => fromYaml('cleanup:\n  keepPolicies:\n    - references: { branch: /.*/ }\n      imagesPerReference: { last: 100 }\n' +
      '    - references: { branch: /^(main|staging|production)$/ }\n      imagesPerReference: { in: 2160h }\n'),
  },
];

/** The world's history as a fast-import stream: commits in the world's order (parents first), then the refs. */
function fastImport(world) {
  const lines = [];
  world.commits.forEach((c, i) => {
    const seconds = Math.floor(c.date.getTime() / 1000);
    lines.push('commit refs/regsweep/import', `mark :${i + 1}`, `committer Bench <bench@example.invalid> ${seconds} +0000`, `data ${c.id.length}`, c.id);
    c.parents.forEach((p, k) => lines.push(`${k === 0 ? 'from' : 'merge'} :${markOf.get(p)}`));
    markOf.set(c.id, i + 1);
    lines.push('');
  });
  for (const r of world.refs) lines.push(`reset refs/${r.kind === 'branch' ? 'heads' : 'tags'}/${r.name}`, `from :${markOf.get(r.commit)}`, '');
  return `${lines.join('\n')}\n`;
}
const markOf = new Map();

function git(dir, args, input) {
  const r = spawnSync('git', args, { cwd: dir, input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

let t0 = performance.now();
const world = makeWorld(Number(process.env.BENCH_SEED) || 20261120);
const graph = buildGraph(world.listing, { manifests: world.manifests, configs: world.configs }, [REVISION_LABEL]);
world.manifests.clear();
world.configs.clear();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regsweep-bench-git-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
git(dir, ['init', '-q', '--initial-branch=main']);
const marks = path.join(dir, 'marks');
git(dir, ['fast-import', '--quiet', `--export-marks=${marks}`], fastImport(world));
git(dir, ['update-ref', '-d', 'refs/regsweep/import']);
const toGit = new Map();
const fromGit = new Map();
for (const line of fs.readFileSync(marks, 'utf8').split('\n')) {
  const [mark, id] = line.split(' ');
  if (!id) continue;
  const c = world.commits[Number(mark.slice(1)) - 1];
  toGit.set(c.id, id);
  fromGit.set(id, c);
}
console.log(`world: ${world.commits.length} commits, ${world.refs.length} refs, ${world.listing.length} listed digests; ` +
  `written to a git repository (${toGit.size} commits) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

/** The world's GitHistory, reading every commit from the repository (`local`): world ids in, world commits out. */
function throughGit(local) {
  const memory = memoryHistory(world);
  return {
    async refs() {
      await local.refs(); // the read-ahead lists from these tips
      return memory.refs();
    },
    async commits(ids) {
      const asked = ids.map((id) => toGit.get(id) ?? id);
      const read = await local.commits(asked);
      const out = new Map();
      for (const [id, c] of read) {
        const w = fromGit.get(id);
        if (!w || c.parents.length !== w.parents.length) throw new Error(`commit ${id} does not match the world`);
        out.set(w.id, w);
      }
      return out;
    },
    resolvePrefixes: (prefixes) => memory.resolvePrefixes(prefixes),
  };
}

async function runOnce(variant, readAhead) {
  const policy = variant.policy();
  const local = await openLocalGit(dir, readAhead ? { readAhead: {} } : { readAhead: false });
  try {
    const history = throughGit(local);
    t0 = performance.now();
    const plan = await planCleanup({
      registry: { name: 'ghcr.io/acme/app', imageReference: 'ghcr.io/acme/app' },
      graph, policy, keepTags: policy.keepTags, history, clusterImages: world.clusterImages, now: world.now,
    });
    return { ms: performance.now() - t0, kept: plan.kept.length, read: plan.stats.commitsRead, stats: local.stats() };
  } finally {
    await local.close();
  }
}

const median = (list) => list.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(list.length / 2)];
const lines = [];
for (const variant of VARIANTS) {
  const plain = [];
  const ahead = [];
  for (let i = 0; i < runs; i++) {
    plain.push(await runOnce(variant, false));
    ahead.push(await runOnce(variant, true));
  }
  if (plain.some((r) => r.kept !== plain[0].kept) || ahead.some((r) => r.kept !== plain[0].kept)) throw new Error('the two modes planned differently');
  const a = ahead[0].stats;
  console.log(`${variant.name}: kept ${plain[0].kept}, commits read ${plain[0].read}`);
  console.log(`  cat-file only: runs ${plain.map((r) => r.ms.toFixed(0)).join(', ')} ms, median ${median(plain).toFixed(0)} ms (${plain[0].stats.catFileCommits} commits through cat-file)`);
  console.log(`  read-ahead:    runs ${ahead.map((r) => r.ms.toFixed(0)).join(', ')} ms, median ${median(ahead).toFixed(0)} ms ` +
    `(${a.catFileCommits} through cat-file; rev-list listed ${a.stream?.listed ?? 0}, answered ${a.stream?.answered ?? 0})`);
  lines.push(`${variant.name} ${median(plain).toFixed(0)} -> ${median(ahead).toFixed(0)} ms (${(median(plain) / median(ahead)).toFixed(1)}x)`);
}
console.log(`git-local: ${world.commits.length} commits, ${world.refs.length} refs: ${lines.join(', ')}`);
