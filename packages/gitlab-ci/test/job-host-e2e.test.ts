/**
 * The component's host-cleanup input end to end: the committed job bundle as a shell-executor runner
 * runs it (the variables the template sets, DOCKER_HOST of the runner), against the fake GitLab and a
 * real Docker Engine API (podman on a private socket): the local copy of the deleted branch's image
 * goes after the registry cleanup, main's stays, another project's is untouched; the host report is an
 * artifact. With the input off the engine is not touched.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '@regsweep/core';
import { C, startWorld, TOKENS } from '@regsweep/test-kit/gitlab-world';
import { startPodmanEngine, type PodmanEngine } from '@regsweep/test-kit/podman-engine';
import { predefinedVariables, projectDir, runJobProcess } from './support/job-process.js';

const POLICY = 'cleanup:\n  keepPolicies:\n    - references: { branch: /.*/ }\n      imagesPerReference: { last: 1 }\n    - references: { tag: /.*/ }\n';

let podman: PodmanEngine;
test.before(async () => {
  podman = await startPodmanEngine();
});
test.after(async () => {
  await podman?.stop();
});

const localTags = async (): Promise<string[]> => (await podman.podman(['images', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n').filter((l) => l !== '' && !l.includes('<none>')).sort();

test('host-cleanup on a shell runner: the deleted branch\'s local image goes, main\'s and another project\'s stay', async () => {
  const world = await startWorld(new Date());
  const project = await projectDir();
  try {
    await writeFile(join(project.dir, '.regsweep.yml'), POLICY);
    const vars = { ...predefinedVariables(world.gitlab.url, project.dir), REGSWEEP_API_TOKEN: TOKENS.api, REGSWEEP_TOKEN_VARIABLE: 'REGSWEEP_API_TOKEN', DOCKER_HOST: podman.dockerHost };
    const repo = `${new URL(world.gitlab.url).host}/acme/app`;
    for (const tag of ['main', C.g1]) await podman.importImage(`${repo}:${tag}`);
    await podman.importImage('docker.io/library/redis:7');
    const before = await localTags();
    const off = await runJobProcess({ ...vars, REGSWEEP_DRY_RUN: 'true' });
    assert.is(off.code, 0, off.stdout);
    assert.equal(await localTags(), before, 'host-cleanup off: the engine is not touched');

    const r = await runJobProcess({ ...vars, REGSWEEP_HOST_CLEANUP: 'true', REGSWEEP_HOST_SAFETY_WINDOW: '0s' });
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.ok(r.report?.deleted.some((d) => d.tags.includes(C.g1)), 'the registry cleanup deleted the gone branch\'s image');
    assert.equal(await localTags(), ['docker.io/library/redis:7', `${repo}:main`].sort());
    const host = JSON.parse(await readFile(join(project.dir, 'regsweep-host-report.json'), 'utf8')) as Report;
    assert.equal(host.deleted.map((d) => [d.tags, d.decision.cause]), [[[`${repo}:${C.g1}`], 'registry-sync']]);
    assert.equal(host.kept.map((k) => [k.tags, k.reasons]), [[[`${repo}:main`], ['in-registry', 'space-left']]]);
    assert.match(r.stdout, /regsweep host cleanup\n/);
    assert.match(r.stdout, /host report: \S+regsweep-host-report\.json \(artifact\)/);
  } finally {
    await world.gitlab.close();
    await project.remove();
  }
});

test('host-cleanup: a bad host-safety-window is bad input before anything is read', async () => {
  const world = await startWorld(new Date());
  const project = await projectDir();
  try {
    const r = await runJobProcess({ ...predefinedVariables(world.gitlab.url, project.dir), REGSWEEP_HOST_CLEANUP: 'true', REGSWEEP_HOST_SAFETY_WINDOW: 'soon' });
    assert.is(r.code, 2, r.stdout);
    assert.match(r.stdout, /REGSWEEP_HOST_SAFETY_WINDOW \(the host-safety-window input\)/);
    assert.equal(world.gitlab.requestTimes.length, 0, 'no request was sent');
  } finally {
    await world.gitlab.close();
    await project.remove();
  }
});

test.run();
