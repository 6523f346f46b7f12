/** Command-line words → a plain command object. Every mistake is an InputError naming the flag. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '@regsweep/core';
import { INSTANT_EXPECTED, parseInstant, parseWholeNumber, refuseUserinfo, wholeNumberExpected } from '@regsweep/core/internal';

export const USAGE = `Usage:
  regsweep cleanup --registry REF [--registry REF …] [--git DIR] [--config FILE] [--dry-run] [--report FILE.json]
                   [--keep-list FILE] [--now RFC3339] [--concurrency N]
                   [--without-kube | [--kubeconfig FILE …] [--kube-context NAME …] [--kube-namespace NS …]]
                   [--max-deletions N] [--plain-http] [--username USER --password-stdin]
                   [--cache-dir DIR | --no-cache] [--quiet]
  regsweep purge   --registry REF --yes [--dry-run] [--report FILE.json]
  regsweep explain --registry REF [--registry REF …] --tag TAG [--tag TAG …] [--git DIR] [--config FILE] [--now RFC3339]
  regsweep demo      (a dry run, an explanation and a cleanup of a throwaway project and registry; needs git)
  regsweep help | --version

REF is oci:DIR (an OCI image layout directory) or HOST[:PORT]/NAME (a registry repository).
cleanup and explain without --registry clean the repositories listed under cleanup.repositories
in the policy file (primary, final and cache repositories, werf's storage layout).
Images a Kubernetes workload uses are kept: every context of the kubeconfig ($KUBECONFIG, else
~/.kube/config, else the in-cluster service account) is read, in all namespaces; a context that
cannot be read stops the run before anything is deleted.
Exit codes: 0 done, 1 a failure (see the report), 2 bad input (nothing was touched).`;

export interface CommonArgs {
  registries: string[];
  dryRun: boolean;
  report?: string;
  now?: Date;
  concurrency: number;
  plainHttp: boolean;
  quiet: boolean;
  /** `--username`; the password comes from standard input (`--password-stdin`). */
  username?: string;
  passwordStdin: boolean;
  /** `--cache-dir`; undefined = the default folder; null = `--no-cache`. */
  cacheDir?: string | null;
}

/** Where in-use images are read from: `--kubeconfig` files, `--kube-context`s, `--kube-namespace`s (empty: the defaults). */
export interface KubeArgs {
  kubeconfigs: string[];
  contexts: string[];
  namespaces: string[];
}

interface PolicyArgs {
  git: string;
  config?: string;
  keepList?: string;
  withoutKube: boolean;
  kube: KubeArgs;
}

export type Command =
  | ({ kind: 'cleanup'; maxDeletions?: number } & PolicyArgs & CommonArgs)
  | ({ kind: 'purge'; yes: boolean } & CommonArgs)
  | ({ kind: 'explain'; tags: string[] } & PolicyArgs & CommonArgs)
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'demo' };

