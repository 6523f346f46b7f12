import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError, RegistryError, type ListedImage } from '@regsweep/core';
import { LayoutWriter, MediaTypes, openOciLayout } from '../src/index.js';
import { blobs, cleanup, copyTag, tempDir } from './helpers.js';

test.after.each(cleanup);

const image = (digest: string): ListedImage => ({ digest, tags: [] });
const blobFile = (dir: string, digest: string): string => join(dir, 'blobs', 'sha256', digest.slice(7));

async function rejects(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

test('list groups entries by digest, with tags, untagged entries, media type and size', async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const a = await w.addImage({ tags: ['v1', 'latest'], labels: { n: 'a' } });
  const b = await w.addImage({ labels: { n: 'b' } });
  const amd = await w.addImage({ layerText: 'amd' });
  const arm = await w.addImage({ layerText: 'arm', platform: { os: 'linux', architecture: 'arm64' } });
  const idx = await w.addIndex({ tags: ['multi'], children: [amd.digest, arm.digest] });
  const r = await openOciLayout(dir);
  assert.is(r.name, `oci:${dir}`);
  assert.equal(r.capabilities, { listsUntagged: true, deletesTagAlone: true });
  assert.equal(await r.list(), [
    { digest: a.digest, tags: ['v1', 'latest'], mediaType: MediaTypes.ociManifest, size: a.size },
    { digest: b.digest, tags: [], mediaType: MediaTypes.ociManifest, size: b.size },
    { digest: idx.digest, tags: ['multi'], mediaType: MediaTypes.ociIndex, size: idx.size },
  ]);
});

test('getManifest and getBlobJson read and verify blobs; media type from body, descriptor or shape', async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const a = await w.addImage({ tags: ['v1'], labels: { 'org.opencontainers.image.revision': 'abc' } });
  const r = await openOciLayout(dir);
  const m = await r.getManifest(a.digest);
  assert.is(m.mediaType, MediaTypes.ociManifest);
  const config = (await r.getBlobJson(a.configDigest)) as { config: { Labels: Record<string, string> } };
  assert.equal(config.config.Labels, { 'org.opencontainers.image.revision': 'abc' });

  // A manifest without its own mediaType: from the index.json descriptor, else guessed by shape.
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
  const { createHash } = await import('node:crypto');
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  await writeFile(blobFile(dir, digest), body);
  assert.is((await r.getManifest(digest)).mediaType, MediaTypes.ociIndex);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: unknown[] };
  index.manifests.push({ mediaType: MediaTypes.dockerManifestList, digest, size: body.length });
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  assert.is((await r.getManifest(digest)).mediaType, MediaTypes.dockerManifestList);
});

test('a corrupt blob is a non-transient RegistryError; a missing one is 404; a bad digest 400', async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const a = await w.addImage({ tags: ['v1'] });
  const r = await openOciLayout(dir);
  await writeFile(blobFile(dir, a.configDigest), '{"tampered":true}');
  const corrupt = await rejects(r.getBlobJson(a.configDigest));
  assert.instance(corrupt, RegistryError);
  assert.is((corrupt as RegistryError).transient, false);
  assert.match((corrupt as RegistryError).message, /corrupt/);

  const missing = await rejects(r.getManifest(`sha256:${'0'.repeat(64)}`));
  assert.instance(missing, RegistryError);
  assert.is((missing as RegistryError).status, 404);
  assert.is((missing as RegistryError).transient, false);

  const bad = await rejects(r.getManifest('sha256:../../etc/passwd'));
  assert.instance(bad, RegistryError);
  assert.is((bad as RegistryError).status, 400);
});

