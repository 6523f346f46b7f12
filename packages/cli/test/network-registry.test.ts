/** The CLI against a real registry (Debian docker-registry): a cleanup of the demo world pushed there. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '@regsweep/core';
import { main } from '../src/main.js';
import { buildDemoWorld } from '../src/demo-fixture.js';
import { openRegistry } from '../src/registry-ref.js';
import { startRegistry, type RegistryServer } from '@regsweep/test-kit/registry-server';
import { testSecret } from '@regsweep/test-kit/secrets';

const run = promisify(execFile);
let server: RegistryServer;
let root: string;

test.before(async () => {
  server = await startRegistry();
  root = await mkdtemp(join(tmpdir(), 'regsweep-cli-net-'));
});
test.after(async () => {
  await server.stop();
  await rm(root, { recursive: true, force: true });
});

async function layoutTags(layoutDir: string): Promise<string[]> {
  const index = JSON.parse(await readFile(join(layoutDir, 'index.json'), 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
  return index.manifests.flatMap((m) => m.annotations?.['org.opencontainers.image.ref.name'] ?? []);
}

async function registryTags(name: string): Promise<string[]> {
  const res = await fetch(`${server.url}/v2/${name}/tags/list`);
  const body = (await res.json()) as { tags: string[] | null };
  return [...(body.tags ?? [])].sort();
}

test('cleanup --registry 127.0.0.1:PORT/NAME deletes what the policy says, on the real registry', async () => {
  const now = new Date('2026-11-20T12:00:00Z');
  const world = await buildDemoWorld(root, now);
  const policy = join(root, 'policy.json');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const name = 'demo/app';
  for (const tag of await layoutTags(world.layoutDir)) {
    await run('/usr/bin/skopeo', ['--policy', policy, 'copy', '--all', '--preserve-digests', '--quiet', '--dest-tls-verify=false',
      `oci:${world.layoutDir}:${tag}`, `docker://${server.host}/${name}:${tag}`]);
  }
  const pushed = await registryTags(name);
  assert.equal(pushed, [...world.expectKept, ...world.expectDeleted].sort());

  const out: string[] = [];
  const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), cwd: root };
  const args = ['cleanup', '--registry', `${server.host}/${name}`, '--git', world.gitDir, '--without-kube', '--quiet', '--now', now.toISOString(), '--cache-dir', join(root, 'cache')];
  const report = join(root, 'report.json');
  assert.is(await main([...args, '--dry-run'], io), 0, out.join(''));
  assert.equal(await registryTags(name), pushed, 'a dry run deletes nothing');
  assert.is(await main([...args, '--report', report], io), 0, out.join(''));
  assert.equal(await registryTags(name), world.expectKept);
  const written = JSON.parse(await readFile(report, 'utf8')) as { exitCode: number };
  assert.is(written.exitCode, 0);
  // A second run finds nothing more to delete.
  assert.is(await main(args, io), 0, out.join(''));
  assert.equal(await registryTags(name), world.expectKept);
});

test('registry credentials come from REGSWEEP_REGISTRY_USERNAME / _PASSWORD, both or neither', async () => {
  const notes: string[] = [];
  const r = await openRegistry(`${server.host}/demo/app`, root, { env: {}, cacheDir: null, note: (m) => void notes.push(m) });
  assert.is(r.name, `${server.host}/demo/app`);
  assert.is(r.imageReference, `${server.host}/demo/app`);
  assert.equal(notes, [], 'anonymous: no credentials named');
  const env = { REGSWEEP_REGISTRY_USERNAME: 'u', REGSWEEP_REGISTRY_PASSWORD: testSecret('env-password') };
  await openRegistry(`${server.host}/demo/app`, root, { env, cacheDir: null, note: (m) => void notes.push(m) });
  assert.match(notes.join('\n'), /using credentials of u from/);
  assert.not.ok(notes.join('\n').includes(env.REGSWEEP_REGISTRY_PASSWORD));
  try {
    await openRegistry(`${server.host}/demo/app`, root, { env: { REGSWEEP_REGISTRY_USERNAME: 'u' }, cacheDir: null });
    assert.unreachable('half the credentials must be refused');
  } catch (err) {
    assert.instance(err, InputError);
  }
});

test.run();
