/**
 * The host run (core's runHostCleanup) on a real Docker Engine API (podman): the threshold step with a
 * fake volume port removes the least recently used first until usage is under allowed minus margin;
 * the races it must lose safely — a container started on an image after it was planned (the engine's
 * 409: skipped, not forced) and a tag moved onto it (the re-check: skipped) — and the deletion budget.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyReport, runHostCleanup, type HostEngine, type HostRunPorts, type HostRunSettings, type Report, type VolumeUsage } from '@regsweep/core';
import { startPodmanEngine, type PodmanEngine } from '@regsweep/test-kit/podman-engine';
import { openDockerEngine } from '../src/index.js';

const APP = 'ghcr.io/acme/app';
let podman: PodmanEngine;
const ids: string[] = [];

test.before(async () => {
  podman = await startPodmanEngine();
  // One second apart: the engine's build times have whole seconds, and the order is by them.
  for (const tag of ['oldest', 'older', 'newer', 'newest']) {
    ids.push(await podman.importImage(`${APP}:${tag}`));
    await new Promise((resolve) => setTimeout(resolve, 1100));
  }
});
test.after(async () => {
  await podman?.stop();
});

const SETTINGS: HostRunSettings = {
  mode: 'cleanup', dryRun: false, safetyWindowMs: 3_600_000, removeStoppedContainers: false, allowedVolumeUsage: 70, allowedVolumeUsageMargin: 5, leftoverLabels: [],
};
/** A full volume far larger than the images: every candidate goes. */
const FULL: VolumeUsage = { path: '/fake', usedBytes: 1e12, totalBytes: 1e12 };
const later = (): Date => new Date(Date.now() + 2 * 3_600_000);

