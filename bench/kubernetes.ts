// Kubernetes bench: `npm run bench:kubernetes` (builds, then runs this with tsx: the fake kube API is
// the TypeScript test support of packages/kubernetes). The in-use scan (KubeClusterImages of the
// built @regsweep/kubernetes, @kubernetes/client-node 1.x) of three contexts, one fake kube API
// server each on 127.0.0.1 adding 20 ms to every answer, holding 20,000 pods in all (plus their
// ReplicaSets, Deployments, a few StatefulSets, DaemonSets and CronJobs), read 500 a page.
// Printed: objects and pages per context, image references, scan wall time, and memory: the heap
// before and after the scan (after a GC) and the process's peak RSS.
// The last line says whether the goal is met (exit code 1 when not): every object read, the scan
// under 60 s, and the heap the scan leaves (its result) under 100 MB more than before it.
//   BENCH_LATENCY_MS=20   added to every answer of the fakes
//   BENCH_PODS=20000      pods in all
import { performance } from 'node:perf_hooks';
import { cpus, freemem, totalmem } from 'node:os';
import { KubeClusterImages, parseKubeconfig } from '@regsweep/kubernetes';
import { FakeKube, kubeconfigYaml } from '@regsweep/test-kit/fake-kube';

const latencyMs = process.env['BENCH_LATENCY_MS'] !== undefined ? Math.max(0, Number(process.env['BENCH_LATENCY_MS'])) : 20;
const PODS = Number(process.env['BENCH_PODS']) || 20_000;
const CONTEXTS = ['prod-eu', 'prod-us', 'staging'];
const MB = 1024 * 1024;
const GB = 1024 ** 3;
const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
const hex = (n: number): string => n.toString(16).padStart(64, '0');

console.log(`machine: ${cpus().length} cpus (${cpus()[0]?.model ?? '?'}), ${(totalmem() / GB).toFixed(1)} GB memory (${(freemem() / GB).toFixed(1)} GB free), node ${process.version}`);
const fakes: FakeKube[] = [];
let objects = 0;
for (const [c, context] of CONTEXTS.entries()) {
  const fake = new FakeKube({ token: `${context}-token`, latencyMs });
  const pods = Math.floor(PODS / CONTEXTS.length) + (c < PODS % CONTEXTS.length ? 1 : 0);
  const apps = Math.max(1, Math.floor(pods / 10));
  for (let a = 0; a < apps; a++) {
    const ns = `team-${a % 40}`;
    const image = `registry.example.com/acme/svc-${a % 300}:sha-${(a * 7919).toString(16).padStart(7, '0')}`;
    fake.workload('deployments', ns, `app-${a}`, { containers: [image, 'registry.example.com/acme/sidecar:1.4'], initContainers: ['busybox:1.36'] });
    fake.workload('replicasets', ns, `app-${a}-6d4cf`, { containers: [image, 'registry.example.com/acme/sidecar:1.4'] });
    fake.workload('replicasets', ns, `app-${a}-5b8f9`, { containers: [`registry.example.com/acme/svc-${a % 300}:previous`, 'registry.example.com/acme/sidecar:1.3'] });
  }
  for (let p = 0; p < pods; p++) {
    const a = p % apps;
    const ns = `team-${a % 40}`;
    const image = `registry.example.com/acme/svc-${a % 300}:sha-${(a * 7919).toString(16).padStart(7, '0')}`;
    fake.add('pods', ns, `app-${a}-6d4cf-${p}`, {
      spec: { containers: [{ name: 'app', image }, { name: 'sidecar', image: 'registry.example.com/acme/sidecar:1.4' }], initContainers: [{ name: 'init', image: 'busybox:1.36' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'app', image, imageID: `registry.example.com/acme/svc-${a % 300}@sha256:${hex(a)}`, ready: true, restartCount: 0 },
          { name: 'sidecar', image: 'registry.example.com/acme/sidecar:1.4', imageID: `registry.example.com/acme/sidecar@sha256:${hex(999_999)}`, ready: true, restartCount: 0 },
        ],
      },
    });
  }
  for (let s = 0; s < 20; s++) fake.workload('statefulsets', 'data', `store-${s}`, { containers: [`registry.example.com/acme/store:${s}`] });
  fake.workload('daemonsets', 'kube-system', 'agent', { containers: ['registry.example.com/acme/agent:2'] });
  for (let j = 0; j < 30; j++) fake.workload('cronjobs', 'batch', `nightly-${j}`, { containers: [`registry.example.com/acme/jobs:${j}`] });
  await fake.start();
  fakes.push(fake);
  const total = [...fake.objects.values()].reduce((n, list) => n + list.length, 0);
  objects += total;
  console.log(`context ${context}: fake at ${fake.url} holding ${pods} pods, ${total} workload objects`);
}
console.log(`${latencyMs} ms added to every answer; 500 objects a page`);

const kubeconfig = parseKubeconfig(kubeconfigYaml(CONTEXTS.map((name, i) => ({ name, server: fakes[i]?.url ?? '', token: `${name}-token` }))), 'bench kubeconfig');
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const before = heap();
const started = performance.now();
const scan = new KubeClusterImages({ kubeconfig, log: (m) => console.log(`  ${m}`) });
const uses = await scan.list();
const ms = performance.now() - started;
clearInterval(sampler);
const after = heap();
const references = uses.length;
const distinct = new Set(uses.map((u) => u.image)).size;
const stats = scan.stats();
const read = stats.contexts.reduce((n, c) => n + c.objects, 0);
const pages = stats.contexts.reduce((n, c) => n + c.pages, 0);
for (const f of fakes) await f.close();

console.log(`scan: ${read} objects of ${objects} in ${pages} pages, ${references} image references (${distinct} distinct) in ${(ms / 1000).toFixed(1)} s`);
console.log(`memory: heap ${(before / MB).toFixed(0)} MB before the scan (the fakes' objects), ${(after / MB).toFixed(0)} MB after it with its result held` +
  ` (+${((after - before) / MB).toFixed(1)} MB); peak RSS ${(peakRss / MB).toFixed(0)} MB (fakes, JSON pages and parsing included)${gc ? '' : ' (no --expose-gc: heap figures include garbage)'}`);
const ok = read === objects && ms < 60_000 && after - before < 100 * MB && uses.length === references;
console.log(`goal (every object read, under 60 s, the result under 100 MB of heap): ${ok ? 'met' : 'NOT met'}`);
process.exitCode = ok ? 0 : 1;