test('not a layout: InputError naming the path and what is expected', async () => {
  const root = await tempDir();
  const cases: Array<[string, () => Promise<void>, RegExp]> = [
    [join(root, 'missing'), async () => undefined, /does not exist/],
    [join(root, 'file'), () => writeFile(join(root, 'file'), 'x'), /not a directory/],
    [join(root, 'empty'), () => mkdir(join(root, 'empty')), /oci-layout .*is missing/],
    [
      join(root, 'noversion'),
      async () => {
        await mkdir(join(root, 'noversion'));
        await writeFile(join(root, 'noversion', 'oci-layout'), '{}');
      },
      /imageLayoutVersion/,
    ],
    [
      join(root, 'badjson'),
      async () => {
        await mkdir(join(root, 'badjson'));
        await writeFile(join(root, 'badjson', 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
        await writeFile(join(root, 'badjson', 'index.json'), '{"manifests": [');
      },
      /index\.json .*not valid JSON/,
    ],
  ];
  for (const [dir, setup, pattern] of cases) {
    await setup();
    const error = await rejects(openOciLayout(dir));
    assert.instance(error, InputError, dir);
    assert.ok((error as InputError).message.includes(dir), (error as InputError).message);
    assert.match((error as InputError).message, pattern);
    assert.match((error as InputError).hint ?? '', /OCI image-layout/);
  }
});

test('deleteImage removes its entries and unreferenced blobs, keeps blobs shared with remaining images', async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const a = await w.addImage({ tags: ['a1', 'a2'], labels: { n: 'a' }, layerText: 'shared' });
  const b = await w.addImage({ tags: ['b'], labels: { n: 'b' }, layerText: 'shared' });
  const c = await w.addImage({ tags: ['c'], labels: { n: 'c' }, layerText: 'c only' });
  assert.is(a.layerDigest, b.layerDigest);
  const stray = `sha256:${'e'.repeat(64)}`;
  await writeFile(blobFile(dir, stray), 'not referenced by anything, before or after');
  const r = await openOciLayout(dir);
  const before = await blobs(dir);

  assert.is(await r.deleteImage({ digest: a.digest, tags: ['a1', 'a2'] }), 'deleted');
  assert.equal((await r.list()).map((i) => i.digest), [b.digest, c.digest]);
  const after = await blobs(dir);
  assert.equal([...before].filter((d) => !after.has(d)).sort(), [a.digest, a.configDigest].sort());
  assert.ok(after.has(a.layerDigest) && after.has(stray));
  for (const tag of ['b', 'c']) await copyTag(dir, await tempDir(), tag);
});

test('deleting an index keeps a child that a remaining index uses; every remaining tag still copies', async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const amd = await w.addImage({ layerText: 'amd' });
  const arm = await w.addImage({ layerText: 'arm', platform: { os: 'linux', architecture: 'arm64' } });
  const s390 = await w.addImage({ layerText: 's390x', platform: { os: 'linux', architecture: 's390x' } });
  const x = await w.addIndex({ tags: ['x'], children: [amd.digest, arm.digest] });
  const y = await w.addIndex({ tags: ['y'], children: [arm.digest, s390.digest] });
  const single = await w.addImage({ tags: ['single'], layerText: 'amd', labels: { n: 'single' } });
  const r = await openOciLayout(dir);

  assert.is(await r.deleteImage(image(x.digest)), 'deleted');
  const left = await blobs(dir);
  assert.not.ok(left.has(x.digest));
  assert.not.ok(left.has(amd.digest) || left.has(amd.configDigest));
  assert.ok(left.has(amd.layerDigest), 'layer shared with "single" stays');
  for (const d of [y.digest, arm.digest, arm.configDigest, arm.layerDigest, s390.digest, single.digest]) {
    assert.ok(left.has(d), d);
  }
  for (const tag of ['y', 'single']) await copyTag(dir, await tempDir(), tag);
});

test('a child listed on its own as well survives its entry removal while an index uses it', async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const amd = await w.addImage({ layerText: 'amd' });
  await w.addIndex({ tags: ['x'], children: [amd.digest] });
  await w.tag(amd.digest, 'amd-only');
  const r = await openOciLayout(dir);
  assert.is(await r.deleteImage(image(amd.digest)), 'deleted');
  assert.ok((await blobs(dir)).has(amd.digest));
  await copyTag(dir, await tempDir(), 'x');
});

