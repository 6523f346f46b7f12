/**
 * The kubeconfig a scan uses, the way kubectl finds and merges it (platform-facts.md §4):
 * the files given (`--kubeconfig`, repeatable) or `$KUBECONFIG`'s (`a:b`), else `~/.kube/config`, else
 * the in-cluster service account. Several files merge as kubectl merges them: the first file that
 * names a cluster, user or context wins, and the first `current-context` set wins
 * (@kubernetes/client-node's own merge differs: the later file wins and duplicates throw).
 */
import { readFile, stat } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { InputError } from '@regsweep/core';

export interface KubeconfigLookup {
  /** Paths given explicitly (`--kubeconfig`); they must exist. */
  files?: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  /** Where a pod's service account is mounted (tests point it elsewhere). */
  serviceAccountDir?: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface FoundKubeconfig {
  config: KubeConfig;
  /** Where it came from, for the log: the files, or `in-cluster service account`. */
  source: string;
}

const exists = (path: string): Promise<boolean> => stat(path).then((s) => s.isFile(), () => false);

/** One kubeconfig's text into a KubeConfig, with the file named in the error. */
export function parseKubeconfig(text: string, label: string): KubeConfig {
  const config = new KubeConfig();
  try {
    config.loadFromString(text);
  } catch (err) {
    // Only the first line (what is wrong, and where): the YAML parser's excerpt of the text below it
    // could show a token of the kubeconfig, which is not known yet to be redacted.
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.trim() ?? '';
    throw new InputError(`${label}: not a kubeconfig: ${why}`, 'give a kubeconfig file (apiVersion: v1, kind: Config) or its content');
  }
  return config;
}

/** kubectl's merge: the first definition of each name wins, and the first current-context. */
export function mergeKubeconfigs(configs: readonly KubeConfig[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let current = '';
  for (const c of configs) {
    for (const x of c.clusters) if (!clusters.has(x.name)) clusters.set(x.name, x);
    for (const x of c.users) if (!users.has(x.name)) users.set(x.name, x);
    for (const x of c.contexts) if (!contexts.has(x.name)) contexts.set(x.name, x);
    if (current === '' && c.currentContext) current = c.currentContext;
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext: current });
  return merged;
}

async function fromFiles(paths: readonly string[], mustExist: boolean): Promise<FoundKubeconfig | undefined> {
  const configs: KubeConfig[] = [];
  const used: string[] = [];
  for (const path of paths) {
    if (!(await exists(path))) {
      if (mustExist) throw new InputError(`--kubeconfig ${path} does not exist`, 'give the path of a kubeconfig file');
      continue;
    }
    configs.push(parseKubeconfig(await readFile(path, 'utf8'), path));
    used.push(path);
  }
  return configs.length === 0 ? undefined : { config: mergeKubeconfigs(configs), source: used.join(':') };
}

/**
 * The pod's own service account as a one-context kubeconfig (`in-cluster`), built from the lookup's
 * environment (client-node's loadFromCluster reads process.env); the token file is re-read on every
 * request, so a rotated token keeps working.
 */
export function inClusterConfig(host: string, port: string, dir: string): KubeConfig {
  const name = 'in-cluster';
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name, server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`, caFile: join(dir, 'ca.crt'), skipTLSVerify: false }],
    users: [{ name, authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } }],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  return config;
}

/** The kubeconfig to scan with, or undefined when there is none at all (no file, not in a cluster). */
export async function findKubeconfig(o: KubeconfigLookup): Promise<FoundKubeconfig | undefined> {
  if (o.files && o.files.length > 0) return fromFiles(o.files, true);
  const listed = o.env['KUBECONFIG']?.split(':').filter((p) => p !== '') ?? [];
  if (listed.length > 0) return fromFiles(listed, false);
  const home = await fromFiles([join(o.homedir, '.kube', 'config')], false);
  if (home) return home;
  const dir = o.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = o.env['KUBERNETES_SERVICE_HOST'];
  if (host && (await exists(join(dir, 'token')))) return { config: inClusterConfig(host, o.env['KUBERNETES_SERVICE_PORT'] ?? '443', dir), source: 'in-cluster service account' };
  return undefined;
}

/**
 * A kubeconfig given as one value by a CI front end (the Action's `kubeconfig` input, the variable the
 * component's `kubeconfig-variable` names): its content, or the path of a file holding it (relative
 * to `baseDir`; GitLab's file-type variables hold a path).
 */
export async function kubeconfigFromValue(value: string, baseDir: string, label: string): Promise<FoundKubeconfig> {
  const text = value.trim();
  if (text.includes('\n') || /^(apiVersion|kind|clusters|contexts|users|current-context)\s*:/m.test(text) || text.startsWith('{')) {
    return { config: parseKubeconfig(text, label), source: label };
  }
  const path = isAbsolute(text) ? text : resolve(baseDir, text);
  if (!(await exists(path))) {
    throw new InputError(`${label}: ${path} does not exist, and the value is not a kubeconfig`, 'give the kubeconfig itself (its YAML) or the path of a file holding it');
  }
  return { config: parseKubeconfig(await readFile(path, 'utf8'), path), source: path };
}

const providerConfig = (u: KubeConfig['users'][number]): Record<string, unknown> => {
  const config: unknown = (u.authProvider as { config?: unknown } | undefined)?.config;
  return typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {};
};

/**
 * The credentials in a kubeconfig that must never reach a log: tokens, passwords, key data, and an
 * auth provider's tokens and secrets (`access-token`, `id-token`, `refresh-token`, `client-secret`).
 */
export function kubeconfigSecrets(config: KubeConfig): string[] {
  const out: string[] = [];
  for (const u of config.users) {
    for (const v of [u.token, u.password, u.keyData, u.certData]) if (typeof v === 'string' && v.length >= 4) out.push(v);
    for (const [key, v] of Object.entries(providerConfig(u))) {
      if (/token|secret|password/i.test(key) && !/file/i.test(key) && typeof v === 'string' && v.length >= 4) out.push(v);
    }
  }
  return out;
}

/**
 * The credentials a kubeconfig names by file, read now: the in-cluster service account's token (an
 * auth provider's `tokenFile`) and client keys (`keyFile`). A file that cannot be read is left out
 * (the scan then fails on it, naming the file).
 */
export async function kubeconfigFileSecrets(config: KubeConfig): Promise<string[]> {
  const files = config.users.flatMap((u) => [providerConfig(u)['tokenFile'], u.keyFile]).filter((f): f is string => typeof f === 'string' && f !== '');
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')));
  return texts.map((t) => t.trim()).filter((t) => t.length >= 4);
}
