/**
 * `regsweep host cleanup|purge` as a process, against a real Docker Engine API (Debian's podman on a
 * private socket) and a real registry (Debian's docker-registry) that the local images were pushed to:
 * images the registry no longer has go, the ones it has stay; a container's image, a recent image and
 * another project's image stay; a dry run changes nothing; purge needs --yes; bad input is exit 2 and an
 * engine that is not there is exit 1, with nothing removed.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startPodmanEngine, type PodmanEngine } from '@regsweep/test-kit/podman-engine';
import { startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';
import { describe, readReport, removeTemps, runCli, tempDir } from './support/cli.js';

let podman: PodmanEngine;
let server: RegistryServer;
let repo: string;
let cwd: string;
/** Three hours after the images were made: outside the default safety window of 2h. */
let later: string;

async function localTags(): Promise<string[]> {
  const out = await podman.podman(['images', '--format', '{{.Repository}}:{{.Tag}}']);
  return out.split('\n').filter((l) => l !== '' && !l.includes('<none>')).sort();
}

async function deleteFromRegistry(tag: string): Promise<void> {
  const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
  const head = await fetch(`${server.url}/v2/acme/app/manifests/${tag}`, { method: 'HEAD', headers: { accept } });
  const digest = head.headers.get('docker-content-digest');
  const del = await fetch(`${server.url}/v2/acme/app/manifests/${digest}`, { method: 'DELETE' });
  assert.is(del.status, 202, `registry delete of ${tag}`);
}

test.before(async () => {
  [podman, server] = await Promise.all([startPodmanEngine(), startRegistry()]);
  repo = `${server.host}/acme/app`;
  cwd = tempDir('regsweep-host-');
  for (const tag of ['main', 'feature-gone', 'feature-used']) {
    await podman.importImage(`${repo}:${tag}`);
    await podman.podman(['push', '--tls-verify=false', '--quiet', `${repo}:${tag}`]);
  }
  // The registry cleanup deleted two branches' images; the local copies are what host cleanup syncs.
  await deleteFromRegistry('feature-gone');
  await deleteFromRegistry('feature-used');
  await podman.createContainer(`${repo}:feature-used`, 'tests-of-feature-used');
  await podman.importImage('docker.io/library/base:1');
  later = new Date(Date.now() + 3 * 3_600_000).toISOString();
});
test.after(async () => {
  await podman?.stop();
  await server?.stop();
  removeTemps();
});

const host = (args: string[], env: Record<string, string> = {}): ReturnType<typeof runCli> =>
  runCli(['host', ...args], cwd, { DOCKER_HOST: podman.dockerHost, ...env });

test('bad input is exit 2 with nothing touched: purge without --yes, a malformed DOCKER_HOST, a bad percentage', async () => {
  const before = await localTags();
  const purge = host(['purge', '--registry', repo]);
  assert.is(purge.code, 2, describe(purge));
  assert.match(purge.stderr, /needs --yes/);
  const badHost = host(['cleanup', '--registry', repo], { DOCKER_HOST: 'ssh://builder' });
  assert.is(badHost.code, 2, describe(badHost));
  assert.match(badHost.stderr, /DOCKER_HOST "ssh:\/\/builder": only unix:\/\/ and tcp:\/\//);
  const badPercent = host(['cleanup', '--registry', repo, '--allowed-volume-usage', '170']);
  assert.is(badPercent.code, 2, describe(badPercent));
  assert.match(badPercent.stderr, /--allowed-volume-usage: expected a percentage from 0 to 100/);
  assert.equal(await localTags(), before);
});

test('an engine that is not there: exit 1 before anything is read or removed', async () => {
  const r = host(['cleanup', '--registry', repo], { DOCKER_HOST: `unix://${join(cwd, 'no-engine.sock')}` });
  assert.is(r.code, 1, describe(r));
  assert.match(r.stderr, /could not list images/);
  assert.match(r.stderr, /nothing was removed/);
});

test('within the safety window nothing goes; a dry run later says what would, and changes nothing', async () => {
  const before = await localTags();
  const now = host(['cleanup', '--registry', repo, '--report', join(cwd, 'now.json')]);
  assert.is(now.code, 0, describe(now));
  const fresh = readReport(join(cwd, 'now.json'));
  assert.is(fresh.deleted.length, 0);
  assert.ok(fresh.kept.every((k) => k.reasons.includes('recent') || k.reasons.includes('in-use')), JSON.stringify(fresh.kept));
  const dry = host(['cleanup', '--registry', repo, '--now', later, '--dry-run', '--report', join(cwd, 'dry.json')]);
  assert.is(dry.code, 0, describe(dry));
  assert.match(dry.stdout, /regsweep host cleanup \(dry run: nothing was changed\)/);
  assert.equal(readReport(join(cwd, 'dry.json')).deleted.map((d) => [d.tags, d.status, d.decision.cause]), [[[`${repo}:feature-gone`], 'would-delete', 'registry-sync']]);
  assert.equal(await localTags(), before);
});

test('host cleanup: what the registry no longer has goes; what it has, a container\'s image and another project\'s stay', async () => {
  const r = host(['cleanup', '--registry', repo, '--now', later, '--report', join(cwd, 'cleanup.json')]);
  assert.is(r.code, 0, describe(r));
  assert.equal(await localTags(), [`${repo}:feature-used`, `${repo}:main`, 'docker.io/library/base:1'].sort());
  const report = readReport(join(cwd, 'cleanup.json'));
  assert.is(report.command, 'host cleanup');
  assert.equal(report.deleted.map((d) => [d.tags, d.status, d.decision.cause]), [[[`${repo}:feature-gone`], 'deleted', 'registry-sync']]);
  const kept = new Map(report.kept.map((k) => [k.tags[0], k.reasons]));
  assert.equal(kept.get(`${repo}:main`), ['in-registry', 'space-left']);
  assert.equal(kept.get(`${repo}:feature-used`), ['in-use']);
  assert.is(report.host?.untouchedImages, 1);
  assert.ok((report.host?.volumeBefore?.totalBytes ?? 0) > 0 && report.host?.volumeAfter !== undefined, 'the volume measured before and after');
  assert.match(r.stdout, /In use 1[^\n]*\n {2}- \S+ \S+feature-used — used by container tests-of-feature-used \(created, not running; --remove-stopped-containers removes it with the image\)/);
  assert.match(r.stdout, /Deleted 1 image\(s\)[^\n]*\n {2}- \S+feature-gone, 3h old \(\S+\) — the registry \S+ no longer has it/);
});

test('host purge --yes: every image of the repository but the one a container uses; with --remove-stopped-containers that goes too', async () => {
  const dry = host(['purge', '--registry', repo, '--dry-run']);
  assert.is(dry.code, 0, describe(dry));
  const r = host(['purge', '--registry', repo, '--yes', '--report', join(cwd, 'purge.json')]);
  assert.is(r.code, 0, describe(r));
  assert.equal(await localTags(), [`${repo}:feature-used`, 'docker.io/library/base:1'].sort());
  const all = host(['purge', '--registry', repo, '--yes', '--remove-stopped-containers', '--report', join(cwd, 'purge2.json')]);
  assert.is(all.code, 0, describe(all));
  assert.equal(await localTags(), ['docker.io/library/base:1']);
  const report = readReport(join(cwd, 'purge2.json'));
  assert.equal(report.host?.containersRemoved.map((c) => [c.name, c.status]), [['tests-of-feature-used', 'removed']]);
  assert.is(await podman.podman(['ps', '-a', '--format', '{{.Names}}']), '');
});

test.run();