test('deleting a subject leaves its referrer and signature entries (the planner deletes those)', async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const s = await w.addImage({ tags: ['app'] });
  const ref = await w.addReferrer(s.digest, { artifactType: 'application/vnd.example.sbom+json' });
  const sig = await w.addSignature(s.digest);
  const r = await openOciLayout(dir);
  assert.is(await r.deleteImage(image(s.digest)), 'deleted');
  const listed = await r.list();
  assert.equal(listed.map((i) => i.digest), [ref.digest, sig.digest]);
  assert.not.ok((await blobs(dir)).has(s.digest), 'subject is a weak reference');
  const body = (await r.getManifest(ref.digest)).body as { subject: { digest: string } };
  assert.is(body.subject.digest, s.digest);
});

test("'gone' for an absent digest, index.json untouched", async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  await w.addImage({ tags: ['v1'] });
  const r = await openOciLayout(dir);
  const before = await readFile(join(dir, 'index.json'), 'utf8');
  assert.is(await r.deleteImage(image(`sha256:${'a'.repeat(64)}`)), 'gone');
  assert.is(await readFile(join(dir, 'index.json'), 'utf8'), before);
});

test('concurrent deletes are serialised: all applied, no temp files left, second delete of one digest is gone', async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const images = [];
  for (let i = 0; i < 6; i++) images.push(await w.addImage({ tags: [`t${i}`], labels: { i: String(i) } }));
  const r = await openOciLayout(dir);
  const [first, second, third] = images;
  if (!first || !second || !third) throw new Error('setup');
  const outcomes = await Promise.all([
    r.deleteImage(image(first.digest)),
    r.deleteImage(image(first.digest)),
    r.deleteImage(image(second.digest)),
    r.deleteTag('t2'),
    r.deleteImage(image(third.digest)),
  ]);
  assert.equal(outcomes, ['deleted', 'gone', 'deleted', 'deleted', 'deleted']);
  assert.equal((await r.list()).map((i) => i.tags[0]), ['t3', 't4', 't5']);
  assert.equal((await readdir(dir)).sort(), ['blobs', 'index.json', 'oci-layout']);
});

test('deleteTag keeps the digest while another tag points at it, then leaves it untagged', async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const a = await w.addImage({ tags: ['one', 'two'] });
  const r = await openOciLayout(dir);
  assert.is(await r.deleteTag('one'), 'deleted');
  assert.equal(await r.list(), [{ digest: a.digest, tags: ['two'], mediaType: MediaTypes.ociManifest, size: a.size }]);
  assert.is(await r.deleteTag('two'), 'deleted');
  assert.equal((await r.list()).map((i) => [i.digest, i.tags]), [[a.digest, []]]);
  assert.ok((await blobs(dir)).has(a.configDigest));
  assert.is(await r.deleteTag('two'), 'gone');
});

test('a rewrite keeps unknown index.json fields and entry annotations', async () => {
  const dir = await tempDir();
  const w = await LayoutWriter.create(dir);
  const a = await w.addImage({ tags: ['a'] });
  await w.addImage({ tags: ['b'], labels: { n: 'b' } });
  const path = join(dir, 'index.json');
  const index = JSON.parse(await readFile(path, 'utf8')) as { annotations?: unknown; manifests: Array<Record<string, unknown>> };
  index.annotations = { 'com.example.keep': 'yes' };
  const entry = index.manifests[1];
  if (entry) entry['annotations'] = { 'org.opencontainers.image.ref.name': 'b', 'io.containerd.image.name': 'x/y:b' };
  await writeFile(path, JSON.stringify(index));
  const r = await openOciLayout(dir);
  await r.deleteImage(image(a.digest));
  const out = JSON.parse(await readFile(path, 'utf8')) as typeof index;
  assert.equal(out.annotations, { 'com.example.keep': 'yes' });
  assert.equal(out.manifests[0]?.['annotations'], { 'org.opencontainers.image.ref.name': 'b', 'io.containerd.image.name': 'x/y:b' });
});

test.run();
