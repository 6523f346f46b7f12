/** Command-line words → a plain command object. Every mistake is an InputError naming the flag. */
import { parseArgs } from 'node:util';
import { InputError } from '@regsweep/core';
import { INSTANT_EXPECTED, parseInstant, refuseUserinfo } from '@regsweep/core/internal';
import { closest, FLAGS, flagsOf, parseArgsOptions, type CommandName } from './flags.js';
import { positiveInt, type CommonArgs } from './args-common.js';
import { hostCommand, hostCommandName, type HostCommand } from './host-args.js';

export type { CommonArgs } from './args-common.js';

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
  | ({ kind: 'explain'; targets: string[]; json: boolean } & PolicyArgs & CommonArgs)
  | HostCommand
  /** General help, or one command's. */
  | { kind: 'help'; command?: CommandName | 'demo' }
  | { kind: 'version' }
  | { kind: 'demo' };

const COMMAND_NAMES: readonly CommandName[] = ['cleanup', 'purge', 'explain', 'host cleanup', 'host purge'];
const isCommand = (word: string): word is CommandName => (COMMAND_NAMES as readonly string[]).includes(word);
const KUBE_FLAGS = ['without-kube', 'kubeconfig', 'kube-context', 'kube-namespace'];
const helpFix = (verb: CommandName): string => `run \`regsweep ${verb} --help\` for its flags`;

/** An unknown command, with the nearest one. */
function unknownCommand(verb: string): InputError {
  const near = closest(verb, [...COMMAND_NAMES, 'demo', 'help', 'version']);
  return new InputError(`unknown command ${JSON.stringify(verb)}${near ? `; did you mean ${near}?` : ''}`,
    'commands: cleanup, explain, purge, host cleanup, host purge, demo, help; or --version (`regsweep help` says what each does)');
}

/** Every `--name` word must be a flag of this command: unknown ones get the nearest flag, others the command. */
function checkFlagNames(verb: CommandName, words: readonly string[]): void {
  const own = flagsOf(verb).map((f) => f.name);
  for (const word of words) {
    if (word === '--') break;
    if (!word.startsWith('--')) continue;
    const name = word.slice(2).split('=')[0] ?? '';
    if (own.includes(name)) continue;
    const near = closest(name, own);
    const elsewhere = FLAGS.find((f) => f.name === name)?.commands;
    if (elsewhere && !near) throw new InputError(`${verb}: --${name} does not apply to this command (it is a flag of ${elsewhere.join(', ')})`, helpFix(verb));
    throw new InputError(`${verb}: unknown flag --${name}${near ? `; did you mean --${near}?` : ''}`, helpFix(verb));
  }
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
  // `host cleanup` and `host purge` are two words; the rest of the parsing treats them as one command.
  const [first, ...after] = argv;
  const hostVerb = first === 'host' ? hostCommandName(after[0]) : undefined;
  const verb = hostVerb ?? first;
  const rest = hostVerb ? after.slice(1) : after;
  if (verb === undefined || verb === '--help' || verb === '-h') return { kind: 'help' };
  if (verb === 'help') {
    const about = rest[0] === 'host' ? hostCommandName(rest[1]) : rest[0];
    if (about === undefined) return { kind: 'help' };
    if (about === 'demo') return { kind: 'help', command: 'demo' };
    if (!isCommand(about)) throw unknownCommand(about);
    return { kind: 'help', command: about };
  }
  if (verb === '--version' || verb === '-v' || verb === 'version') return { kind: 'version' };
  if (verb === 'demo' && rest.length === 0) return { kind: 'demo' };
  if (verb === 'demo' && rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')) return { kind: 'help', command: 'demo' };
  if (verb === 'demo') throw new InputError('demo takes no flags', 'run `regsweep demo`');
  if (!isCommand(verb)) throw unknownCommand(verb);
  if (rest.some((w) => w === '--help' || w === '-h')) return { kind: 'help', command: verb };
  refusePasswordValue(rest);
  checkFlagNames(verb, rest);
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    ({ values } = parseArgs({ args: [...rest], options: parseArgsOptions(), strict: true, allowPositionals: false }));
  } catch (err) {
    const message = err instanceof Error ? err.message.split('. To specify a positional')[0] ?? err.message : String(err);
    throw new InputError(`${verb}: ${message}`, helpFix(verb));
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
  if (verb === 'host cleanup' || verb === 'host purge') return hostCommand(verb, values, common);
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
    const targets = [...((values.tag as string[] | undefined) ?? []), ...((values.digest as string[] | undefined) ?? []).map(checkDigest)];
    if (targets.length === 0) throw new InputError('explain: name an image with --tag or --digest', 'pass the tag to explain, e.g. --tag main, or --digest 09e07f71b7f4');
    return { kind: 'explain', targets, json: values.json === true, ...common, ...policyArgs, dryRun: true };
  }
  const maxDeletions = positiveInt('max-deletions', values['max-deletions'] as string | undefined, undefined);
  return { kind: 'cleanup', ...common, ...policyArgs, ...(maxDeletions !== undefined ? { maxDeletions } : {}) };
}

/** A digest as explain takes it: `sha256:` and 64 hex digits, or 12 to 64 hex digits (what the summary shows). */
function checkDigest(value: string): string {
  if (/^(sha256:[0-9a-f]{64}|[0-9a-f]{12,64})$/.test(value)) return value;
  throw new InputError(`--digest ${JSON.stringify(value)} is not a digest`, 'pass sha256: and 64 hex digits, or the first 12 (or more) hex digits the summary shows');
}
