/**
 * writeAtomic: the whole text or the old file, never half; a symbolic link at the target is replaced,
 * not followed; links planted at the names the old code used (`<path>.<pid>.tmp`) are never touched;
 * a failed write leaves no temporary file behind.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeAtomic } from '../src/index.js';
import { namesake } from '../src/write-atomic.js';

let dir = '';
test.before.each(async () => {
  dir = await mkdtemp(join(tmpdir(), 'regsweep-node-host-'));
});
test.after.each(async () => {
  await rm(dir, { recursive: true, force: true });
});

const VICTIM_TEXT = 'precious: do not overwrite\n';

test('a new file in a missing folder: the folder is made, the text written, no temporary file left', async () => {
  const path = join(dir, 'out', 'deeper', 'report.json');
  await writeAtomic(path, '{"a":1}\n');
  assert.is(await readFile(path, 'utf8'), '{"a":1}\n');
  assert.equal(await readdir(dirname(path)), ['report.json']);
});

test('an existing file is replaced whole; the mode given is the new file\'s', async () => {
  const path = join(dir, 'report.json');
  await writeFile(path, 'old text that is longer than the new one\n');
  await writeAtomic(path, 'new\n', { mode: 0o600 });
  assert.is(await readFile(path, 'utf8'), 'new\n');
  assert.is((await stat(path)).mode & 0o777, 0o600);
  assert.equal(await readdir(dir), ['report.json']);
});

test('a symbolic link at the target is replaced by the file; the file it pointed at is byte-identical', async () => {
  const victim = join(dir, 'victim.txt');
  await writeFile(victim, VICTIM_TEXT);
  const path = join(dir, 'report.json');
  await symlink(victim, path);
  await writeAtomic(path, 'the report\n');
  assert.is(await readFile(victim, 'utf8'), VICTIM_TEXT);
  assert.ok((await lstat(path)).isFile(), 'the link itself was replaced by a regular file');
  assert.is(await readFile(path, 'utf8'), 'the report\n');
});

test('links planted at predictable temporary names are neither followed nor touched', async () => {
  const victim = join(dir, 'victim.txt');
  await writeFile(victim, VICTIM_TEXT);
  const path = join(dir, 'report.json');
  const planted = [`${path}.${process.pid}.tmp`, `${path}.tmp`, join(dir, `.${basename(path)}.tmp`)];
  for (const p of planted) await symlink(victim, p);
  await writeAtomic(path, 'the report\n');
  assert.is(await readFile(victim, 'utf8'), VICTIM_TEXT);
  for (const p of planted) assert.is(await readlink(p), victim, `${p} is still the planted link`);
  assert.is(await readFile(path, 'utf8'), 'the report\n');
});

test('temporary names are fresh for every write, unguessable, in the target\'s own folder', () => {
  const path = join(dir, 'report.json');
  const names = new Set(Array.from({ length: 50 }, () => namesake(path, 'tmp')));
  assert.is(names.size, 50);
  for (const n of names) {
    assert.is(dirname(n), dir);
    assert.match(basename(n), /^\.report\.json\.[0-9a-f]{24}\.tmp$/);
  }
  const long = namesake(join(dir, 'x'.repeat(250)), 'probe');
  assert.ok(Buffer.byteLength(basename(long)) <= 255, 'fits a file name');
});

test('a failed rename (a folder in the way) rejects and leaves no temporary file; the folder is as it was', async () => {
  const path = join(dir, 'report.json');
  await mkdir(path);
  await writeFile(join(path, 'inside.txt'), 'x');
  let failed: unknown;
  try {
    await writeAtomic(path, 'the report\n');
  } catch (error) {
    failed = error;
  }
  assert.ok(failed instanceof Error, 'the write rejected');
  assert.equal(await readdir(dir), ['report.json']);
  assert.equal(await readdir(path), ['inside.txt']);
});

test.run();
