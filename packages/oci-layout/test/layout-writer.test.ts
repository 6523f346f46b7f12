import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LayoutWriter, MediaTypes, cosignTag, openOciLayout, type WrittenImage } from '../src/index.js';
import { blobs, cleanup, copyTag, skopeo, tempDir } from './helpers.js';

test.after.each(cleanup);

interface Fixture {
  dir: string;
  app: WrittenImage;
  amd: WrittenImage;
  arm: WrittenImage;
  multi: string;
  sigTag: string;
  sig: string;
}

async function fixture(): Promise<Fixture> {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const app = await w.addImage({ tags: ['v1', 'latest'], labels: { 'org.opencontainers.image.revision': 'a'.repeat(40) } });
  const amd = await w.addImage({ layerText: 'amd' });
  const arm = await w.addImage({ layerText: 'arm', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
  const multi = await w.addIndex({ tags: ['multi'], children: [amd.digest, arm.digest], annotations: { a: 'b' } });
  const sig = await w.addSignature(app.digest);
  return { dir, app, amd, arm, multi: multi.digest, sigTag: sig.tag, sig: sig.digest };
}

test('skopeo inspects and copies single images, multi-arch indexes and signature tags', async () => {
  const f = await fixture();
  for (const [tag, digest] of [['v1', f.app.digest], ['multi', f.multi], [f.sigTag, f.sig]] as const) {
    const raw = await skopeo('inspect', '--raw', `oci:${f.dir}:${tag}`);
    assert.is(raw, await readFile(join(f.dir, 'blobs', 'sha256', digest.slice(7)), 'utf8'), tag);
    const out = await tempDir();
    await copyTag(f.dir, out, tag);
    assert.ok((await blobs(out)).has(digest), `${tag}: digest preserved`);
  }
  const info = JSON.parse(await skopeo('inspect', `oci:${f.dir}:v1`)) as { Labels: Record<string, string>; Created: string };
  assert.is(info.Labels['org.opencontainers.image.revision'], 'a'.repeat(40));
  assert.is(info.Created, '2024-01-01T00:00:00Z');
});

test('the layer is a real gzip tar: skopeo converts the image to a docker archive', async () => {
  const f = await fixture();
  const out = join(await tempDir(), 'image.tar');
  await skopeo('copy', '--quiet', `oci:${f.dir}:v1`, `docker-archive:${out}:example/app:v1`);
  const layer = join(f.dir, 'blobs', 'sha256', f.app.layerDigest.slice(7));
  const { stdout } = await promisify(execFile)('tar', ['-xzOf', layer, 'regsweep.txt']);
  assert.is(stdout, 'regsweep test layer\n');
});

test('a layout written by skopeo is listed correctly', async () => {
  const f = await fixture();
  const out = await tempDir();
  for (const tag of ['v1', 'latest', 'multi', f.sigTag]) await copyTag(f.dir, out, tag);
  const r = await openOciLayout(out);
  const listed = await r.list();
  assert.equal(
    listed.map((i) => [i.digest, i.tags, i.mediaType, i.pushedAt]),
    [
      [f.app.digest, ['v1', 'latest'], MediaTypes.ociManifest, undefined],
      [f.multi, ['multi'], MediaTypes.ociIndex, undefined],
      [f.sig, [f.sigTag], MediaTypes.ociManifest, undefined],
    ],
  );
  const index = (await r.getManifest(f.multi)).body as { manifests: Array<{ digest: string; platform: unknown }> };
  assert.equal(index.manifests.map((m) => m.digest), [f.amd.digest, f.arm.digest]);
  assert.equal(index.manifests[1]?.platform, { architecture: 'arm64', os: 'linux', variant: 'v8' });
  assert.is((await r.getManifest(f.arm.digest)).mediaType, MediaTypes.ociManifest);
  const config = (await r.getBlobJson(f.arm.configDigest)) as { architecture: string };
  assert.is(config.architecture, 'arm64');
});

test('content is deterministic: the same calls give the same digests in another directory', async () => {
  const a = await fixture();
  const b = await fixture();
  assert.equal([a.app.digest, a.multi, a.sig], [b.app.digest, b.multi, b.sig]);
  assert.is(await readFile(join(a.dir, 'index.json'), 'utf8'), await readFile(join(b.dir, 'index.json'), 'utf8'));
});

test('index children are not listed; the index descriptor carries media type, size and platform', async () => {
  const f = await fixture();
  const index = JSON.parse(await readFile(join(f.dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
  const listed = index.manifests.map((m) => m.digest);
  assert.not.ok(listed.includes(f.amd.digest) || listed.includes(f.arm.digest));
  const r = await openOciLayout(f.dir);
  const body = (await r.getManifest(f.multi)).body as { manifests: unknown[]; annotations: unknown };
  assert.equal(body.manifests[0], {
    mediaType: MediaTypes.ociManifest,
    digest: f.amd.digest,
    size: f.amd.size,
    platform: { architecture: 'amd64', os: 'linux' },
  });
  assert.equal(body.annotations, { a: 'b' });
});

test('signature tags follow cosign; referrers are untagged OCI 1.1 manifests with a subject', async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const app = await w.addImage({ tags: ['app'] });
  const att = await w.addSignature(app.digest, { kind: 'att' });
  assert.is(att.tag, `sha256-${app.digest.slice(7)}.att`);
  assert.is(cosignTag(app.digest), `sha256-${app.digest.slice(7)}.sig`);
  const r1 = await w.addReferrer(app.digest, { artifactType: 'application/vnd.example.sbom+json' });
  const r2 = await w.addReferrer(app.digest, { artifactType: 'application/vnd.example.sbom+json', content: 'other' });
  assert.is.not(r1.digest, r2.digest);
  const r = await openOciLayout(dir);
  const listed = await r.list();
  assert.equal(listed.map((i) => i.tags), [['app'], [att.tag], [], []]);
  const body = (await r.getManifest(r1.digest)).body as Record<string, unknown>;
  assert.is(body['artifactType'], 'application/vnd.example.sbom+json');
  assert.equal(body['subject'], { mediaType: MediaTypes.ociManifest, digest: app.digest, size: app.size });
  assert.equal(body['config'], {
    mediaType: MediaTypes.ociEmpty,
    digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    size: 2,
    data: 'e30=',
  });
  await copyTag(dir, await tempDir(), att.tag);
});

test('tag moves a tag (the old digest stays untagged); untag; create continues an existing layout', async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const old = await w.addImage({ tags: ['main'], labels: { build: '1' } });
  const next = await w.addImage({ tags: ['main'], labels: { build: '2' } });
  const r = await openOciLayout(dir);
  assert.equal((await r.list()).map((i) => [i.digest, i.tags]), [
    [old.digest, []],
    [next.digest, ['main']],
  ]);
  await w.tag(old.digest, 'v1');
  await w.untag('main');
  assert.equal((await r.list()).map((i) => [i.digest, i.tags]), [
    [next.digest, []],
    [old.digest, ['v1']],
  ]);
  try {
    await w.untag('main');
    assert.unreachable('untag of an absent tag throws');
  } catch (error) {
    assert.match((error as Error).message, /no tag "main"/);
  }
  const again = await LayoutWriter.create(dir);
  await again.addImage({ tags: ['v2'], labels: { build: '3' } });
  assert.equal((await r.list()).map((i) => i.tags), [[], ['v1'], ['v2']]);
  await copyTag(dir, await tempDir(), 'v1');
});

test.run();
