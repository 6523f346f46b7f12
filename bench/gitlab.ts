// GitLab bench: `npm run bench:gitlab` (builds, then runs this with tsx: the fake GitLab is the
// TypeScript test support of packages/gitlab). The component job's own composition root (`runJob` of
// packages/gitlab-ci, in process) against a fake GitLab on 127.0.0.1 that adds 50 ms to every answer
// and allows 2,000 REST requests a minute (GitLab.com's authenticated limit): a project with 500
// branches and two registry repositories holding 10,000 tags.
//   1. a dry run with the registry's /gitlab/v1 listing: requests by kind, wall time;
//   2. a real run with max-deletions 1,000 (the paced tag-by-tag deletes);
//   3. with --rest: the dry run again on a registry without /gitlab/v1 (one details call per tag).
// The last line says whether the goal is met (exit code 1 when not): with /gitlab/v1, listing costs at
// most tags / 1000 + repositories requests and no per-tag detail call.
//   BENCH_LATENCY_MS=50   added to every answer of the fake
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { requestKind } from '@regsweep/gitlab';
import { runJob, type JobResult } from '../packages/gitlab-ci/dist/index.js';
import { FakeGitLab, TOKENS } from '@regsweep/test-kit/fake-gitlab';

const latencyMs = process.env['BENCH_LATENCY_MS'] !== undefined ? Math.max(0, Number(process.env['BENCH_LATENCY_MS'])) : 50;
const withRest = process.argv.includes('--rest');
const HOUR = 3_600_000;
const GB = 1024 ** 3;
const NOW = Date.now();
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const sha = (n: number): string => n.toString(16).padStart(40, '0').replace(/^0/, 'c');
const at = (hoursAgo: number): string => new Date(NOW - hoursAgo * HOUR).toISOString();

// ---- the world ----
const MAIN = 1500;
const BRANCHES = 500;
const PER_BRANCH = 8;
const DELETED = 1000;
const TARGET_APP = 8000;
const TARGET_WORKER = 2000;
const gitlab = new FakeGitLab({ latencyMs, perMinute: 2000 });
const p = gitlab.project;
let n = 0;
const mainCommits: string[] = [];
for (let i = 0; i < MAIN; i++) {
  const id = sha(++n);
  gitlab.addCommit(id, i === 0 ? [] : [mainCommits[i - 1] as string], at((MAIN - i) * 3));
  mainCommits.push(id);
}
p.branches.set('main', mainCommits[MAIN - 1] as string);
const branchCommits: string[] = [];
for (let b = 0; b < BRANCHES; b++) {
  let parent = mainCommits[(b * 3) % MAIN] as string;
  // A fifth of the branches were pushed to this week; the rest are older.
  const tipHoursAgo = b % 5 === 0 ? 6 + b : 200 + b * 2;
  for (let c = 0; c < PER_BRANCH; c++) {
    const id = sha(++n);
    gitlab.addCommit(id, [parent], at(tipHoursAgo + (PER_BRANCH - c)));
    branchCommits.push(id);
    parent = id;
  }
  p.branches.set(`feature/b${b}`, parent);
  if (b % 25 === 0) p.mergeRequests.push({ iid: b + 1, sha: parent, sourceBranch: `feature/b${b}`, state: 'opened' });
}
for (let t = 0; t < 10; t++) p.gitTags.set(`v1.${t}`, { commit: mainCommits[MAIN - 1 - t * 100] as string, taggedAt: at(t * 300) });

