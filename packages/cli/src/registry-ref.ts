/** `--registry` values → Registry adapters. */
import { resolve } from 'node:path';
import { InputError, type Registry } from '@regsweep/core';
import { openOciLayout } from '@regsweep/oci-layout';
import { openOciRegistry, type Credentials } from '@regsweep/oci-registry';

export interface OpenRegistryOptions {
  /** `--plain-http`: http:// for HOST[:PORT]/NAME (localhost and 127.0.0.1 always use it). */
  plainHttp?: boolean;
  /** Manifest HEADs in flight while listing a registry repository (default 8). */
  concurrency?: number;
  /** Where REGSWEEP_REGISTRY_USERNAME / REGSWEEP_REGISTRY_PASSWORD are read (none: anonymous). */
  env?: Readonly<Record<string, string | undefined>>;
}

const CREDENTIALS_HINT = 'set REGSWEEP_REGISTRY_USERNAME and REGSWEEP_REGISTRY_PASSWORD to a user and a password or token with pull and delete rights';

/** Registry credentials from the environment: both variables or neither. */
export function registryCredentials(env: Readonly<Record<string, string | undefined>>): Credentials | undefined {
  const username = env['REGSWEEP_REGISTRY_USERNAME'];
  const password = env['REGSWEEP_REGISTRY_PASSWORD'];
  if ((username ?? '') === '' && (password ?? '') === '') return undefined;
  if ((username ?? '') === '' || (password ?? '') === '') {
    throw new InputError('REGSWEEP_REGISTRY_USERNAME and REGSWEEP_REGISTRY_PASSWORD must be set together', CREDENTIALS_HINT);
  }
  return { username: username as string, password: password as string };
}

export async function openRegistry(ref: string, cwd: string, options: OpenRegistryOptions = {}): Promise<Registry> {
  if (ref.startsWith('oci:')) {
    const dir = ref.slice(4);
    if (dir === '') throw new InputError('--registry oci: needs a directory, e.g. oci:./layout');
    return openOciLayout(resolve(cwd, dir));
  }
  if (/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+$/i.test(ref)) {
    const credentials = registryCredentials(options.env ?? {});
    return openOciRegistry(ref, {
      ...(options.plainHttp ? { plainHttp: true } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(credentials ? { credentials } : {}),
      credentialsHint: CREDENTIALS_HINT,
    });
  }
  throw new InputError(`--registry ${JSON.stringify(ref)}: expected oci:DIR or HOST[:PORT]/NAME`);
}
