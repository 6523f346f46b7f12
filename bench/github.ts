// GitHub bench: `npm run bench:github` (builds, then runs this with tsx: the fakes it runs against are
// the TypeScript test support of packages/github). A real cleanup of a 10,000-version GHCR package,
// planned against a 500-branch repository read through GraphQL, through the built packages
// (planRepository + applyPlan, GhcrRegistry paced by one Pacer, GitHubHistory in sharedHistory, a
// digest cache in a temporary directory), against a fake GitHub on 127.0.0.1 that adds 50 ms to every
// answer and enforces GitHub's secondary limits (900 points a minute per endpoint, a DELETE costing 5;
// 100 requests in flight) with the real clock. Then a second real run with the same cache.
// The last line says whether the goals are met (exit code 1 when not).
//   --quick                a world a fifth the size (2,000 versions, 200 to delete: ~1 min of deletes)
//   BENCH_SEED=…           another world of the same shape
//   BENCH_CONCURRENCY=8    reads and deletes in flight (the CLI's default)
//   BENCH_LATENCY_MS=50    added to every answer of the fake
//   BENCH_GRAPHQL_SPACING_MS   space GraphQL queries this far apart instead (absent: GitHub's GraphQL point budget, as the Action does)
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { applyPlan, emptyReport, parsePolicyText, planRepository, sharedHistory, type Clock, type Plan, type RunOptions } from '@regsweep/core/internal';
import { createOctokit, fetchRequest, GitHubHistory, GraphqlBudget, openGhcrPackage, Pacer, type GhcrRegistry, type RateLimitEvent } from '@regsweep/github';
import { DigestCache } from '@regsweep/oci-registry';
import { fakeGraphql } from '@regsweep/test-kit/fake-graphql';
import { FakeGhcrOci } from '@regsweep/test-kit/fake-ghcr-oci';
import { FakePackages } from '@regsweep/test-kit/fake-packages';
import { startFakeServer, type Handler } from '@regsweep/test-kit/server';
import { buildWorld, POLICY_YAML } from './github-world.js';

const quick = process.argv.includes('--quick');
const scale = quick ? 0.2 : 1;
const seed = Number(process.env['BENCH_SEED']) || 20261120;
const concurrency = Math.max(1, Number(process.env['BENCH_CONCURRENCY']) || 8);
const latencyMs = process.env['BENCH_LATENCY_MS'] !== undefined ? Math.max(0, Number(process.env['BENCH_LATENCY_MS'])) : 50;
const spacingEnv = process.env['BENCH_GRAPHQL_SPACING_MS'];
const graphqlSpacing = spacingEnv !== undefined && spacingEnv !== '' ? Math.max(0, Number(spacingEnv)) : undefined;
const NOW = new Date('2026-11-20T12:00:00Z');
const OWNER = 'acme';
const NAME = 'app';
const TOKEN = 'pat';
const GB = 1024 ** 3;
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

// ---- counting every request the fake answers, by kind ----
const KINDS = ['GraphQL', 'REST list pages', 'owner lookups', 'manifest GET', 'blob GET', 'token', 'DELETE', 'other'] as const;
type Kind = (typeof KINDS)[number];
const GQL_OPS = ['refs', 'prefixes', 'objects', 'history'] as const;
type GqlOp = (typeof GQL_OPS)[number] | 'other';
interface Seen {
  kind: Kind;
  op?: GqlOp;
  path: string;
  method: string;
  at: number;
  end?: number;
  status?: number;
}

class Counter {
  seen: Seen[] = [];
  reset(): void {
    this.seen = [];
  }
  /** Looks at every request first (never answers it) and notes its status when the answer is sent. */
  readonly handler: Handler = (req: IncomingMessage, body: string, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let kind: Kind = 'other';
    let op: GqlOp | undefined;
    if (method === 'POST' && path === '/graphql') {
      kind = 'GraphQL';
      const name = /query\s+Regsweep(\w+)/.exec(body)?.[1] ?? '';
      op = ({ Refs: 'refs', Prefixes: 'prefixes', Objects: 'objects', History: 'history' } as Record<string, GqlOp>)[name] ?? 'other';
    } else if (method === 'GET' && /\/packages\/container\/[^/]+\/versions$/.test(path)) kind = 'REST list pages';
    else if (method === 'GET' && (/^\/users\/[^/]+$/.test(path) || path === '/user')) kind = 'owner lookups';
    else if (method === 'DELETE' && /\/versions\/\d+$/.test(path)) kind = 'DELETE';
    else if (method === 'GET' && path.startsWith('/v2/') && path.includes('/manifests/')) kind = 'manifest GET';
    else if (method === 'GET' && path.startsWith('/v2/') && path.includes('/blobs/')) kind = 'blob GET';
    else if (path === '/token') kind = 'token';
    const entry: Seen = { kind, path, method, at: performance.now(), ...(op !== undefined ? { op } : {}) };
    this.seen.push(entry);
    res.once('finish', () => {
      entry.end = performance.now();
      entry.status = res.statusCode;
    });
    return false;
  };
}