const OPTIONS = {
  registry: { type: 'string', multiple: true },
  git: { type: 'string' },
  config: { type: 'string' },
  'dry-run': { type: 'boolean' },
  report: { type: 'string' },
  'keep-list': { type: 'string' },
  'without-kube': { type: 'boolean' },
  kubeconfig: { type: 'string', multiple: true },
  'kube-context': { type: 'string', multiple: true },
  'kube-namespace': { type: 'string', multiple: true },
  now: { type: 'string' },
  concurrency: { type: 'string' },
  'max-deletions': { type: 'string' },
  'plain-http': { type: 'boolean' },
  quiet: { type: 'boolean' },
  yes: { type: 'boolean' },
  username: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
  tag: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const REGISTRY_FLAGS = ['registry', 'plain-http', 'username', 'password-stdin', 'cache-dir', 'no-cache', 'concurrency', 'quiet', 'now'];
const KUBE_FLAGS = ['without-kube', 'kubeconfig', 'kube-context', 'kube-namespace'];
const ALLOWED: Record<string, readonly string[]> = {
  cleanup: [...REGISTRY_FLAGS, ...KUBE_FLAGS, 'git', 'config', 'dry-run', 'report', 'keep-list', 'max-deletions'],
  purge: [...REGISTRY_FLAGS, 'yes', 'dry-run', 'report'],
  explain: [...REGISTRY_FLAGS, ...KUBE_FLAGS, 'git', 'config', 'keep-list', 'tag'],
};

function positiveInt(flag: string, text: string | undefined, fallback: number | undefined): number | undefined {
  if (text === undefined) return fallback;
  const n = parseWholeNumber(text, 1);
  if (n === undefined) throw new InputError(`--${flag}: expected ${wholeNumberExpected(1)}, got ${JSON.stringify(text)}`);
  return n;
}

/** How to pass registry credentials instead of in a reference (the refusal's fix). */
export const CREDENTIALS_HINT = 'use --username USER with --password-stdin, REGSWEEP_REGISTRY_USERNAME and REGSWEEP_REGISTRY_PASSWORD, or docker login';

/** `--password-stdin VALUE` or `--password-stdin=VALUE`: refused without echoing the value (a password, most likely). */
function refusePasswordValue(words: readonly string[]): void {
  const valued = words.some((w, i) => w.startsWith('--password-stdin=') || (i > 0 && words[i - 1] === '--password-stdin' && !w.startsWith('-')));
  if (valued) {
    throw new InputError('--password-stdin reads the password from standard input and takes no value',
      'pipe the password or token in: echo "$TOKEN" | regsweep … --username USER --password-stdin');
  }
}

export function parseCommand(argv: readonly string[]): Command {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') return { kind: 'help' };
  if (verb === '--version' || verb === '-v' || verb === 'version') return { kind: 'version' };
  if (verb === 'demo' && rest.length === 0) return { kind: 'demo' };
  if (verb === 'demo') throw new InputError('demo takes no flags', 'run `regsweep demo`');
  if (!(verb in ALLOWED)) throw new InputError(`unknown command ${JSON.stringify(verb)}`, 'commands: cleanup, purge, explain, demo, help; or --version');
  refusePasswordValue(rest);
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: [...rest], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new InputError(`${verb}: ${err instanceof Error ? err.message : String(err)}`, `run \`regsweep help\` for the flags`);
  }
  if (values.help) return { kind: 'help' };
  for (const key of Object.keys(values)) {
    if (!(ALLOWED[verb] as readonly string[]).includes(key)) throw new InputError(`${verb}: --${key} does not apply to this command`, `run \`regsweep help\` for the flags`);
  }
  const registries = (values.registry as string[] | undefined) ?? [];
  for (const ref of registries) refuseUserinfo(ref, '--registry', CREDENTIALS_HINT);
  // cleanup and explain may take their repositories from the policy file instead (checked once it is read).
  if (registries.length === 0 && verb === 'purge') throw new InputError(`${verb}: --registry is required`, 'pass --registry oci:DIR for an image layout or --registry HOST[:PORT]/NAME for a registry repository');
  const twice = registries.find((ref, i) => registries.indexOf(ref) !== i);
  if (twice !== undefined) throw new InputError(`--registry ${JSON.stringify(twice)} is given twice`, 'name each repository once');
  let now: Date | undefined;
  if (typeof values.now === 'string') {
    now = parseInstant(values.now);
    if (now === undefined) throw new InputError(`--now: ${INSTANT_EXPECTED}, got ${JSON.stringify(values.now)}`);
  }
  const common: CommonArgs = {
    registries,
    dryRun: values['dry-run'] === true,
    ...(typeof values.report === 'string' ? { report: values.report } : {}),
    ...(now ? { now } : {}),
    concurrency: positiveInt('concurrency', values.concurrency as string | undefined, 8) as number,
    plainHttp: values['plain-http'] === true,
    quiet: values.quiet === true,
    ...(typeof values.username === 'string' ? { username: values.username } : {}),
    passwordStdin: values['password-stdin'] === true,
    ...(values['no-cache'] === true ? { cacheDir: null } : typeof values['cache-dir'] === 'string' ? { cacheDir: values['cache-dir'] } : {}),
  };
  if ((common.username !== undefined) !== common.passwordStdin) {
    throw new InputError('--username and --password-stdin go together', 'pipe the password or token in: echo "$TOKEN" | regsweep … --username USER --password-stdin');
  }
  if (values['no-cache'] === true && typeof values['cache-dir'] === 'string') throw new InputError('--cache-dir and --no-cache exclude each other');
  const list = (flag: string): string[] => ((values[flag] as string[] | undefined) ?? []).map((v) => v.trim()).filter((v) => v !== '');
  const kube: KubeArgs = { kubeconfigs: list('kubeconfig'), contexts: list('kube-context'), namespaces: list('kube-namespace') };
  const withoutKube = values['without-kube'] === true;
  const kubeFlag = KUBE_FLAGS.slice(1).find((f) => list(f).length > 0);
  if (withoutKube && kubeFlag !== undefined) {
    throw new InputError(`--without-kube and --${kubeFlag} exclude each other`, 'drop --without-kube to keep what the clusters run, or drop the Kubernetes flags');
  }
  const policyArgs: PolicyArgs = {
    git: typeof values.git === 'string' ? values.git : '.',
    ...(typeof values.config === 'string' ? { config: values.config } : {}),
    ...(typeof values['keep-list'] === 'string' ? { keepList: values['keep-list'] } : {}),
    withoutKube, kube,
  };
  if (verb === 'purge') {
    if (values.yes !== true && !common.dryRun) {
      throw new InputError('purge deletes every image of the repository and needs --yes to confirm', 'add --dry-run to see what it would delete, or --yes to do it');
    }
    return { kind: 'purge', yes: values.yes === true, ...common };
  }
  if (verb === 'explain') {
    const tags = (values.tag as string[] | undefined) ?? [];
    if (tags.length === 0) throw new InputError('explain: --tag is required', 'pass the tag to explain, e.g. --tag main');
    return { kind: 'explain', tags, ...common, ...policyArgs, dryRun: true };
  }
  const maxDeletions = positiveInt('max-deletions', values['max-deletions'] as string | undefined, undefined);
  return { kind: 'cleanup', ...common, ...policyArgs, ...(maxDeletions !== undefined ? { maxDeletions } : {}) };
}
