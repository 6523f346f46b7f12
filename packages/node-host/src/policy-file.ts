/**
 * Finds and reads the policy for every front end: the file a front end names (--config, the Action's
 * `config` input, REGSWEEP_CONFIG), else ./.regsweep.yml, else the cleanup: section of ./werf.yaml,
 * else the default policy; plus an optional keep-list file. What the text means is core's
 * (`policyFromText`, `parseKeepListText`); this file only reads.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defaultCleanupPolicy, InputError, policyFromText, type LoadedPolicy } from '@regsweep/core';
import { parseKeepListText } from '@regsweep/core/internal';

export interface PolicyLookup {
  config?: string;
  keepList?: string;
  cwd: string;
  /** How a front end names `config` in the message about a missing file (default `--config`), and the fix. */
  missingConfig?: { name: string; hint: string };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

export async function loadPolicy(options: PolicyLookup): Promise<LoadedPolicy> {
  let loaded: Omit<LoadedPolicy, 'keepTags'> | undefined;
  if (options.config !== undefined) {
    const path = resolve(options.cwd, options.config);
    const text = await readText(path);
    if (text === undefined) {
      const { name, hint } = options.missingConfig ?? { name: '--config', hint: 'pass the path of a YAML file with a cleanup: section' };
      throw new InputError(`${name}: ${path} does not exist`, hint);
    }
    loaded = policyFromText(text, options.config);
  } else {
    for (const name of ['.regsweep.yml', 'werf.yaml']) {
      const text = await readText(resolve(options.cwd, name));
      if (text === undefined) continue;
      loaded = policyFromText(text, name);
      break;
    }
  }
  loaded ??= { policy: defaultCleanupPolicy(), source: 'default', warnings: [], note: 'no .regsweep.yml or werf.yaml, so the default policy applies' };
  const keepTags = [...loaded.policy.keepTags];
  if (options.keepList !== undefined) {
    const path = resolve(options.cwd, options.keepList);
    const text = await readText(path);
    if (text === undefined) throw new InputError(`--keep-list: ${path} does not exist`, 'pass a file with one tag glob per line');
    keepTags.push(...parseKeepListText(text, options.keepList));
  }
  return { policy: loaded.policy, source: loaded.source, warnings: loaded.warnings, keepTags, ...(loaded.note !== undefined ? { note: loaded.note } : {}) };
}