/** The requests of a kind; `ok`: only those answered 200/204 (true) or only the others (false). */
function ofKind(seen: readonly Seen[], kind: Kind, ok?: boolean): Seen[] {
  return seen.filter((e) => e.kind === kind && (ok === undefined || (e.status === 200 || e.status === 204) === ok));
}

/** From the first arrival to the last answer of the requests `pick` chooses. */
function span(seen: readonly Seen[], pick: (e: Seen) => boolean): { from: number; to: number; ms: number } | undefined {
  const list = seen.filter(pick);
  if (list.length === 0) return undefined;
  const from = Math.min(...list.map((e) => e.at));
  const to = Math.max(...list.map((e) => e.end ?? e.at));
  return { from, to, ms: to - from };
}

/** Adds the fake's latency to a handler's answers (FakePackages adds its own, inside its in-flight count). */
function slow(match: (req: IncomingMessage) => boolean, handler: Handler): Handler {
  return async (req, body, res) => {
    if (!match(req)) return false;
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    return handler(req, body, res);
  };
}

// ---- the fake GitHub ----
console.log(`machine: ${cpus().length} cpus (${cpus()[0]?.model ?? '?'}), ${(totalmem() / GB).toFixed(1)} GB memory (${(freemem() / GB).toFixed(1)} GB free), node ${process.version}`);
let t0 = performance.now();
const oci = new FakeGhcrOci(new Set([TOKEN]));
const world = buildWorld({ scale, seed, now: NOW, oci, repo: `${OWNER}/${NAME}` });
const packages = new FakePackages({
  owners: { [OWNER]: 'Organization' },
  tokens: { [TOKEN]: { login: 'octo', read: true, delete: true } },
  latencyMs, maxConcurrent: 100, pointsPerMinute: 900, hourlyBudget: 5000,
});
packages.packages.set(`${OWNER}/${NAME}`, world.versions);
const counter = new Counter();
const server = await startFakeServer([
  counter.handler,
  packages.handler,
  slow((req) => req.method === 'POST' && (req.url ?? '').split('?')[0] === '/graphql', fakeGraphql({ models: [world.model], token: TOKEN })),
  slow((req) => /^\/(token|v2\/)/.test(req.url ?? ''), oci.handler),
]);
const refCount = world.refs.branches + world.refs.tags + world.refs.pulls;
const versionCount = world.versions.length;
console.log(`world (seed ${seed}${quick ? ', --quick' : ''}): ${versionCount} versions, ${world.refs.branches} branches, ${world.refs.tags} tags, ` +
  `${world.refs.pulls} open pull requests, ${world.commits} commits; built in ${s(performance.now() - t0)}`);
console.log(`  ${world.composition}`);
console.log(`fake GitHub at ${server.url}: ${latencyMs} ms added to every answer; secondary limits 900 points/min per endpoint (DELETE 5), ` +
  `100 in flight; primary 5000/h; GraphQL executed against GitHub's schema`);
console.log(`policy: ${POLICY_YAML.trim().replace(/\n\s*/g, ' ')}`);

const { policy } = parsePolicyText(POLICY_YAML, 'bench-policy.yaml');
const root = await mkdtemp(join(tmpdir(), 'regsweep-bench-github-'));
const cacheDir = join(root, 'cache');
const clock: Clock = { now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))) };

interface RunResult {
  plan: Plan;
  deleted: number;
  statuses: Record<string, number>;
  seen: Seen[];
  planMs: number;
  applyMs: number;
  registry: GhcrRegistry;
  history: GitHubHistory;
  rateEvents: RateLimitEvent[];
}

