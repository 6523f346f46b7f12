/**
 * Checking an output path (a report, a dotenv file) before a run does anything else, so that a path
 * that cannot be written stops the run with exit 2 while nothing has been touched, instead of failing
 * after the deletions. The check does what the write will do: it creates the folder, then creates an
 * exclusive probe file in it and renames the probe, as `writeAtomic` will rename its temporary file.
 * That shows the folder accepts both (/proc and /sys, for example, refuse new files).
 */
import { lstat, open, readlink, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '@regsweep/core';
import { codeOf, makeFolders } from './folders.js';
import { namesake } from './write-atomic.js';

/** Said when a folder answers ENOENT for a new entry although it exists. */
const virtualNote = (error: unknown): string => (codeOf(error) === 'ENOENT' ? ': it takes no new entries (a virtual file system, like /proc or /sys)' : '');

const reasonOf = (error: unknown): string => codeOf(error) ?? (error instanceof Error ? error.message : String(error));

/** What a path names, without following a link at the path itself; undefined when nothing is there. */
async function entryAt(path: string): Promise<Awaited<ReturnType<typeof lstat>> | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * What stands in the way of the folders above `path`: the nearest ancestor that is a file, or a
 * symbolic link to nothing; undefined when there is none.
 */
async function inTheWay(path: string): Promise<string | undefined> {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const found = await stat(dir).catch(() => undefined);
    if (found !== undefined) return found.isDirectory() ? undefined : `${dir} is a file, not a folder`;
    if ((await lstat(dir).catch(() => undefined))?.isSymbolicLink()) return `${dir} is a symbolic link to ${await readlink(dir).catch(() => '?')}, which does not exist`;
    if (dirname(dir) === dir) return undefined;
  }
}

export interface OutputPathOptions {
  /**
   * What the user can do when the path is refused (default: "give another path for <label>"), for a
   * path the user does not name directly (one made from an environment variable).
   */
  fix?: string;
}

/**
 * Validates the output path `path` (resolved against the process's folder when relative) for the
 * input called `label` (a flag, a variable), creating its folder when missing, and returns the
 * absolute path. Throws `InputError` (exit 2) naming the label, the path and what to do when the path
 * is a folder, a symbolic link (regsweep never writes through one), a device or pipe, lies under a
 * regular file, or is in a folder where files cannot be created and renamed.
 */
export async function prepareOutputPath(path: string, label: string, options: OutputPathOptions = {}): Promise<string> {
  const target = resolve(path);
  /** The fix: the caller's, else another path for the label (with `more` said about it). */
  const other = (more = ''): string => options.fix ?? `give another path for ${label}${more}`;
  const refuse = (problem: string, fix: string): InputError => new InputError(`${label}: ${problem}`, fix);
  const underFile = async (cause: unknown): Promise<InputError> => {
    const obstacle = await inTheWay(target);
    return obstacle !== undefined
      ? refuse(`cannot write ${target}: ${obstacle}`, other(', in a folder'))
      : refuse(`cannot write ${target} (${reasonOf(cause)})`, other());
  };

  let entry: Awaited<ReturnType<typeof lstat>> | undefined;
  try {
    entry = await entryAt(target);
  } catch (error) {
    throw codeOf(error) === 'ENOTDIR' ? await underFile(error) : refuse(`cannot check ${target} (${reasonOf(error)})`, other());
  }
  if (entry?.isSymbolicLink()) {
    const to = await readlink(target).catch(() => '?');
    throw refuse(`${target} is a symbolic link (to ${to}), and regsweep never writes through a link`, options.fix ?? `remove the link, or ${other()}`);
  }
  if (entry?.isDirectory()) throw refuse(`${target} is a folder`, other(' that names a file, not a folder'));
  if (entry !== undefined && !entry.isFile()) throw refuse(`${target} is not a regular file (a device, pipe or socket)`, other(': a regular file, or a name not taken yet'));

  const folder = dirname(target);
  try {
    await makeFolders(folder);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOTDIR' || code === 'EEXIST') throw await underFile(error);
    throw refuse(`cannot create the folder ${folder} (${reasonOf(error)})${virtualNote(error)}`, options.fix ?? `create it first, or ${other(' in a folder you can write')}`);
  }
  await probe(target, folder, refuse, other);
  return target;
}

/** Creates an exclusive probe file beside `target`, renames it, removes it (see the file comment). */
async function probe(target: string, folder: string, refuse: (problem: string, fix: string) => InputError, other: (more?: string) => string): Promise<void> {
  const first = namesake(target, 'probe');
  const second = namesake(target, 'probe');
  try {
    try {
      await (await open(first, 'wx', 0o600)).close();
    } catch (error) {
      throw refuse(`cannot create files in ${folder} (${reasonOf(error)})${virtualNote(error)}`, other(', in a folder you can write'));
    }
    try {
      await rename(first, second);
    } catch (error) {
      throw refuse(`files in ${folder} cannot be renamed (${reasonOf(error)}), and the file is written by renaming a temporary one`, other(', in a folder of an ordinary file system'));
    }
  } finally {
    await rm(first, { force: true }).catch(() => undefined);
    await rm(second, { force: true }).catch(() => undefined);
  }
}
