/**
 * The one run pipeline (core/pipeline): the whole-run deletion budget across repositories, failures
 * that let the others go on, fail-closed opening, a final whose primary has no plan, explain and
 * purge, and the ports it calls (or does not) — with in-memory registries and history.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../src/errors.js';
import { runPipeline, type LoadedPolicy, type PipelinePorts, type PipelineRepository, type PipelineSettings } from '../src/pipeline/pipeline.js';
import { BudgetExhausted, type Registry } from '../src/ports.js';
import type { RepositorySpec } from '../src/policy/types.js';
import { emptyReport, type Report } from '../src/report/report.js';
import { renderSummary } from '../src/report/summary.js';
import { FakeHistory, idOf } from './support/fake-history.js';
import { instantClock } from './support/fake-registry.js';
import { MemoryRegistry } from './support/memory-registry.js';
import { NOW, policyFrom } from './support/plan.js';

const YAML = 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 2 }\n';
const tagOf = (n: string): string => `sha-${idOf(n).slice(0, 7)}`;
const COMMITS = ['m16', 'm17', 'm18', 'm19', 'm20'];

function history(): FakeHistory {
  const h = new FakeHistory();
  h.line('m', 20, '2026-11-20T00:00:00Z');
  h.branch('main', 'm20');
  return h;
}

/** Five images, one per commit: the policy keeps m19 and m20 and deletes three. */
function primary(name: string): MemoryRegistry {
  const r = new MemoryRegistry(name);
  for (const n of COMMITS) r.image({ name: `${name}-${n}`, tags: [tagOf(n)], revision: idOf(n), created: '2026-11-01T00:00:00Z' });
  return r;
}

const spec = (ref: string, role: 'primary' | 'final' | 'cache' = 'primary'): RepositorySpec =>
  role === 'primary' ? { ref, path: ref, role } : role === 'final' ? { ref, path: ref, role, follows: 'a' } : { ref, path: ref, role, keepFor: 86_400_000 };

const repo = (s: RepositorySpec, registry: Registry | (() => Promise<Registry>)): PipelineRepository =>
  ({ spec: s, open: typeof registry === 'function' ? registry : async () => registry });

interface Calls {
  policy: number;
  clusterImages: number;
  history: number;
  progress: string[];
}

function ports(repositories: PipelineRepository[], over: Partial<PipelinePorts> = {}, yaml = YAML): { ports: PipelinePorts; calls: Calls } {
  const calls: Calls = { policy: 0, clusterImages: 0, history: 0, progress: [] };
  const loaded: LoadedPolicy = { policy: policyFrom(yaml), keepTags: [], source: '.regsweep.yml', warnings: ['a policy warning'] };
  return {
    calls,
    ports: {
      clock: instantClock(NOW),
      policy: async () => (calls.policy++, loaded),
      repositories: async () => ({ repositories, warnings: ['a front-end warning'] }),
      clusterImages: async () => (calls.clusterImages++, []),
      history: async () => (calls.history++, history()),
      progress: (m) => void calls.progress.push(m),
      ...over,
    },
  };
}

const settings = (over: Partial<PipelineSettings> = {}): PipelineSettings => ({ command: 'cleanup', dryRun: false, concurrency: 2, noun: 'repositories', ...over });
const report = (): Report => emptyReport({ command: 'cleanup', dryRun: false, now: NOW, startedAt: NOW, policySource: 'none' });
const KEPT = [tagOf('m19'), tagOf('m20')].sort();

test('a secondary repository (werf\'s --secondary-repo) is never opened; the report and the summary name it untouched', async () => {
  const a = primary('a');
  const r = report();
  const secondary: RepositorySpec = { ref: 'registry.example.org/base', path: 'cleanup.repositories[1]', role: 'secondary' };
  const { ports: p } = ports([repo(spec('a'), a), repo(secondary, async (): Promise<Registry> => { throw new Error('a secondary repository was opened'); })]);
  await runPipeline(settings(), p, r);
  assert.is(r.exitCode, 0, r.error?.message);
  assert.equal(r.repositories.map((x) => x.repository), ['a']);
  assert.equal(r.untouched, [{ repository: 'registry.example.org/base', why: "secondary repository (cleanup.repositories[1]): werf only reads it, so regsweep never touches it" }]);
  assert.is(a.deleted.length, 3, 'the primary is cleaned as ever');
  assert.match(renderSummary(r), '  registry.example.org/base: untouched (secondary repository (cleanup.repositories[1]): werf only reads it');
});

