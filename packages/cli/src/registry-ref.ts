/** `--registry` values → Registry adapters, with credentials and the digest cache. */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { InputError, type Registry } from '@regsweep/core';
import { REGISTRY_REPOSITORY_PATTERN, refuseUserinfo } from '@regsweep/core/internal';
import { openOciLayout } from '@regsweep/oci-layout';
import {
  DigestCache, defaultCacheDir, openOciRegistry, readTextFileIfExists, resolveCredentials, spawnHelper, withDigestCache,
} from '@regsweep/oci-registry';

export interface OpenRegistryOptions {
  /** Where the ref came from, for messages: `--registry` (the default) or `FILE: cleanup.repositories[0].ref`. */
  what?: string;
  /** `--plain-http`: http:// for HOST[:PORT]/NAME (localhost and 127.0.0.1 always use it). */
  plainHttp?: boolean;
  /** Manifest HEADs in flight while listing a registry repository (default 8). */
  concurrency?: number;
  /** Where REGSWEEP_REGISTRY_USERNAME / _PASSWORD, DOCKER_CONFIG and XDG_CACHE_HOME are read (none: anonymous). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Every HOST[:PORT] of the run's registry repositories: explicit credentials go to one host only. */
  runHosts?: readonly string[];
  /** `--username` with the password read from standard input. */
  username?: string;
  password?: string;
  /** The digest cache folder; undefined = the default; null = no cache. */
  cacheDir?: string | null;
  /** A dry run reads the cache but writes nothing to it. */
  dryRun?: boolean;
  /** Where to say which credentials were used (never the secret). */
  note?: (message: string) => void;
  /** Told every secret learnt while opening and using the registry (a password, a helper's secret, Bearer tokens), for redaction. */
  onSecret?: (secret: string) => void;
  /**
   * First wait before retrying a failed registry request (doubles per attempt; default 500 ms). When
   * absent, the hidden environment variable REGSWEEP_REGISTRY_RETRY_BACKOFF_MS (whole milliseconds)
   * sets it: the CLI's tests and benches use it so fault-injection runs do not sleep for seconds.
   */
  retryBackoffMs?: number;
}

/** Hidden, for tests and benches: the first retry backoff of registry requests, in ms (see above). */
export const RETRY_BACKOFF_ENV = 'REGSWEEP_REGISTRY_RETRY_BACKOFF_MS';

function retryBackoff(options: OpenRegistryOptions, env: Readonly<Record<string, string | undefined>>): number | undefined {
  if (options.retryBackoffMs !== undefined) return options.retryBackoffMs;
  const text = env[RETRY_BACKOFF_ENV];
  if (text === undefined || text === '') return undefined;
  if (!/^[0-9]{1,6}$/.test(text)) throw new InputError(`${RETRY_BACKOFF_ENV}: expected whole milliseconds (0-999999), got ${JSON.stringify(text)}`);
  return Number(text);
}

const HOST_NAME = new RegExp(REGISTRY_REPOSITORY_PATTERN);

const CREDENTIALS_HINT = 'pass --username USER --password-stdin, set REGSWEEP_REGISTRY_USERNAME and REGSWEEP_REGISTRY_PASSWORD, or log in with docker login';
const NO_USERINFO_HINT = `write HOST[:PORT]/NAME and ${CREDENTIALS_HINT}`;

/** HOST[:PORT] of every registry repository among `refs` (layouts have none). */
export function registryHosts(refs: readonly string[]): string[] {
  return refs.filter((ref) => !ref.startsWith('oci:') && ref.includes('/')).map((ref) => ref.slice(0, ref.indexOf('/')));
}

export async function openRegistry(ref: string, cwd: string, options: OpenRegistryOptions = {}): Promise<Registry> {
  const what = options.what ?? '--registry';
  if (ref.startsWith('oci:')) {
    const dir = ref.slice(4);
    if (dir === '') throw new InputError(`${what} oci: needs a directory, e.g. oci:./layout`);
    try {
      return await openOciLayout(resolve(cwd, dir));
    } catch (err) {
      // A ref from the policy file: say which entry it is.
      if (what !== '--registry' && err instanceof InputError) throw new InputError(`${what}: ${err.message}`, err.hint);
      throw err;
    }
  }
  // Checked before the ref is printed anywhere (the policy file's and --registry's are checked when read too).
  refuseUserinfo(ref, what, NO_USERINFO_HINT);
  if (!HOST_NAME.test(ref)) {
    throw new InputError(`${what} ${JSON.stringify(ref)}: expected oci:DIR or HOST[:PORT]/NAME`);
  }
  const env = options.env ?? {};
  const host = ref.slice(0, ref.indexOf('/'));
  const credentials = await resolveCredentials({
    registryHost: host, env, homedir: homedir(), readFile: readTextFileIfExists, runHelper: spawnHelper(),
    ...(options.runHosts ? { runHosts: options.runHosts } : {}),
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
  });
  if (credentials) options.onSecret?.(credentials.password);
  const backoffMs = retryBackoff(options, env);
  if (credentials) options.note?.(`${host}: using credentials of ${credentials.username === '<token>' ? 'an identity token' : credentials.username} from ${credentials.source}`);
  const registry = await openOciRegistry(ref, {
    ...(options.plainHttp ? { plainHttp: true } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(credentials ? { credentials: { username: credentials.username, password: credentials.password } } : {}),
    ...(backoffMs !== undefined ? { backoffMs } : {}),
    credentialsHint: CREDENTIALS_HINT,
    onListingRetry: (why) => options.note?.(`${ref}: the tag list changed while it was read (${why}); reading it again`),
    ...(options.onSecret ? { onSecret: options.onSecret } : {}),
  });
  if (options.cacheDir === null) return registry;
  const dir = options.cacheDir !== undefined ? resolve(cwd, options.cacheDir) : defaultCacheDir(env, homedir());
  return withDigestCache(registry, new DigestCache(dir), { readOnly: options.dryRun === true });
}
