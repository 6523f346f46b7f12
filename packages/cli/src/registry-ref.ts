/** `--registry` values → Registry adapters, with credentials and the digest cache. */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { InputError, type Registry } from '@regsweep/core';
import { openOciLayout } from '@regsweep/oci-layout';
import {
  DigestCache, defaultCacheDir, openOciRegistry, readTextFileIfExists, resolveCredentials, spawnHelper, withDigestCache,
} from '@regsweep/oci-registry';

export interface OpenRegistryOptions {
  /** `--plain-http`: http:// for HOST[:PORT]/NAME (localhost and 127.0.0.1 always use it). */
  plainHttp?: boolean;
  /** Manifest HEADs in flight while listing a registry repository (default 8). */
  concurrency?: number;
  /** Where REGSWEEP_REGISTRY_USERNAME / _PASSWORD, DOCKER_CONFIG and XDG_CACHE_HOME are read (none: anonymous). */
  env?: Readonly<Record<string, string | undefined>>;
  /** `--username` with the password read from standard input. */
  username?: string;
  password?: string;
  /** The digest cache folder; undefined = the default; null = no cache. */
  cacheDir?: string | null;
  /** A dry run reads the cache but writes nothing to it. */
  dryRun?: boolean;
  /** Where to say which credentials were used (never the secret). */
  note?: (message: string) => void;
}

const CREDENTIALS_HINT = 'pass --username USER --password-stdin, set REGSWEEP_REGISTRY_USERNAME and REGSWEEP_REGISTRY_PASSWORD, or log in with docker login';

export async function openRegistry(ref: string, cwd: string, options: OpenRegistryOptions = {}): Promise<Registry> {
  if (ref.startsWith('oci:')) {
    const dir = ref.slice(4);
    if (dir === '') throw new InputError('--registry oci: needs a directory, e.g. oci:./layout');
    return openOciLayout(resolve(cwd, dir));
  }
  if (!/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+$/i.test(ref)) {
    throw new InputError(`--registry ${JSON.stringify(ref)}: expected oci:DIR or HOST[:PORT]/NAME`);
  }
  const env = options.env ?? {};
  const host = ref.slice(0, ref.indexOf('/'));
  const credentials = await resolveCredentials({
    registryHost: host, env, homedir: homedir(), readFile: readTextFileIfExists, runHelper: spawnHelper(),
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
  });
  if (credentials) options.note?.(`${host}: using credentials of ${credentials.username === '<token>' ? 'an identity token' : credentials.username} from ${credentials.source}`);
  const registry = await openOciRegistry(ref, {
    ...(options.plainHttp ? { plainHttp: true } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(credentials ? { credentials: { username: credentials.username, password: credentials.password } } : {}),
    credentialsHint: CREDENTIALS_HINT,
  });
  if (options.cacheDir === null) return registry;
  const dir = options.cacheDir !== undefined ? resolve(cwd, options.cacheDir) : defaultCacheDir(env, homedir());
  return withDigestCache(registry, new DigestCache(dir), { readOnly: options.dryRun === true });
}