async function run(label: string): Promise<RunResult> {
  counter.reset();
  const rateEvents: RateLimitEvent[] = [];
  const octokit = createOctokit({
    token: TOKEN, baseUrl: server.url, onRateLimit: (e) => rateEvents.push(e),
    ...(graphqlSpacing !== undefined ? { writeSpacingMs: graphqlSpacing } : { graphqlBudget: new GraphqlBudget({ clock }) }),
  });
  const history = new GitHubHistory({ octokit, owner: OWNER, repo: NAME, pullRequests: policy.pullRequests });
  const start = performance.now();
  const registry = await openGhcrPackage({
    request: fetchRequest({ baseUrl: server.url, token: TOKEN }),
    owner: OWNER, package: NAME, registryUrl: server.url, token: TOKEN,
    pacer: new Pacer({ concurrency: 10 }),
    cache: { cache: new DigestCache(cacheDir), readOnly: false },
  });
  let lastDeleteLine = 0;
  const options: RunOptions = {
    registry, policy, keepTags: policy.keepTags, history: sharedHistory(history), clusterImages: [], clock, now: NOW,
    dryRun: false, concurrency,
    progress: (m) => {
      const done = /deleting: (\d+)\/(\d+)/.exec(m);
      if (done && Number(done[1]) - lastDeleteLine < 100 && done[1] !== done[2]) return;
      if (done) lastDeleteLine = Number(done[1]);
      if (done || /listed digests/.test(m)) console.log(`  [${label} +${s(performance.now() - start)}] ${m.replace(/^\S+: /, '')}`);
    },
  };
  const plan = await planRepository(options);
  const planned = performance.now();
  const report = emptyReport({ command: 'cleanup', dryRun: false, now: NOW, startedAt: new Date(), policySource: 'bench-policy.yaml' });
  const results = await applyPlan(options, plan, report);
  const end = performance.now();
  const statuses: Record<string, number> = {};
  for (const r of results ?? []) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  return {
    plan, deleted: (statuses['deleted'] ?? 0) + (statuses['gone'] ?? 0), statuses, seen: counter.seen.slice(),
    planMs: planned - start, applyMs: end - planned, registry, history, rateEvents,
  };
}

interface Figures {
  byKind: Record<Kind, number>;
  gql: Record<GqlOp, number>;
  listingAndRefs: number;
  manifestOk: Seen[];
  blobOk: Seen[];
  limited: Seen[];
  /**
   * `perMinute`: deletes over the phase (first DELETE to last answer); `wholeMinutes`: DELETEs sent in
   * the phase's whole minutes from the first DELETE, per minute; `maxIn60s`: most DELETEs that reached
   * the fake within any 60 s (GitHub's limit: 900 points = 180 deletes a minute).
   */
  deletePhase?: { ms: number; perMinute: number; wholeMinutes: number; minutes: number; maxIn60s: number; count: number };
}

function figures(r: RunResult): Figures {
  const byKind = Object.fromEntries(KINDS.map((k) => [k, ofKind(r.seen, k).length])) as Record<Kind, number>;
  const gql = Object.fromEntries([...GQL_OPS, 'other'].map((o) => [o, r.seen.filter((e) => e.op === o).length])) as Record<GqlOp, number>;
  const listingAndRefs = byKind['owner lookups'] + byKind['REST list pages'] + gql.refs + gql.prefixes + gql.objects;
  const limited = r.seen.filter((e) => e.status === 403 || e.status === 429);
  const deletes = r.seen.filter((e) => e.kind === 'DELETE').sort((a, b) => a.at - b.at);
  const out: Figures = { byKind, gql, listingAndRefs, manifestOk: ofKind(r.seen, 'manifest GET', true), blobOk: ofKind(r.seen, 'blob GET', true), limited };
  if (deletes.length > 0) {
    const phase = span(r.seen, (e) => e.kind === 'DELETE') as { ms: number };
    let maxIn60s = 0;
    for (let i = 0, j = 0; i < deletes.length; i++) {
      while ((deletes[i]?.at ?? 0) - (deletes[j]?.at ?? 0) >= 60_000) j++;
      maxIn60s = Math.max(maxIn60s, i - j + 1);
    }
    const first = deletes[0]?.at ?? 0;
    const minutes = Math.max(1, Math.floor(phase.ms / 60_000));
    const inWhole = deletes.filter((e) => e.at < first + minutes * 60_000).length;
    out.deletePhase = { ms: phase.ms, perMinute: (r.deleted / phase.ms) * 60_000, wholeMinutes: inWhole / minutes, minutes, maxIn60s, count: deletes.length };
  }
  return out;
}

