// Registry bench: `npm run bench:registry` (builds, then runs this).
// Starts the real docker-registry on a free 127.0.0.1 port, makes a git repository (GitRepoBuilder,
// fast-import) and pushes a 5,000-tag repository over the HTTP API, then runs a real cleanup through
// the CLI's `main` behind a proxy that counts requests by kind, and a second run that should read no
// manifest and no config (the digest cache). The last line says whether the goal is met.
//   BENCH_CONCURRENCY=8   --concurrency of the cleanup runs (the CLI's default is 8)
//   BENCH_PUSH_WIDTH=16   pushes in flight
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { main } from '../packages/cli/dist/index.js';
import { GitRepoBuilder } from '@regsweep/git-local';
import { FastPusher, KINDS, pool, startCountingProxy, startRegistry } from './registry-support.mjs';

const NOW = new Date('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NAME = 'bench/app';
const concurrency = Math.max(1, Number(process.env.BENCH_CONCURRENCY) || 8);
const pushWidth = Math.max(1, Number(process.env.BENCH_PUSH_WIDTH) || 16);
const ms = (t) => `${t.toFixed(0)} ms`;
const GB = 1024 ** 3;

console.log(`machine: ${cpus().length} cpus (${cpus()[0]?.model ?? '?'}), ${(totalmem() / GB).toFixed(1)} GB memory (${(freemem() / GB).toFixed(1)} GB free), node ${process.version}`);
const root = await mkdtemp(join(tmpdir(), 'regsweep-bench-'));
let registry;
let proxy;
try {
  // ---- git: 2,400 commits on main, a release branch, three feature branches, two deleted branches ----
  let t0 = performance.now();
  const git = GitRepoBuilder.init(join(root, 'project'));
  const commits = []; // { id, date }
  const line = (count, { start, stepSeconds, branch, from }) => {
    if (from !== undefined) git.branch(branch, from);
    const ids = git.commitMany(count, { start, stepSeconds, branch, message: branch });
    const out = ids.map((id, i) => ({ id, date: new Date(start.getTime() + i * stepSeconds * 1000) }));
    commits.push(...out);
    return out;
  };
  const main_ = line(1550, { start: new Date(NOW.getTime() - 70 * DAY), stepSeconds: 3600, branch: 'main' });
  const after = (c, hours) => new Date(c.date.getTime() + hours * HOUR);
  const release = line(200, { start: after(main_[800], 0.5), stepSeconds: 1800, branch: 'release/1', from: main_[800].id });
  line(150, { start: new Date(NOW.getTime() - 3 * DAY), stepSeconds: 600, branch: 'feature/a', from: main_[1540].id });
  line(150, { start: new Date(NOW.getTime() - 4 * DAY), stepSeconds: 600, branch: 'feature/b', from: main_[1545].id });
  line(150, { start: after(main_[1200], 1), stepSeconds: 600, branch: 'feature/c', from: main_[1200].id });
  line(100, { start: after(main_[300], 1), stepSeconds: 600, branch: 'gone-1', from: main_[300].id });
  line(100, { start: after(main_[1000], 1), stepSeconds: 600, branch: 'gone-2', from: main_[1000].id });
  git.checkout('main');
  git.deleteBranch('gone-1');
  git.deleteBranch('gone-2');
  for (const [i, j] of [300, 600, 900, 1200, 1500].entries()) git.tag(`v1.${i}.0`, { target: main_[j].id });
  git.tag('v2.0.0', { annotated: true, date: after(release[199], 1), target: release[199].id });
  console.log(`git: ${commits.length} commits (main 1550, release/1 200, feature/a,b,c 150 each, 2 deleted branches of 100), 6 tags: ${ms(performance.now() - t0)}`);

  // ---- images: one per commit (2,400), sha-<7> each, ci-<n> on 2,300, the full id on 200; 100 signatures ----
  registry = await startRegistry();
  const pusher = new FastPusher(registry.url, NAME);
  await pusher.pushShared();
  const seen = new Set();
  const images = commits.map((c, i) => {
    const tags = [`sha-${c.id.slice(0, 7)}`];
    if (seen.has(tags[0])) throw new Error(`two commits share ${tags[0]}: pick another world`);
    seen.add(tags[0]);
    if (i < 2300) tags.push(`ci-${i + 1}`);
    if (i % 12 === 0) tags.push(c.id);
    return { revision: c.id, created: c.date.toISOString(), tags };
  });
  t0 = performance.now();
  const pushCpu = { node: process.cpuUsage(), registry: registry.cpuSeconds() };
  const digests = new Array(images.length);
  await pool(images, pushWidth, async (img, i) => (digests[i] = (await pusher.pushImage(img)).digest));
  const signed = digests.filter((_, i) => i % 24 === 5);
  await pool(signed, pushWidth, (d) => pusher.pushSignature(d));
  const tagCount = images.reduce((n, img) => n + img.tags.length, 0) + signed.length;
  const digestCount = new Set(digests).size + signed.length;
  const pushMs = performance.now() - t0;
  console.log(`push: ${tagCount} tags on ${digestCount} digests (${images.length} images, ${signed.length} cosign signatures), ` +
    `${pushWidth} in flight: ${ms(pushMs)}`);
  const pushNode = process.cpuUsage(pushCpu.node);
  console.log(`  cpu: node ${((pushNode.user + pushNode.system) / 1e6).toFixed(1)} s, registry ${(registry.cpuSeconds() - pushCpu.registry).toFixed(1)} s`);

  // ---- the cleanup runs, through the counting proxy ----
  const cpuNow = () => ({ node: process.cpuUsage(), registry: registry.cpuSeconds() });
  proxy = await startCountingProxy(registry.url, cpuNow);
  const cacheDir = join(root, 'cache');
  const cleanup = async (label, extra = []) => {
    const marks = {};
    let stderr = '';
    const io = {
      cwd: root,
      stdout: () => {},
      stderr: (text) => {
        stderr += text;
        if (/listed digests; planning/.test(text)) marks.read ??= performance.now();
      },
    };
    proxy.reset();
    const report = join(root, `${label}.json`);
    const cpu = cpuNow();
    const start = performance.now();
    const code = await main(['cleanup', '--registry', `${proxy.host}/${NAME}`, '--git', git.dir, '--without-kube', '--now', NOW.toISOString(),
      '--cache-dir', cacheDir, '--concurrency', String(concurrency), '--report', report, ...extra], io);
    const end = performance.now();
    const counts = proxy.snapshot();
    // CPU seconds of node (the CLI and the proxy) and of the registry, for the plan and the deletes.
    const between = (a, b) => `node ${((b.node.user + b.node.system - a.node.user - a.node.system) / 1e6).toFixed(1)} s, ` +
      `registry ${a.registry !== undefined && b.registry !== undefined ? `${(b.registry - a.registry).toFixed(1)} s` : '?'}`;
    const atDelete = counts.probes.DELETE;
    const last = cpuNow();
    marks.cpu = atDelete ? `plan ${between(cpu, atDelete)}; deletes ${between(atDelete, last)}` : between(cpu, last);
    const r = JSON.parse(await readFile(report, 'utf8'));
    if (code !== 0) throw new Error(`${label}: exit ${code}\n${stderr.slice(-3000)}`);
    const firstDelete = counts.first.DELETE;
    const planEnd = firstDelete ?? end;
    return { code, counts, report: r, start, end, readEnd: marks.read, planEnd, firstDelete, cpu: marks.cpu };
  };
  const show = (label, run) => {
    const c = run.counts;
    console.log(`${label}: exit ${run.code}; listed ${run.report.repositories[0]?.kept + run.report.deleted.length} digests; ` +
      `kept ${run.report.kept.length}, deleted ${run.report.deleted.length}, tags removed alone ${run.report.tagsRemoved.length}, failed ${run.report.failed.length}`);
    console.log(`  requests by kind: ${KINDS.map((k) => `${k} ${c.byKind[k]}`).join(', ')} (total ${KINDS.reduce((n, k) => n + c.byKind[k], 0)})`);
    console.log(`  distinct URLs: manifest GET ${c.distinct['manifest GET']}, blob GET ${c.distinct['blob GET']}, manifest HEAD ${c.distinct['manifest HEAD']}`);
    const reads = run.readEnd !== undefined ? `listing + reads ${ms(run.readEnd - run.start)}, ` : '';
    console.log(`  wall: plan ${ms(run.planEnd - run.start)} (${reads}until the first DELETE), deletes ${run.firstDelete !== undefined ? ms(run.end - run.firstDelete) : '-'}, total ${ms(run.end - run.start)}`);
    console.log(`  cpu: ${run.cpu}`);
    if (run.firstDelete !== undefined) {
      const n = run.report.deleted.length + run.report.tagsRemoved.length;
      console.log(`  deletes: ${n} (${c.byKind.DELETE} DELETE requests) in ${ms(run.end - run.firstDelete)} = ${(n / ((run.end - run.firstDelete) / 1000)).toFixed(1)} deletes/s`);
    }
  };
  const first = await cleanup('first');
  show(`first run (real, cold cache, --concurrency ${concurrency})`, first);
  const left = await fetch(`${registry.url}/v2/${NAME}/tags/list`).then((res) => res.json());
  console.log(`  tags left in the registry: ${left.tags?.length ?? 0} of ${tagCount}`);
  const second = await cleanup('second');
  show('second run (real, same cache)', second);

  // ---- the goal ----
  const listed = digestCount;
  const c1 = first.counts;
  const c2 = second.counts;
  const checks = [
    [`first run: manifest GETs ${c1.byKind['manifest GET']} <= digests ${listed}, each at most once (distinct ${c1.distinct['manifest GET']})`,
      c1.byKind['manifest GET'] <= listed && c1.byKind['manifest GET'] === c1.distinct['manifest GET']],
    [`first run: config GETs ${c1.byKind['blob GET']} <= digests ${listed}, each at most once (distinct ${c1.distinct['blob GET']})`,
      c1.byKind['blob GET'] <= listed && c1.byKind['blob GET'] === c1.distinct['blob GET']],
    [`second run: manifest GETs ${c2.byKind['manifest GET']} = 0, config GETs ${c2.byKind['blob GET']} = 0`, c2.byKind['manifest GET'] === 0 && c2.byKind['blob GET'] === 0],
    [`second run: nothing left to delete (${second.report.deleted.length} deleted)`, second.report.deleted.length === 0],
  ];
  for (const [text, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${text}`);
  const met = checks.every(([, ok]) => ok);
  console.log(`registry: ${tagCount} tags, ${listed} digests: plan ${ms(first.planEnd - first.start)}, deletes ${ms(first.end - (first.firstDelete ?? first.end))} ` +
    `(${(first.report.deleted.length / ((first.end - (first.firstDelete ?? first.end)) / 1000 || 1)).toFixed(1)}/s); second run ${ms(second.end - second.start)}; goal ${met ? 'met' : 'NOT met'}`);
  process.exitCode = met ? 0 : 1;
} finally {
  await proxy?.close();
  await registry?.stop();
  await rm(root, { recursive: true, force: true });
}