await gitlab.start();
const app = gitlab.addRepository('acme/app');
const worker = gitlab.addRepository('acme/app/worker');
const reg = gitlab.registry;
const tags = { app: 0, worker: 0 };
const image = (path: string, commit: string, created: string): string => reg.addImage(path, { created, revision: commit });
const tag = (path: string, name: string, digest: string, when: string): void => {
  reg.tag(path, name, digest, when);
  if (path === app.path) tags.app += 1;
  else tags.worker += 1;
};
const mainDigests: string[] = [];
for (const id of mainCommits) {
  const created = p.commits.get(id)?.date ?? at(1);
  const d = image(app.path, id, created);
  mainDigests.push(d);
  tag(app.path, id, d, created);
  const w = image(worker.path, id, created);
  tag(worker.path, id, w, created);
}
tag(app.path, 'main', mainDigests[MAIN - 1] as string, at(3));
for (const [name, t] of p.gitTags) tag(app.path, name, mainDigests[mainCommits.indexOf(t.commit)] as string, t.taggedAt ?? at(1));
for (const id of branchCommits) {
  const created = p.commits.get(id)?.date ?? at(1);
  tag(app.path, id, image(app.path, id, created), created);
}
for (const [name, tip] of p.branches) {
  if (name === 'main') continue;
  tag(app.path, name.replace('/', '-'), reg.tags.get(app.path)?.get(tip)?.digest as string, p.commits.get(tip)?.date ?? at(1));
}
for (let d = 0; d < DELETED; d++) {
  const id = sha(900_000 + d); // commits of deleted branches: GitLab no longer has them
  const created = at(400 + d);
  tag(app.path, id, image(app.path, id, created), created);
}
for (let a = 0; tags.app < TARGET_APP; a++) tag(app.path, `ci-${a}`, mainDigests[a % MAIN] as string, at(a % 2000));
for (let a = 0; tags.worker < TARGET_WORKER; a++) tag(worker.path, `ci-${a}`, reg.tags.get(worker.path)?.get(mainCommits[a % MAIN] as string)?.digest as string, at(a));
const totalTags = tags.app + tags.worker;

console.log(`machine: ${cpus().length} cpus (${cpus()[0]?.model ?? '?'}), ${(totalmem() / GB).toFixed(1)} GB memory (${(freemem() / GB).toFixed(1)} GB free), node ${process.version}`);
console.log(`world: ${p.branches.size} branches (${BRANCHES} feature branches x ${PER_BRANCH} commits, a fifth pushed this week), ${p.gitTags.size} git tags, ` +
  `${p.mergeRequests.length} open merge requests, ${p.commits.size} commits; registry: ${app.path} ${tags.app} tags, ${worker.path} ${tags.worker} tags ` +
  `(${totalTags} in all; ${DELETED} images of deleted branches)`);
console.log(`fake GitLab at ${gitlab.url}: ${latencyMs} ms added to every answer; 2,000 REST requests a minute, then 429 with Retry-After`);
console.log('policy: the default (werf\'s default set)');

// ---- runs ----
const dir = await mkdtemp(join(tmpdir(), 'regsweep-bench-gitlab-'));
const cacheDir = join(dir, 'cache');
const env = (change: Record<string, string>): Record<string, string> => ({
  CI_SERVER_URL: gitlab.url, CI_API_V4_URL: `${gitlab.url}/api/v4`, CI_PROJECT_ID: '42', CI_PROJECT_PATH: 'acme/app',
  CI_REGISTRY: gitlab.url, CI_REGISTRY_IMAGE: `${new URL(gitlab.url).host}/acme/app`, CI_JOB_TOKEN: TOKENS.job, CI_PROJECT_DIR: dir,
  CI_COMMIT_REF_NAME: 'main', REGSWEEP_TOKEN: TOKENS.api, REGSWEEP_CACHE_DIR: cacheDir, ...change,
});

interface Run {
  label: string;
  result: JobResult;
  ms: number;
  kinds: Record<string, number>;
  limited: number;
}