function show(label: string, r: RunResult, f: Figures): void {
  const st = r.registry.stats();
  const h = r.history.stats();
  console.log(`${label}: planned ${r.plan.delete.length} deletions of ${r.plan.kept.length + r.plan.delete.length} listed digests ` +
    `(kept ${r.plan.kept.length}); results ${JSON.stringify(r.statuses)}`);
  console.log(`  requests by kind: ${KINDS.map((k) => `${k} ${f.byKind[k]}`).join(', ')} (total ${r.seen.length})`);
  console.log(`  GraphQL queries: refs ${f.gql.refs}, prefixes ${f.gql.prefixes}, objects ${f.gql.objects}, history ${f.gql.history}` +
    `${f.gql.other > 0 ? `, other ${f.gql.other}` : ''} (GitHubHistory counted ${h.graphqlQueries}; ${h.commitsCached} commits read)`);
  const notOk = (k: Kind) => ofKind(r.seen, k, false).length;
  console.log(`  manifest GET answered 200: ${f.manifestOk.length} (${new Set(f.manifestOk.map((e) => e.path)).size} distinct; ${notOk('manifest GET')} other answers), ` +
    `blob GET 200: ${f.blobOk.length} (${new Set(f.blobOk.map((e) => e.path)).size} distinct; ${notOk('blob GET')} other); ` +
    `plan stats: manifestReads ${r.plan.stats.manifestReads}, configReads ${r.plan.stats.configReads}; cache ${JSON.stringify(st.cache)}`);
  console.log(`  listing + ref resolution: ${f.listingAndRefs} requests (owner ${f.byKind['owner lookups']} + list pages ${f.byKind['REST list pages']} + ` +
    `GraphQL refs ${f.gql.refs} + prefixes ${f.gql.prefixes} + objects ${f.gql.objects}); the history walk adds ${f.gql.history} GraphQL queries`);
  const listing = span(r.seen, (e) => e.kind === 'owner lookups' || e.kind === 'REST list pages');
  const reads = span(r.seen, (e) => e.kind === 'manifest GET' || e.kind === 'blob GET' || e.kind === 'token');
  const gqlSpan = span(r.seen, (e) => e.kind === 'GraphQL');
  console.log(`  wall: plan ${s(r.planMs)} (listing ${listing ? s(listing.ms) : '-'}, manifest/config reads ${reads ? s(reads.ms) : '-'}, ` +
    `GraphQL ${f.byKind.GraphQL} queries over ${gqlSpan ? s(gqlSpan.ms) : '-'}), deletes ${s(r.applyMs)}, total ${s(r.planMs + r.applyMs)}`);
  if (f.deletePhase) {
    const d = f.deletePhase;
    console.log(`  deletes: ${r.deleted} (${d.count} DELETE requests) from the first DELETE to the last answer in ${s(d.ms)} = ` +
      `${d.perMinute.toFixed(1)} deletes/min; ${d.wholeMinutes.toFixed(1)}/min over the first ${d.minutes} whole minute${d.minutes === 1 ? '' : 's'}; ` +
      `at most ${d.maxIn60s} DELETEs in any 60 s at the fake`);
  }
  const byStatus = (code: number) => f.limited.filter((e) => e.status === code).length;
  console.log(`  403s received ${byStatus(403)}, 429s ${byStatus(429)} (GHCR adapter saw ${st.rateLimited} rate-limit answers, ${st.retries} retries; ` +
    `pacer: max in flight ${st.pacer.maxInFlight}, pauses ${st.pacer.pauses}; Octokit rate-limit events ${r.rateEvents.length}); ` +
    `fake max in flight ${packages.maxInFlight}`);
}

