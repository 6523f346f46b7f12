/**
 * makeFolders: `mkdir -p` that always settles. Node's recursive mkdir spins forever on /proc/x and on
 * a dangling link on the way; here those are errors, at once.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeFolders } from '../src/index.js';

let dir = '';
test.before.each(async () => {
  dir = await mkdtemp(join(tmpdir(), 'regsweep-folders-'));
});
test.after.each(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOfFailure(folder: string): Promise<string> {
  try {
    await makeFolders(folder);
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  throw new Error(`${folder} was made`);
}

test('missing parents are made with the mode given; an existing folder is fine', async () => {
  const deep = join(dir, 'a', 'b', 'c');
  await makeFolders(deep, 0o700);
  assert.ok((await stat(deep)).isDirectory());
  assert.is((await stat(join(dir, 'a'))).mode & 0o777, 0o700 & ~process.umask());
  await makeFolders(deep);
  await makeFolders(dir);
});

test('a file on the way: ENOTDIR; a dangling link on the way: EEXIST, nothing made through it', async () => {
  await writeFile(join(dir, 'file'), 'x');
  assert.is(await codeOfFailure(join(dir, 'file', 'a', 'b')), 'ENOTDIR');
  assert.is(await codeOfFailure(join(dir, 'file')), 'ENOTDIR');
  await symlink(join(dir, 'nowhere'), join(dir, 'link'));
  assert.is(await codeOfFailure(join(dir, 'link', 'a')), 'EEXIST');
  assert.not.ok(existsSync(join(dir, 'nowhere')));
});

test('/proc/x/y, where Node\'s recursive mkdir never returns: ENOENT at once', async () => {
  if (!existsSync('/proc/self')) return;
  assert.is(await codeOfFailure('/proc/regsweep-folders/a/b'), 'ENOENT');
});

test.run();
