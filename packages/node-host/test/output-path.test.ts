/**
 * prepareOutputPath: a path the run cannot write is refused up front (InputError, exit 2) naming the
 * flag, the path and the fix, leaving what is there untouched; a usable one gets its folder and no
 * leftover probe.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeError, InputError } from '@regsweep/core';
import { prepareOutputPath } from '../src/index.js';

let dir = '';
test.before.each(async () => {
  dir = await mkdtemp(join(tmpdir(), 'regsweep-output-path-'));
});
test.after.each(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The InputError `prepareOutputPath` throws, described as the front ends print it. */
async function refusal(path: string, fix?: string): Promise<string> {
  try {
    await prepareOutputPath(path, '--report', fix !== undefined ? { fix } : {});
  } catch (error) {
    assert.instance(error, InputError);
    return describeError(error);
  }
  throw new Error(`${path} was accepted`);
}

test('a new path: its missing folders are made, the absolute path returned, no probe left behind', async () => {
  const path = join(dir, 'a', 'b', 'report.json');
  assert.is(await prepareOutputPath(path, '--report'), path);
  assert.equal(await readdir(join(dir, 'a', 'b')), []);
  assert.is(await prepareOutputPath(join(dir, 'a', '..', 'a', 'b', 'report.json'), '--report'), path);
});

test('an existing regular file is accepted and left as it is (the write replaces it later)', async () => {
  const path = join(dir, 'report.json');
  await writeFile(path, 'last run\n');
  assert.is(await prepareOutputPath(path, '--report'), path);
  assert.is(await readFile(path, 'utf8'), 'last run\n');
  assert.equal(await readdir(dir), ['report.json']);
});

test('an existing folder is refused, named, with the fix', async () => {
  const text = await refusal(dir);
  assert.is(text, `--report: ${dir} is a folder\nfix: give another path for --report that names a file, not a folder`);
});

test('a path under a regular file names the file in the way, at any depth; nothing is created', async () => {
  const file = join(dir, 'notes.txt');
  await writeFile(file, 'notes\n');
  assert.is(await refusal(join(file, 'report.json')), `--report: cannot write ${file}/report.json: ${file} is a file, not a folder\nfix: give another path for --report, in a folder`);
  assert.match(await refusal(join(file, 'a', 'b', 'report.json')), `: ${file} is a file, not a folder`);
  assert.is(await readFile(file, 'utf8'), 'notes\n');
  assert.equal(await readdir(dir), ['notes.txt']);
});

test('a symbolic link at the path is refused (never written through); the link and its target stay', async () => {
  const victim = join(dir, 'victim.txt');
  await writeFile(victim, 'precious\n');
  const link = join(dir, 'report.json');
  await symlink(victim, link);
  assert.is(await refusal(link), `--report: ${link} is a symbolic link (to ${victim}), and regsweep never writes through a link\nfix: remove the link, or give another path for --report`);
  assert.is(await readlink(link), victim);
  assert.is(await readFile(victim, 'utf8'), 'precious\n');
  const dangling = join(dir, 'dangling.json');
  await symlink(join(dir, 'nowhere', 'x'), dangling);
  assert.match(await refusal(dangling), /is a symbolic link/);
  assert.not.ok(existsSync(join(dir, 'nowhere')), 'the link was not followed to make its folder');
});

test('a pipe at the path is refused', async () => {
  const fifo = join(dir, 'report.json');
  execFileSync('mkfifo', [fifo]);
  assert.match(await refusal(fifo), /is not a regular file \(a device, pipe or socket\)/);
  assert.ok((await lstat(fifo)).isFIFO());
});

test('/proc and /sys, where files cannot be created: refused, nothing left there', async () => {
  if (!existsSync('/proc/self') || !existsSync('/sys/kernel')) return;
  assert.match(await refusal('/proc/regsweep-x.json'), /^--report: cannot create files in \/proc \(ENOENT\): it takes no new entries \(a virtual file system, like \/proc or \/sys\)\nfix: give another path for --report, in a folder you can write$/);
  assert.match(await refusal('/proc/self/regsweep-x.json'), /cannot create files in \/proc\/self/);
  assert.match(await refusal('/sys/kernel/regsweep-x.json'), /^--report: cannot create files in \/sys\/kernel \((EACCES|EPERM|EROFS)\)/);
  assert.not.ok(existsSync('/proc/regsweep-x.json'));
  // A missing folder in /proc: Node's recursive mkdir would spin forever here.
  assert.match(await refusal('/proc/regsweep/deeper/x.json'), /^--report: cannot create the folder \/proc\/regsweep\/deeper \(ENOENT\): it takes no new entries/);
});

test('a dangling symbolic link on the way is named; nothing is created through it', async () => {
  const link = join(dir, 'gone');
  await symlink(join(dir, 'missing-target'), link);
  assert.is(await refusal(join(link, 'sub', 'report.json')),
    `--report: cannot write ${link}/sub/report.json: ${link} is a symbolic link to ${dir}/missing-target, which does not exist\nfix: give another path for --report, in a folder`);
  assert.not.ok(existsSync(join(dir, 'missing-target')));
});

test('a caller\'s fix replaces the default one', async () => {
  await mkdir(join(dir, 'report.json'));
  const text = await refusal(join(dir, 'report.json'), 'set RUNNER_TEMP to a writable folder');
  assert.match(text, /is a folder\nfix: set RUNNER_TEMP to a writable folder$/);
});

test.run();