function ports(engine: HostEngine, volume?: VolumeUsage, onPlanned?: () => void, repository = APP): HostRunPorts {
  return {
    clock: { now: later, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    engine: async () => engine,
    repositories: async () => [{ name: repository }],
    ...(volume ? { volume: async () => volume } : {}),
    progress: (m) => void (/to remove/.test(m) && onPlanned?.()),
  };
}

const newReport = (): Report => emptyReport({ command: 'host cleanup', dryRun: false, now: later(), startedAt: new Date(), policySource: 'none' });
const localTags = async (): Promise<string[]> => (await podman.podman(['images', '--format', '{{.Tag}}'])).split('\n').filter((t) => t !== '' && t !== '<none>').sort();

/** A volume where each image is about a tenth: at 80 %, two images bring it under 65 %. */
async function fakeVolume(engine: HostEngine): Promise<VolumeUsage> {
  const size = Math.max(...(await engine.images()).map((i) => i.size));
  return { path: '/fake/docker', usedBytes: 8 * size, totalBytes: 10 * size };
}

test('threshold (fake volume port): a dry run names the two least recently used and removes nothing; the run removes them', async () => {
  const engine = openDockerEngine(podman.dockerHost);
  const volume = await fakeVolume(engine);
  const dry = newReport();
  await runHostCleanup({ ...SETTINGS, dryRun: true }, ports(engine, volume), dry);
  assert.is(dry.exitCode, 0, dry.error?.message);
  assert.equal(dry.deleted.map((d) => [d.tags[0], d.status, d.decision.cause]), [[`${APP}:oldest`, 'would-delete', 'over-threshold'], [`${APP}:older`, 'would-delete', 'over-threshold']]);
  assert.equal(await localTags(), ['newer', 'newest', 'older', 'oldest']);
  const report = newReport();
  await runHostCleanup(SETTINGS, ports(engine, volume), report);
  assert.is(report.exitCode, 0, report.error?.message);
  assert.equal(await localTags(), ['newer', 'newest']);
  assert.match(report.deleted[0]?.why ?? '', /least recently used .* \/fake\/docker is at 80\.0%, above --allowed-volume-usage 70%; removed down to 65%/);
  assert.equal(report.kept.map((k) => k.reasons), [['space-left'], ['space-left']]);
});

test('a container started on the image after it was planned: the engine refuses (409), the image is skipped, not forced', async () => {
  const real = openDockerEngine(podman.dockerHost);
  let raced = false;
  const racing: HostEngine = {
    name: real.name, images: () => real.images(), containers: () => real.containers(), image: (id) => real.image(id), removeContainer: (id) => real.removeContainer(id),
    removeImage: async (ref) => {
      if (!raced) {
        raced = true;
        await podman.createContainer(ref, 'parallel-build');
      }
      return real.removeImage(ref);
    },
  };
  const report = newReport();
  await runHostCleanup({ ...SETTINGS, allowedVolumeUsage: 0, allowedVolumeUsageMargin: 0 }, ports(racing, FULL), report);
  assert.is(report.exitCode, 0, report.error?.message);
  assert.equal(report.skipped.map((s) => [s.tags[0], s.message]), [[`${APP}:newer`, 'the engine refused to remove it (409: a container uses it, or images are built on it); not forced']]);
  assert.equal(report.deleted.map((d) => d.tags[0]), [`${APP}:newest`]);
  assert.equal(await localTags(), ['newer']);
  await podman.podman(['rm', 'parallel-build']);
});

test('a refusal after one of two tags was removed puts that tag back', async () => {
  const real = openDockerEngine(podman.dockerHost);
  const TWO = 'ghcr.io/acme/two';
  const id = await podman.importImage(`${TWO}:a`);
  await podman.tag(id, `${TWO}:b`);
  let raced = false;
  const racing: HostEngine = {
    name: real.name, images: () => real.images(), containers: () => real.containers(), image: (ref) => real.image(ref), removeContainer: (c) => real.removeContainer(c),
    tagImage: (i, ref) => real.tagImage(i, ref),
    removeImage: async (ref) => {
      const outcome = await real.removeImage(ref);
      if (!raced) {
        raced = true;
        await podman.createContainer(id, 'between-the-tags'); // a job starts on it after its first tag went
      }
      return outcome;
    },
  };
  const report = newReport();
  await runHostCleanup({ ...SETTINGS, allowedVolumeUsage: 0, allowedVolumeUsageMargin: 0 }, ports(racing, FULL, undefined, TWO), report);
  assert.is(report.exitCode, 0, report.error?.message);
  assert.equal(report.deleted, []);
  assert.match(report.skipped[0]?.message ?? '', /^the engine refused to remove it \(409[^)]*\); not forced; ghcr\.io\/acme\/two:(a|b) put back$/, report.skipped[0]?.message);
  const tags = (await podman.podman(['images', '--format', '{{.Repository}}:{{.Tag}}', TWO])).split('\n').sort();
  assert.equal(tags, [`${TWO}:a`, `${TWO}:b`], 'both tags are there again');
  await podman.podman(['rm', 'between-the-tags']);
});

test('a tag moved onto the image after it was planned: the re-check leaves it; the budget leaves the rest for the next run', async () => {
  const real = openDockerEngine(podman.dockerHost);
  for (const tag of ['a', 'b', 'c']) await podman.importImage(`${APP}:${tag}`);
  let armed = false;
  const tagging: HostEngine = {
    name: real.name, images: () => real.images(), containers: () => real.containers(), removeImage: (ref) => real.removeImage(ref), removeContainer: (id) => real.removeContainer(id),
    image: async (id) => {
      if (armed) {
        armed = false;
        await podman.tag(id, `${APP}:build-1234`); // a parallel build tagged it
      }
      return real.image(id);
    },
  };
  const report = newReport();
  await runHostCleanup({ ...SETTINGS, allowedVolumeUsage: 0, allowedVolumeUsageMargin: 0, maxDeletions: 2 }, ports(tagging, FULL, () => void (armed = true)), report);
  assert.is(report.exitCode, 0, report.error?.message);
  assert.is(report.skipped.length, 1);
  assert.match(report.skipped[0]?.message ?? '', /its tags changed since it was planned \(now .*build-1234.*\): a build may be using it/);
  assert.is(report.deleted.length, 1);
  assert.equal(report.notAttempted.map((n) => n.message), ['max-deletions (2 for the whole run) reached; the next run continues', 'max-deletions (2 for the whole run) reached; the next run continues']);
  assert.ok((await localTags()).includes('build-1234'));
});

test.run();
