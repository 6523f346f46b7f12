/**
 * Writing an output file (a report, a dotenv file) so that a reader sees the old file or the whole new
 * one, never half of it, and so that nothing planted in the folder can redirect the write:
 * the text goes into a temporary file beside the target, created exclusively (`O_CREAT|O_EXCL`, so an
 * existing file or symbolic link of that name makes it fail instead of being followed) under an
 * unguessable name, flushed to disk, then renamed over the target. `rename` replaces a symbolic link
 * at the target itself: the file the link pointed at is never opened.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { makeFolders } from './folders.js';

/**
 * A fresh name beside `path` (the same folder, so a rename onto `path` stays on one file system):
 * `.<name>.<24 random hex>.<kind>`. The name is shortened so the result fits in 255 bytes.
 */
export function namesake(path: string, kind: 'tmp' | 'probe'): string {
  return join(dirname(path), `.${basename(path).slice(0, 120)}.${randomBytes(12).toString('hex')}.${kind}`);
}

export interface WriteAtomicOptions {
  /** Permission bits of the new file before the umask (default 0o644: a report others may read). */
  mode?: number;
}

/**
 * Writes `text` to `path` atomically (see the file comment). The folder is created when missing. On
 * failure the temporary file is removed and the target is left as it was.
 */
export async function writeAtomic(path: string, text: string | Uint8Array, options: WriteAtomicOptions = {}): Promise<void> {
  const folder = dirname(path);
  await makeFolders(folder);
  const temp = namesake(path, 'tmp');
  const handle = await open(temp, 'wx', options.mode ?? 0o644);
  try {
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncFolder(folder);
}

/** Flushes the folder's entry list, so the rename survives a crash; not every platform allows it. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a folder, and some file systems refuse fsync on one: the write itself is done.
  }
}
