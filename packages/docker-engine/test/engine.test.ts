/**
 * The Docker Engine adapter against a real Docker Engine API: Debian's podman serving it on a private
 * socket and storage (@regsweep/test-kit/podman-engine), started and stopped here. What host cleanup
 * builds on: images with their tags, labels, dates and sizes; containers, running or not; a remove the
 * engine refuses because a container uses the image is an outcome (in-use), not forced; listing an
 * engine that is not there fails closed; a malformed DOCKER_HOST is bad input.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeError, IncompleteInputError, InputError } from '@regsweep/core';
import { startPodmanEngine, type PodmanEngine } from '@regsweep/test-kit/podman-engine';
import { engineHostPorts, openDockerEngine, parseDockerHost, type DockerEngine } from '../src/index.js';

const REV = 'org.opencontainers.image.revision';
let podman: PodmanEngine;
let engine: DockerEngine;
const ids: Record<string, string> = {};

test.before(async () => {
  podman = await startPodmanEngine();
  engine = openDockerEngine(podman.dockerHost);
  ids['app1'] = await podman.importImage('ghcr.io/acme/app:sha-1111111', { [REV]: '1'.repeat(40) });
  ids['app2'] = await podman.importImage('ghcr.io/acme/app:sha-2222222', { [REV]: '2'.repeat(40) });
  await podman.tag(ids['app2'] as string, 'ghcr.io/acme/app:main');
  ids['other'] = await podman.importImage('docker.io/library/other:1');
  await podman.createContainer(ids['app1'] as string, 'uses-app1');
});
test.after(async () => {
  await podman?.stop();
});

test('images: every tag, the labels, the build time and size; how many containers use each', async () => {
  const images = await engine.images();
  const byId = new Map(images.map((i) => [i.id, i]));
  assert.equal(byId.get(ids['app2'] as string)?.repoTags.sort(), ['ghcr.io/acme/app:main', 'ghcr.io/acme/app:sha-2222222']);
  assert.equal(byId.get(ids['app1'] as string)?.labels[REV], '1'.repeat(40));
  assert.ok((byId.get(ids['app1'] as string)?.size ?? 0) > 0);
  const created = byId.get(ids['other'] as string)?.created.getTime() ?? 0;
  assert.ok(Math.abs(Date.now() - created) < 10 * 60_000, `built just now (${new Date(created).toISOString()})`);
  assert.is(byId.get(ids['app1'] as string)?.containers, 1);
});

test('containers: a created (never started) container with the image it uses', async () => {
  const [c] = (await engine.containers()).filter((x) => x.name === 'uses-app1');
  assert.is(c?.imageId, ids['app1']);
  assert.is(c?.state, 'created');
});

test('remove: refused while a container uses the image (in-use, nothing forced); a free one goes; then gone', async () => {
  assert.is(await engine.removeImage(ids['app1'] as string), 'in-use');
  assert.ok(await engine.image(ids['app1'] as string), 'still there');
  assert.is(await engine.removeImage('docker.io/library/other:1'), 'removed');
  assert.is(await engine.image(ids['other'] as string), undefined);
  assert.is(await engine.removeImage('docker.io/library/other:1'), 'gone');
});

test('a stopped container can be removed, and then its image', async () => {
  const [c] = (await engine.containers()).filter((x) => x.name === 'uses-app1');
  assert.is(await engine.removeContainer(c?.id as string), 'removed');
  assert.is(await engine.removeContainer(c?.id as string), 'gone');
  assert.is(await engine.removeImage(ids['app1'] as string), 'removed');
});

test('the re-check reads one image as it is now: its tags today', async () => {
  await podman.tag(ids['app2'] as string, 'ghcr.io/acme/app:moved-here');
  assert.ok((await engine.image(ids['app2'] as string))?.repoTags.includes('ghcr.io/acme/app:moved-here'));
});

test('an engine that is not there: listing fails closed (IncompleteInputError), naming DOCKER_HOST', async () => {
  const missing = openDockerEngine('unix:///nonexistent/regsweep/docker.sock');
  const err = await missing.images().then(() => undefined, (e: unknown) => e);
  assert.instance(err, IncompleteInputError);
  assert.match((err as Error).message, /Docker Engine unix:\/\/\/nonexistent\/regsweep\/docker\.sock: could not list images/);
  assert.match(describeError(err), /fix: nothing was removed; check DOCKER_HOST/);
});

test('DOCKER_HOST: unix and tcp forms; anything else is bad input naming the value and the fix', () => {
  assert.equal(parseDockerHost(undefined), { socketPath: '/var/run/docker.sock' });
  assert.equal(parseDockerHost('tcp://127.0.0.1:2375'), { host: '127.0.0.1', port: 2375 });
  for (const bad of ['ssh://builder', 'tcp://host', 'unix://relative.sock', 'tcp://h:99999', '/var/run/docker.sock']) {
    const err = (() => {
      try {
        parseDockerHost(bad);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    assert.instance(err, InputError, bad);
    assert.ok((err as Error).message.includes(JSON.stringify(bad)), (err as Error).message);
  }
  assert.throws(() => parseDockerHost('tcp://h:2376', { tlsVerify: '1' }), /TLS/);
});

test('DOCKER_HOST with user:password@ is refused without printing the password', () => {
  const err = (() => {
    try {
      parseDockerHost('tcp://admin:hunter2@build-host:2375');
      return undefined;
    } catch (e) {
      return e;
    }
  })();
  assert.instance(err, InputError);
  assert.not.match(describeError(err), /hunter2/);
  assert.match(describeError(err), /credentials in DOCKER_HOST are not accepted/);
});

test('the volume of a tcp:// engine is unknown here (its disk is not this machine\'s); a unix socket\'s is measured', async () => {
  const clock = { now: () => new Date(), sleep: async () => undefined };
  const remote = engineHostPorts({ dockerHost: 'tcp://10.1.2.3:2375', clock, repositories: async () => [] });
  assert.is(await remote.volume?.(engine), undefined);
  const local = engineHostPorts({ dockerHost: podman.dockerHost, clock, repositories: async () => [] });
  const v = await local.volume?.(engine);
  assert.ok(v !== undefined && v.totalBytes > 0 && v.usedBytes > 0 && v.usedBytes <= v.totalBytes, JSON.stringify(v));
});

test.run();