test('max-deletions is the whole run\'s: two repositories of three deletions each, maxDeletions 2, two deleted in all', async () => {
  const a = primary('a');
  const b = primary('b');
  const r = report();
  const { ports: p } = ports([repo(spec('a'), a), repo(spec('b'), b)]);
  const result = await runPipeline(settings({ maxDeletions: 2 }), p, r);
  assert.is(a.deleted.length + b.deleted.length, 2);
  assert.is(r.deleted.length, 2);
  assert.is(r.notAttempted.length, 4);
  assert.ok(r.notAttempted.every((x) => x.message === 'max-deletions (2 for the whole run) reached; the next run continues'));
  assert.is(r.exitCode, 0);
  assert.is(r.policySource, '.regsweep.yml');
  assert.equal(r.warnings, ['a policy warning', 'a front-end warning']);
  assert.is(result.plans.length, 2);
});

test('without a budget every repository is cleaned by the policy; the history is read once', async () => {
  const a = primary('a');
  const b = primary('b');
  const r = report();
  const { ports: p, calls } = ports([repo(spec('a'), a), repo(spec('b'), b)]);
  await runPipeline(settings(), p, r);
  assert.equal(a.tags(), KEPT);
  assert.equal(b.tags(), KEPT);
  assert.equal([calls.policy, calls.history, calls.clusterImages], [1, 1, 1]);
});

test('a repository that fails is reported and the others go on: exit 1, one line per failed repository', async () => {
  const broken = primary('broken');
  broken.list = async () => { throw new Error('the listing broke'); };
  const b = primary('b');
  const r = report();
  await runPipeline(settings(), ports([repo(spec('broken'), broken), repo(spec('b'), b)]).ports, r);
  assert.equal(b.tags(), KEPT);
  assert.is(r.exitCode, 1);
  assert.match(r.error?.message ?? '', /^1 of 2 repositories failed:\n {2}broken: registry broken: could not list images: the listing broke\n/);
});

test('fail closed: a repository that cannot be opened (bad input) stops the run before anything is read; exit 2', async () => {
  const a = primary('a');
  let listed = 0;
  const list = a.list.bind(a);
  a.list = async () => (listed++, list());
  const r = report();
  const { ports: p, calls } = ports([
    repo(spec('a'), a),
    repo(spec('b'), async () => { throw new InputError('registry b: no such repository', 'check the name'); }),
  ]);
  await runPipeline(settings({ fixIndent: '  ' }), p, r);
  assert.is(listed, 0);
  assert.equal(a.deleted, []);
  assert.is(calls.history, 0);
  assert.equal(r.error, { message: 'registry b: no such repository\n  fix: check the name', exitCode: 2 });
  assert.is(r.exitCode, 2);
});

test('a platform budget spent while opening leaves that repository for the next run; the others are cleaned; exit 0', async () => {
  const b = primary('b');
  const r = report();
  const result = await runPipeline(settings(), ports([
    repo(spec('a'), async () => { throw new BudgetExhausted("GitHub's hourly request budget is spent"); }),
    repo(spec('b'), b),
  ]).ports, r);
  assert.equal(result.unplanned, ['a']);
  assert.equal(b.tags(), KEPT);
  assert.is(r.exitCode, 0);
  assert.ok(r.warnings.some((w) => w.startsWith("a: not read: GitHub's hourly request budget is spent; nothing was deleted in it")), r.warnings.join('\n'));
});

test('a final whose primary could not be planned is not planned (nothing deleted in it); the cache is still cleaned', async () => {
  const broken = primary('a');
  broken.list = async () => { throw new Error('the listing broke'); };
  const final = primary('final');
  const cache = new MemoryRegistry('cache').image({ name: 'old', tags: ['old'], created: '2026-10-01T00:00:00Z' }).image({ name: 'new', tags: ['new'], created: '2026-11-20T06:00:00Z' });
  const r = report();
  // Given in the wrong order: the pipeline plans primaries, then finals, then caches.
  await runPipeline(settings(), ports([repo(spec('final', 'final'), final), repo(spec('cache', 'cache'), cache), repo(spec('a'), broken)]).ports, r);
  assert.equal(final.deleted, []);
  assert.equal(cache.tags(), ['new']);
  assert.is(r.exitCode, 1);
  assert.match(r.error?.message ?? '', /^2 of 3 repositories failed:\n {2}a: registry a: could not list images: the listing broke\n.*\n {2}final: not planned: the primary repository it follows, a, could not be planned/);
});

