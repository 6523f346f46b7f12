/**
 * The Action's `host-cleanup` input end to end: the committed bundle as a self-hosted runner would run
 * it, against the fake GitHub and a real Docker Engine API (podman on a private socket, DOCKER_HOST):
 * after the registry cleanup deleted a branch's image, the runner's copy of it goes; what the registry
 * kept and another project's image stay; outputs and a second report say so. On a GitHub-hosted runner,
 * and with the input off, the engine is not touched.
 */
import { readFile } from 'node:fs/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '@regsweep/core';
import { startPodmanEngine, type PodmanEngine } from '@regsweep/test-kit/podman-engine';
import { annotations, inputsFor, scenario, sha } from './support/e2e.js';
import { runBundle } from './support/runner.js';
import { World, type VersionSpec } from './support/world.js';

let podman: PodmanEngine;
test.before(async () => {
  podman = await startPodmanEngine();
});
test.after(async () => {
  await podman?.stop();
});

/** main m1..m2; a deleted branch's image tagged feature-gone (its commit is gone from GitHub). */
function world(): World {
  const w = new World();
  w.model.line('m', 2, World.daysAgo(1));
  w.model.branch('main', 'm2');
  const versions: VersionSpec[] = [
    { digest: w.image('m2', 1), tags: [sha('m2'), 'main'] },
    { digest: w.image('m1', 2), tags: [sha('m1')] },
    { digest: w.image('g1', 9), tags: ['feature-gone'] },
  ];
  w.publish(versions);
  return w;
}

const localTags = async (): Promise<string[]> => (await podman.podman(['images', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n').filter((l) => l !== '' && !l.includes('<none>')).sort();

test('host-cleanup on a self-hosted runner: the local copy of what the registry cleanup deleted goes; the rest stays', async () => {
  const w = world();
  await scenario(w, async (dirs) => {
    const repo = `${new URL(w.url).host}/acme/app`;
    for (const tag of ['main', 'feature-gone']) await podman.importImage(`${repo}:${tag}`);
    await podman.importImage('docker.io/library/postgres:16');
    const before = await localTags();
    const inputs = inputsFor(w, { 'host-cleanup': 'true', 'host-safety-window': '0s' });
    const off = await runBundle(dirs, w.url, { ...inputsFor(w), 'dry-run': 'true' }, 45_000, { DOCKER_HOST: podman.dockerHost });
    assert.is(off.code, 0, off.stdout + off.stderr);
    assert.is(off.outputs['host-removed'], undefined, 'no host outputs when the input is off');
    const hosted = await runBundle(dirs, w.url, { ...inputs, 'dry-run': 'true' }, 45_000, { DOCKER_HOST: podman.dockerHost, RUNNER_ENVIRONMENT: 'github-hosted' });
    assert.is(hosted.code, 0, hosted.stdout + hosted.stderr);
    assert.match(annotations(hosted, 'notice').join('\n'), /host-cleanup: skipped on a GitHub-hosted runner/);
    assert.equal(await localTags(), before, 'neither touched the engine');

    const run = await runBundle(dirs, w.url, inputs, 45_000, { DOCKER_HOST: podman.dockerHost, RUNNER_ENVIRONMENT: 'self-hosted' });
    assert.is(run.code, 0, run.stdout + run.stderr);
    assert.is(run.outputs['deleted'], '1', 'the registry cleanup deleted the gone branch\'s image');
    assert.equal(await localTags(), ['docker.io/library/postgres:16', `${repo}:main`].sort());
    assert.is(run.outputs['host-removed'], '1');
    const host = JSON.parse(await readFile(run.outputs['host-report'] ?? '', 'utf8')) as Report;
    assert.is(host.command, 'host cleanup');
    assert.equal(host.deleted.map((d) => [d.tags, d.decision.cause, d.status]), [[[`${repo}:feature-gone`], 'registry-sync', 'deleted']]);
    assert.equal(host.kept.map((k) => [k.tags, k.reasons]), [[[`${repo}:main`], ['in-registry', 'space-left']]]);
    assert.is(host.host?.untouchedImages, 1);
    assert.match(run.summary, /### Build host\n\n```\nregsweep host cleanup\n/);
    assert.equal(annotations(run, 'error'), []);
  });
});

test('host-cleanup with an engine that is not there: the registry cleanup stands, the step fails, nothing is removed', async () => {
  const w = world();
  await scenario(w, async (dirs) => {
    const run = await runBundle(dirs, w.url, inputsFor(w, { 'host-cleanup': 'true', 'docker-host': 'unix:///nonexistent/docker.sock' }), 45_000, { RUNNER_ENVIRONMENT: 'self-hosted' });
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.is(run.outputs['deleted'], '1');
    assert.match(annotations(run, 'error').join('\n'), /host-cleanup: Docker Engine unix:\/\/\/nonexistent\/docker\.sock: could not list images/);
  });
});

test.run();
