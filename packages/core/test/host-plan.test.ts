/**
 * Host cleanup's pure plan (docs/host-cleanup.md): registry sync, leftovers, the threshold step, and
 * the never-rules — other repositories, containers, the safety window — from listings given as data.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normalizeRepository, planHostCleanup, type HostContainer, type HostImage, type HostPlanInput } from '../src/index.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const H = 3_600_000;
const APP = 'ghcr.io/acme/app';
let n = 0;

function image(tags: string[], o: Partial<HostImage> & { hoursAgo?: number } = {}): HostImage {
  const id = o.id ?? `sha256:${(++n).toString(16).padStart(64, '0')}`;
  return { id, repoTags: tags, repoDigests: o.repoDigests ?? [], created: new Date(NOW.getTime() - (o.hoursAgo ?? 48) * H), size: o.size ?? 100, labels: o.labels ?? {}, ...o };
}

function container(img: HostImage, state: string, hoursAgo = 48): HostContainer {
  return { id: `c-${img.id.slice(-4)}-${state}`, name: `box-${state}`, imageId: img.id, image: img.repoTags[0] ?? img.id, state, created: new Date(NOW.getTime() - hoursAgo * H), labels: {} };
}

function input(images: HostImage[], o: Partial<HostPlanInput> = {}): HostPlanInput {
  return {
    mode: 'cleanup', engine: 'unix:///test.sock', repositories: [{ name: APP }], images, containers: [], now: NOW, safetyWindowMs: 2 * H,
    removeStoppedContainers: false, leftoverLabels: [], allowedVolumeUsage: 70, allowedVolumeUsageMargin: 5, ...o,
  };
}

const removedIds = (p: ReturnType<typeof planHostCleanup>): string[] => p.remove.map((r) => r.id);
const keptWhy = (p: ReturnType<typeof planHostCleanup>, id: string): string[] => p.kept.find((k) => k.id === id)?.reasons.map((r) => r.reason) ?? [];

test('repository names: Docker Hub spellings agree; hosts are lower case; ports stay', () => {
  assert.is(normalizeRepository('nginx'), 'docker.io/library/nginx');
  assert.is(normalizeRepository('acme/app'), 'docker.io/acme/app');
  assert.is(normalizeRepository('docker.io/nginx'), 'docker.io/library/nginx');
  assert.is(normalizeRepository('GHCR.io/acme/app'), 'ghcr.io/acme/app');
  assert.is(normalizeRepository('127.0.0.1:5000/acme/app'), '127.0.0.1:5000/acme/app');
  assert.is(normalizeRepository('localhost/app'), 'localhost/app');
  assert.is(normalizeRepository('MyHost/app'), 'myhost/app', 'upper case makes the first part a host, as Docker reads it');
});

test('registry sync: gone from the registry is removed; a kept digest or tag keeps it', () => {
  const gone = image([`${APP}:feature-a`], { repoDigests: [`${APP}@sha256:${'a'.repeat(64)}`] });
  const byDigest = image([`${APP}:old-name`], { repoDigests: [`${APP}@sha256:${'b'.repeat(64)}`] });
  const byTag = image([`${APP}:main`]);
  const registry = { digests: new Set([`sha256:${'b'.repeat(64)}`]), tags: new Set(['main']) };
  const plan = planHostCleanup(input([gone, byDigest, byTag], { repositories: [{ name: APP, registry }] }));
  assert.equal(removedIds(plan), [gone.id]);
  assert.is(plan.remove[0]?.step, 'registry-sync');
  assert.match(plan.remove[0]?.why ?? '', /no longer has it/);
  assert.equal(keptWhy(plan, byDigest.id), ['in-registry', 'space-left']);
  assert.equal(keptWhy(plan, byTag.id), ['in-registry', 'space-left']);
});

test('never: another repository\'s image, or one that also carries another repository\'s name', () => {
  const other = image(['docker.io/library/postgres:16']);
  const mixed = image([`${APP}:feature-b`, 'ghcr.io/acme/base:1']);
  const plan = planHostCleanup(input([other, mixed], { repositories: [{ name: APP, registry: { digests: new Set(), tags: new Set() } }] }));
  assert.equal(removedIds(plan), []);
  assert.is(plan.untouched, 2);
  assert.equal(plan.kept, [], 'not even listed as kept: regsweep does not speak for them');
});

test('never: an image a container uses (running, or stopped without the flag); with the flag the stopped container goes first', () => {
  const registry = { digests: new Set<string>(), tags: new Set<string>() };
  const running = image([`${APP}:a`]);
  const stopped = image([`${APP}:b`]);
  const containers = [container(running, 'running'), container(stopped, 'exited')];
  const without = planHostCleanup(input([running, stopped], { repositories: [{ name: APP, registry }], containers }));
  assert.equal(removedIds(without), []);
  assert.match(without.kept.find((k) => k.id === stopped.id)?.reasons[0]?.detail ?? '', /--remove-stopped-containers/);
  const withFlag = planHostCleanup(input([running, stopped], { repositories: [{ name: APP, registry }], containers, removeStoppedContainers: true }));
  assert.equal(removedIds(withFlag), [stopped.id]);
  assert.equal(withFlag.remove[0]?.containers.map((c) => c.state), ['exited']);
  assert.equal(keptWhy(withFlag, running.id), ['in-use']);
});

test('never: an image within the safety window, by build time or by its last tag or pull', () => {
  const registry = { digests: new Set<string>(), tags: new Set<string>() };
  const young = image([`${APP}:young`], { hoursAgo: 1 });
  const pulled = image([`${APP}:pulled`], { hoursAgo: 500, lastTagTime: new Date(NOW.getTime() - 0.5 * H) });
  const old = image([`${APP}:old`], { hoursAgo: 3 });
  const plan = planHostCleanup(input([young, pulled, old], { repositories: [{ name: APP, registry }] }));
  assert.equal(removedIds(plan), [old.id]);
  assert.equal(keptWhy(plan, young.id), ['recent']);
  assert.equal(keptWhy(plan, pulled.id), ['recent']);
  const stoppedYoung = planHostCleanup(input([old], { repositories: [{ name: APP, registry }], containers: [container(old, 'exited', 1)], removeStoppedContainers: true }));
  assert.equal(removedIds(stoppedYoung), [], 'a container created within the window keeps its image even with the flag');
});

test('leftovers: dangling images of the repository or with the build label, children first; a parent alone does not make it the project\'s', () => {
  const final = image([`${APP}:main`]);
  const untaggedOld = image([], { repoDigests: [`${APP}@sha256:${'c'.repeat(64)}`] });
  const label = { 'com.acme.build': 'app' };
  const step1 = image([], { parentId: final.id, labels: label });
  const step2 = image([], { parentId: step1.id, labels: label });
  const committed = image([], { parentId: final.id }); // a docker commit snapshot, or another team's FROM
  const stranger = image([]);
  const young = image([], { repoDigests: [`${APP}@sha256:${'d'.repeat(64)}`], hoursAgo: 1 });
  const plan = planHostCleanup(input([final, untaggedOld, step1, step2, committed, stranger, young], { leftoverLabels: [{ key: 'com.acme.build', value: 'app' }] }));
  const leftovers = plan.remove.filter((r) => r.step === 'leftover').map((r) => r.id);
  assert.equal(new Set(leftovers), new Set([untaggedOld.id, step1.id, step2.id]));
  assert.ok(leftovers.indexOf(step2.id) < leftovers.indexOf(step1.id), 'a child before its parent');
  assert.is(plan.untouched, 2, 'the commit snapshot and the dangling image nothing ties to the project');
  assert.equal(keptWhy(plan, young.id), ['recent']);
  assert.equal(keptWhy(plan, final.id), ['space-left'], 'no registry read: no registry sync');
});

test('registry sync: an image of two configured repositories stays while either registry has it, or one was not read', () => {
  const REL = 'ghcr.io/acme/app-release';
  const both = image([`${APP}:pr-1`, `${REL}:1.0.0`]);
  const none = { digests: new Set<string>(), tags: new Set<string>() };
  const has = planHostCleanup(input([both], { repositories: [{ name: APP, registry: none }, { name: REL, registry: { digests: new Set(), tags: new Set(['1.0.0']) } }] }));
  assert.equal(removedIds(has), []);
  assert.match(has.kept[0]?.reasons[0]?.detail ?? '', /ghcr\.io\/acme\/app-release still has the tag 1\.0\.0/);
  assert.equal(removedIds(planHostCleanup(input([both], { repositories: [{ name: APP, registry: none }, { name: REL }] }))), [], 'one registry not read');
  assert.equal(removedIds(planHostCleanup(input([both], { repositories: [{ name: APP, registry: none }, { name: REL, registry: none }] }))), [both.id]);
});

test('a name that does not parse counts as another repository\'s', () => {
  const odd = image([`${APP}:ok`, 'not a reference']);
  const plan = planHostCleanup(input([odd], { repositories: [{ name: APP, registry: { digests: new Set(), tags: new Set() } }] }));
  assert.equal(removedIds(plan), []);
  assert.is(plan.untouched, 1);
});

test('over the threshold: least recently used first, until the plan\'s sizes reach allowed minus margin', () => {
  const GB = 1e9;
  const imgs = [10, 40, 30, 20].map((days, i) => image([`${APP}:t${i}`], { hoursAgo: days * 24, size: 10 * GB, sharedSize: 2 * GB }));
  // 80 of 100 GB used; target 65: needs 15 GB; each frees 8 GB (size minus shared): the two oldest go.
  const volume = { path: '/var/lib/docker', usedBytes: 80 * GB, totalBytes: 100 * GB };
  const plan = planHostCleanup(input(imgs, { volume }));
  assert.equal(removedIds(plan), [imgs[1]?.id, imgs[2]?.id], '40 and 30 days old');
  assert.ok(plan.remove.every((r) => r.step === 'over-threshold'));
  assert.equal(plan.threshold?.reached, true);
  assert.is(plan.threshold?.plannedFreeBytes, 16 * GB);
  assert.match(plan.remove[0]?.why ?? '', /least recently used .* above --allowed-volume-usage 70%; removed down to 65%/);
  assert.equal(keptWhy(plan, imgs[0]?.id as string), ['space-left']);
  // Under the threshold nothing goes for space; unknown usage: the step does not run.
  assert.equal(removedIds(planHostCleanup(input(imgs, { volume: { ...volume, usedBytes: 70 * GB } }))), []);
  const unknown = planHostCleanup(input(imgs));
  assert.equal(removedIds(unknown), []);
  assert.match(unknown.kept[0]?.reasons[0]?.detail ?? '', /unknown/);
});

test('over the threshold: earlier steps count; what a container uses or the window keeps is never a candidate', () => {
  const GB = 1e9;
  const registry = { digests: new Set<string>(), tags: new Set(['kept-by-registry']) };
  const gone = image([`${APP}:gone`], { hoursAgo: 24, size: 10 * GB });
  const used = image([`${APP}:used`], { hoursAgo: 900, size: 50 * GB });
  const recent = image([`${APP}:recent`], { hoursAgo: 1, size: 50 * GB });
  const candidate = image([`${APP}:kept-by-registry`], { hoursAgo: 100, size: 10 * GB });
  const volume = { path: '/d', usedBytes: 90 * GB, totalBytes: 100 * GB };
  const plan = planHostCleanup(input([gone, used, recent, candidate], { volume, repositories: [{ name: APP, registry }], containers: [container(used, 'running')] }));
  assert.equal(removedIds(plan), [gone.id, candidate.id]);
  assert.equal(plan.threshold?.reached, false, '70 GB stays above 65');
});

test('purge: every local image of the repository, whatever its age or the registry, but not what a container uses', () => {
  const young = image([`${APP}:young`], { hoursAgo: 0.1 });
  const used = image([`${APP}:used`]);
  const dangling = image([], { repoDigests: [`${APP}@sha256:${'e'.repeat(64)}`] });
  const other = image(['docker.io/library/redis:7']);
  const plan = planHostCleanup(input([young, used, dangling, other], { mode: 'purge', containers: [container(used, 'created')] }));
  assert.equal(new Set(removedIds(plan)), new Set([young.id, dangling.id]));
  assert.ok(plan.remove.every((r) => r.step === 'purge'));
  assert.equal(keptWhy(plan, used.id), ['in-use']);
  assert.is(plan.untouched, 1);
});

test.run();