test('a final follows its primary: kept where the primary keeps the same tag', async () => {
  const a = primary('a');
  const final = new MemoryRegistry('final');
  for (const n of COMMITS) final.image({ name: `f-${n}`, tags: [tagOf(n)], created: '2026-11-01T00:00:00Z' });
  const { ports: p, calls } = ports([repo(spec('final', 'final'), final), repo(spec('a'), a)]);
  await runPipeline(settings(), p, report());
  assert.equal(final.tags(), KEPT);
  assert.ok(calls.progress.includes('final: final repository, follows a'), calls.progress.join('\n'));
});

test('named phases: each repository goes through listing, reading, planning, checking and deleting, each said by name', async () => {
  const a = primary('a');
  const phases: string[] = [];
  const { ports: p, calls } = ports([repo(spec('a'), a)], { phase: (repository, phase) => void phases.push(`${repository}: ${phase}`) });
  await runPipeline(settings(), p, report());
  assert.equal(phases, ['a: listing', 'a: reading manifests', 'a: planning', 'a: checking the plan', 'a: deleting']);
  assert.ok(calls.progress.includes('a: reading manifests: 5/5'), calls.progress.join('\n'));
  assert.ok(calls.progress.includes('a: reading configs: 5/5'));
  assert.ok(calls.progress.includes('a: planning: 5 listed digests, walking the history'));
  assert.ok(calls.progress.some((m) => /^a: deleting: 3\/3( \(\d+ a minute\))?$/.test(m)), calls.progress.join('\n'));
  const dry: string[] = [];
  await runPipeline(settings({ dryRun: true }), ports([repo(spec('a'), primary('a'))], { phase: (_r, phase) => void dry.push(phase) }).ports, report());
  assert.equal(dry, ['listing', 'reading manifests', 'planning'], 'a dry run neither checks again nor deletes');
});

test('explain plans and deletes nothing; a dry run reports what it would delete', async () => {
  const a = primary('a');
  const explain = await runPipeline(settings({ command: 'explain' }), ports([repo(spec('a'), a)]).ports, report());
  assert.equal(a.deleted, []);
  assert.is(explain.plans[0]?.delete.length, 3);
  const r = report();
  await runPipeline(settings({ dryRun: true }), ports([repo(spec('a'), a)]).ports, r);
  assert.equal(a.deleted, []);
  assert.equal(r.deleted.map((d) => d.status), ['would-delete', 'would-delete', 'would-delete']);
});

test('purge deletes every image and reads no policy, no history and no cluster', async () => {
  const a = primary('a');
  const { ports: p, calls } = ports([repo(spec('a'), a)]);
  const r = report();
  await runPipeline(settings({ command: 'purge' }), p, r);
  assert.equal(a.tags(), []);
  assert.equal([calls.policy, calls.history, calls.clusterImages], [0, 0, 0]);
  assert.is(r.exitCode, 0);
});

test('the Kubernetes policy off: the cluster is not read; on: an image in use is kept', async () => {
  const off = ports([repo(spec('a'), primary('a'))], {}, `${YAML}  disableKubernetesBasedPolicy: true\n`);
  await runPipeline(settings({ dryRun: true }), off.ports, report());
  assert.is(off.calls.clusterImages, 0);
  const a = primary('a');
  const withUse = ports([repo(spec('a'), a)], {
    clusterImages: async () => [{ image: `a:${tagOf('m16')}`, where: { context: 'prod', namespace: 'shop', kind: 'Deployment', name: 'web' } }],
  });
  a.imageReference = 'a';
  const r = report();
  await runPipeline(settings(), withUse.ports, r);
  assert.equal(a.tags(), [tagOf('m16'), ...KEPT].sort());
  assert.ok(!r.warnings.some((w) => w.includes('in-use protection is off')));
});

test('clusters read, but a registry without imageReference: the run says in-use protection is off for it', async () => {
  const b = primary('b');
  const withUse = ports([repo(spec('b'), b)], {
    clusterImages: async () => [{ image: `b:${tagOf('m16')}`, where: { context: 'prod', namespace: 'shop', kind: 'Deployment', name: 'web' } }],
  });
  const r = report();
  await runPipeline(settings({ dryRun: true }), withUse.ports, r);
  assert.ok(r.warnings.includes('b: no image reference (the adapter\'s imageReference) to match what the clusters run against, so in-use protection is off for it'), r.warnings.join('\n'));
  const none = report();
  await runPipeline(settings({ dryRun: true }), ports([repo(spec('b'), primary('b'))]).ports, none);
  assert.ok(!none.warnings.some((w) => w.includes('in-use protection')), 'no clusters read: nothing to say');
});

test.run();