async function run(label: string, change: Record<string, string>): Promise<Run> {
  const from = gitlab.requestTimes.length;
  const limitedFrom = gitlab.limitedUntil.length;
  const started = performance.now();
  const progress: string[] = [];
  const result = await runJob({
    env: env(change), tmpdir: dir,
    out: (line) => {
      if (/deleting: |listed digests|rate limit/.test(line)) console.log(`  [${label} +${s(performance.now() - started)}] ${line}`);
      progress.push(line);
    },
  });
  const ms = performance.now() - started;
  const kinds: Record<string, number> = {};
  for (const r of gitlab.requestTimes.slice(from)) {
    const kind = requestKind(r.method, new URL(r.path, gitlab.url));
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  if (result.exitCode !== 0) console.log(progress.slice(-15).join('\n'));
  return { label, result, ms, kinds, limited: gitlab.limitedUntil.length - limitedFrom };
}

function show(r: Run): void {
  const rep = r.result.report;
  const kinds = Object.entries(r.kinds).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`${r.label}: exit ${r.result.exitCode} in ${s(r.ms)}; kept ${rep.kept.length}, ${rep.dryRun ? 'would delete' : 'deleted'} ${rep.deleted.length} ` +
    `(${rep.deleted.reduce((t, d) => t + d.tags.length, 0)} tags), left for the next run ${rep.notAttempted.length}, failed ${rep.failed.length}; 429 answers ${r.limited}`);
  console.log(`  requests by kind: ${kinds}`);
}

const listingOf = (r: Run): number => (r.kinds['tags-v1'] ?? 0) + (r.kinds['repositories'] ?? 0);
// Reads by need (cleanup-semantics.md §3.4): GitLab lists tags only, so every listed digest is tagged: its
// manifest is read (it may be an index or an attachment), and its config (a revision label wins over the
// commit its tag names). Every digest here is a single image, each read once.
const distinctDigests = [...reg.tags.values()].reduce((sum, byTag) => sum + new Set([...byTag.values()].map((t) => t.digest)).size, 0);
const readsOf = (r: Run): { manifests: number; configs: number } => r.result.report.repositories.reduce(
  (sum, repo) => ({ manifests: sum.manifests + (repo.stats.manifestReads ?? 0), configs: sum.configs + (repo.stats.configReads ?? 0) }), { manifests: 0, configs: 0 });
let ok = true;
try {
  const dry = await run('dry run, /gitlab/v1', { REGSWEEP_DRY_RUN: 'true' });
  show(dry);
  const real = await run('real run, max-deletions 1000', { REGSWEEP_MAX_DELETIONS: '1000' });
  show(real);
  const deletes = real.kinds['tag-deletes'] ?? 0;
  console.log(`  ${deletes} tag deletes, ${(deletes / (real.ms / 60_000)).toFixed(0)} requests a minute of deletes over the whole run`);
  if (withRest) {
    reg.v1 = false;
    const rest = await run('dry run, REST (no /gitlab/v1)', { REGSWEEP_DRY_RUN: 'true' });
    show(rest);
  }
  // The listing is read until two reads agree (cleanup-semantics.md §6): two passes of tags / 1000 pages.
  const budget = 2 * (Math.ceil(tags.app / 1000) + Math.ceil(tags.worker / 1000)) + 2;
  const listing = listingOf(dry);
  const details = dry.kinds['tag-details'] ?? 0;
  const reads = readsOf(dry);
  const readsOk = reads.manifests === distinctDigests && reads.configs === distinctDigests;
  console.log(`first-run reads: manifests ${reads.manifests}, configs ${reads.configs}; by §3.4 ${distinctDigests} and ${distinctDigests} ` +
    `(every listed digest is tagged: ${distinctDigests} distinct digests behind ${totalTags} tags): ${readsOk ? 'equal' : 'DIFFERENT'}`);
  ok = listing <= budget && details === 0 && dry.result.exitCode === 0 && real.result.exitCode === 0 && readsOk;
  console.log(`goal (listing ≤ 2 × tags/1000 + repositories = ${budget}: read until two reads agree; no tag-details call): listing took ${listing} requests ` +
    `(tags-v1 ${dry.kinds['tags-v1'] ?? 0} + repositories ${dry.kinds['repositories'] ?? 0}), tag-details ${details}: ${ok ? 'met' : 'NOT met'}`);
} finally {
  await gitlab.close();
  await rm(dir, { recursive: true, force: true });
}
process.exitCode = ok ? 0 : 1;