let code = 0;
try {
  t0 = performance.now();
  const first = await run('first');
  const f1 = figures(first);
  const plannedSet = new Set(first.plan.delete.map((d) => d.digest));
  const sameSet = plannedSet.size === world.expectedDeletes.size && [...plannedSet].every((d) => world.expectedDeletes.has(d));
  console.log(`planned deletion count: ${first.plan.delete.length} (the world's expected set: ${world.expectedDeletes.size}, ${sameSet ? 'the same digests' : 'DIFFERENT digests'})`);
  show('first run (real, cold cache)', first, f1);
  const left = packages.versions(OWNER, NAME).length;
  console.log(`  versions left in the package: ${left} of ${versionCount}`);

  const second = await run('second');
  const f2 = figures(second);
  show('second run (real, same cache)', second, f2);

  // ---- the goals ----
  // The listing is read until two reads agree (a listing that changes while read is not trusted), and read
  // so again right before the first delete: 2 passes to plan, 2 more when the run deletes.
  const bound = (v: number, passes: number) => passes * (v / 100) + refCount / 100 + 20;
  const passesFirst = first.plan.delete.length > 0 ? 4 : 2;
  const attachmentReads = f1.manifestOk.filter((e) => world.attachments.has(decodeURIComponent(e.path.split('/manifests/')[1] ?? ''))).length;
  // Reads by need (cleanup-semantics.md §3.4): a signature's fate is in its tag, an index child's in its
  // (annotated) index, an old untagged rebuild's in its push time: none is read. Configs: the tagged
  // images' (not the indexes'), not the young untagged ones' (their push time dates them).
  const needRead = versionCount - world.attachments.size - world.children - world.untaggedOld;
  const needConfigs = needRead - world.indexes - world.untaggedRecent;
  const d = f1.deletePhase;
  const checks: [string, boolean][] = [
    [`plan: ${first.plan.delete.length} planned deletions = the world's ${world.expectedDeletes.size} (same digests)`, sameSet],
    [`first run: ${first.deleted} deleted, nothing failed or skipped`, first.deleted === world.expectedDeletes.size && left === versionCount - world.expectedDeletes.size],
    [`deletes at ${d ? d.wholeMinutes.toFixed(1) : '-'}/min over whole minutes, within 170-180 (over the phase ${d ? d.perMinute.toFixed(1) : '-'}/min >= 170; ` +
      `at most ${d?.maxIn60s ?? '-'} <= 180 in any 60 s)`,
      d !== undefined && d.wholeMinutes >= 170 && d.wholeMinutes <= 180 && d.perMinute >= 170 && d.maxIn60s <= 180],
    [`403s/429s received: ${f1.limited.length + f2.limited.length} = 0`, f1.limited.length + f2.limited.length === 0],
    [`first run: listing + ref resolution ${f1.listingAndRefs} <= ${passesFirst} x ${versionCount}/100 + ${refCount}/100 + 20 = ${bound(versionCount, passesFirst).toFixed(1)}`,
      f1.listingAndRefs <= bound(versionCount, passesFirst)],
    [`second run: listing + ref resolution ${f2.listingAndRefs} <= 2 x ${left}/100 + ${refCount}/100 + 20 = ${bound(left, 2).toFixed(1)}`, f2.listingAndRefs <= bound(left, 2)],
    [`first run: manifest GETs ${f1.manifestOk.length} = ${needRead} by §3.4 (${versionCount} versions, none of the ${world.attachments.size} signatures, ` +
      `${world.children} index children, ${world.untaggedOld} old untagged), each once (${attachmentReads} signatures read)`,
      f1.manifestOk.length === needRead && new Set(f1.manifestOk.map((e) => e.path)).size === f1.manifestOk.length && attachmentReads === 0],
    [`first run: config GETs ${f1.blobOk.length} = ${needConfigs} by §3.4 (not the ${world.indexes} indexes' or the ${world.untaggedRecent} young untagged), each once`,
      f1.blobOk.length === needConfigs && new Set(f1.blobOk.map((e) => e.path)).size === f1.blobOk.length],
    [`first run: cold plan ${s(first.planMs)} <= 90 s (listing, reads at ghcr.io's read concurrency, GraphQL by its point budget)`, first.planMs <= 90_000],
    [`second run: total wall ${s(second.planMs + second.applyMs)} <= 15 s (listing and GraphQL only)`, second.planMs + second.applyMs <= 15_000],
    [`second run: manifest GETs ${f2.byKind['manifest GET']} = 0, config GETs ${f2.byKind['blob GET']} = 0, nothing to delete (${second.plan.delete.length})`,
      f2.byKind['manifest GET'] === 0 && f2.byKind['blob GET'] === 0 && second.plan.delete.length === 0],
  ];
  if (packages.schemaErrors.length > 0) checks.push([`fake answers fit GitHub's OpenAPI description (${packages.schemaErrors.length} do not)`, false]);
  for (const [text, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${text}`);
  const met = checks.every(([, ok]) => ok);
  code = met ? 0 : 1;
  console.log(`github: ${versionCount} versions, ${refCount} refs: plan ${s(first.planMs)}, ${first.deleted} deletes in ${d ? s(d.ms) : '-'} ` +
    `(${d ? d.perMinute.toFixed(1) : '-'}/min; ${d ? d.wholeMinutes.toFixed(1) : '-'}/min over whole minutes, at most ${d?.maxIn60s ?? '-'} in 60 s), 403s ${f1.limited.length + f2.limited.length}; listing+refs ${f1.listingAndRefs} <= ${bound(versionCount, passesFirst).toFixed(0)}; ` +
    `reads ${f1.manifestOk.length}+${f1.blobOk.length}, second run ${f2.byKind['manifest GET']}+${f2.byKind['blob GET']}; goals ${met ? 'met' : 'NOT met'}`);
} finally {
  await server.close();
  await rm(root, { recursive: true, force: true });
}
process.exitCode = code;
