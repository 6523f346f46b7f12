/**
 * `mkdir -p` that always returns. Node's `mkdir(path, { recursive: true })` never settles when a
 * folder exists but answers ENOENT for a new child (procfs does: `/proc/x` spins forever; so does a
 * dangling symbolic link on the way), which would hang a run on a bad output path. Here each missing
 * folder is made once, from the top down, and any error is final.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** The `code` of a Node system error (ENOENT, EACCES, …), if it has one. */
export const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;

const systemError = (code: string, message: string): Error => Object.assign(new Error(`${code}: ${message}`), { code });

/** What is at `path` (links followed), undefined when nothing is; other errors are thrown. */
async function statOrNothing(path: string): Promise<Awaited<ReturnType<typeof stat>> | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Creates `folder` and its missing parents (`mode` for the new ones, before the umask). Rejects with
 * the system error (ENOTDIR when a file is in the way, EEXIST for a dangling link, ENOENT, EACCES,
 * EROFS, …) instead of looping.
 */
export async function makeFolders(folder: string, mode = 0o777): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    const found = await statOrNothing(dir);
    if (found !== undefined) {
      if (!found.isDirectory()) throw systemError('ENOTDIR', `not a directory, mkdir '${folder}'`);
      break;
    }
    if (dirname(dir) === dir) break;
    missing.push(dir);
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir, { mode });
    } catch (error) {
      // Made meanwhile by someone else: fine. Anything else (a dangling link answers EEXIST too) is final.
      if (codeOf(error) === 'EEXIST' && (await statOrNothing(dir).catch(() => undefined))?.isDirectory()) continue;
      throw error;
    }
  }
}
