/**
 * Every flag of every command, once: what `parseArgs` (node:util) parses, which command takes it, and
 * what its `--help` line says (what, default, environment variable). `args.ts` parses from it and
 * `help.ts` renders from it, so a flag cannot be accepted without being described.
 */
export type CommandName = 'cleanup' | 'purge' | 'explain' | 'host cleanup' | 'host purge';

export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  multiple?: true;
  /** The value's placeholder in usage and help: `REF`, `DIR`. */
  value?: string;
  short?: string;
  help: string;
  default?: string;
  env?: string;
  commands: readonly CommandName[];
  /** Shown without brackets in the usage line of these commands. */
  requiredIn?: readonly CommandName[];
}

const REGISTRY: readonly CommandName[] = ['cleanup', 'purge', 'explain'];
const HOST: readonly CommandName[] = ['host cleanup', 'host purge'];
const ALL: readonly CommandName[] = [...REGISTRY, ...HOST];
const PLANNING: readonly CommandName[] = ['cleanup', 'explain'];

export const FLAGS: readonly FlagSpec[] = [
  { name: 'registry', type: 'string', multiple: true, value: 'REF', commands: ALL, requiredIn: ['purge'],
    help: 'a repository: oci:DIR (an OCI image layout) or HOST[:PORT]/NAME (a registry; the host commands take the name local images are tagged with); repeat for several',
    default: "the policy file's cleanup.repositories list" },
  { name: 'docker-host', type: 'string', value: 'URL', commands: HOST, help: 'the Docker Engine API: unix:///PATH or tcp://HOST:PORT', default: 'unix:///var/run/docker.sock', env: 'DOCKER_HOST' },
  { name: 'safety-window', type: 'string', value: 'DURATION', commands: ['host cleanup'], help: 'never remove an image built, tagged or pulled within it (e.g. 2h, 30m, 1d)', default: '2h' },
  { name: 'allowed-volume-usage', type: 'string', value: 'PERCENT', commands: ['host cleanup'], help: "above this use of the volume holding the engine's data, remove least recently used images", default: '70' },
  { name: 'allowed-volume-usage-margin', type: 'string', value: 'POINTS', commands: ['host cleanup'], help: 'remove until usage is this many points below --allowed-volume-usage', default: '5' },
  { name: 'remove-stopped-containers', type: 'boolean', commands: HOST, help: 'remove stopped containers of the images that go, with them (else such an image stays)' },
  { name: 'leftover-label', type: 'string', multiple: true, value: 'KEY[=VALUE]', commands: ['host cleanup'], help: "a label of the project's builds: dangling images with it are leftovers; repeatable" },
  { name: 'without-registry-sync', type: 'boolean', commands: ['host cleanup'], help: 'do not read the registries (no registry sync step)' },
  { name: 'git', type: 'string', value: 'DIR', commands: PLANNING, help: "the project's git clone, with full history", default: 'the current folder' },
  { name: 'config', type: 'string', value: 'FILE', commands: [...PLANNING, ...HOST], help: 'the policy file',
    default: "./.regsweep.yml, else ./werf.yaml's cleanup:, else the default policy" },
  { name: 'keep-list', type: 'string', value: 'FILE', commands: PLANNING, help: 'tag globs always kept, one per line (# comments)' },
  { name: 'tag', type: 'string', multiple: true, value: 'TAG', commands: ['explain'], help: 'a tag to explain; repeat for several (--tag or --digest is needed)' },
  { name: 'digest', type: 'string', multiple: true, value: 'DIGEST', commands: ['explain'], help: 'an image to explain by digest: sha256:…, or the 12+ hex digits the summary shows; repeatable' },
  { name: 'json', type: 'boolean', commands: ['explain'], help: 'print the explanations as JSON: every rule, rank and nearest miss as data' },
  { name: 'dry-run', type: 'boolean', commands: ['cleanup', 'purge', ...HOST], help: 'plan and report what the run would do; write nothing anywhere' },
  { name: 'yes', type: 'boolean', commands: ['purge', 'host purge'], requiredIn: ['purge', 'host purge'], help: 'confirm that every image of the repository goes (a --dry-run needs none)' },
  { name: 'max-deletions', type: 'string', value: 'N', commands: ['cleanup', 'host cleanup'], help: 'stop after N deletions in all; the rest is left for the next run (a dry run previews that too)', default: 'no limit' },
  { name: 'report', type: 'string', value: 'FILE.json', commands: ['cleanup', 'purge', ...HOST], help: 'write the JSON report there (atomically, also when the run fails; checked before anything is read)' },
  { name: 'now', type: 'string', value: 'RFC3339', commands: ALL, help: 'evaluate the policy at this time', default: 'now' },
  { name: 'kubeconfig', type: 'string', multiple: true, value: 'FILE', commands: PLANNING, help: 'read the images in use from this kubeconfig; repeatable, merged as kubectl merges',
    default: '~/.kube/config, else the in-cluster service account', env: 'KUBECONFIG' },
  { name: 'kube-context', type: 'string', multiple: true, value: 'NAME', commands: PLANNING, help: 'read only these contexts; repeatable', default: 'every context' },
  { name: 'kube-namespace', type: 'string', multiple: true, value: 'NS', commands: PLANNING, help: 'read only these namespaces; repeatable', default: 'all namespaces' },
  { name: 'without-kube', type: 'boolean', commands: PLANNING, help: 'read no cluster: in-use protection is off (excludes the three flags above)' },
  { name: 'username', type: 'string', value: 'USER', commands: ALL, help: 'registry user, with --password-stdin',
    env: 'REGSWEEP_REGISTRY_USERNAME' },
  { name: 'password-stdin', type: 'boolean', commands: ALL, help: 'read the registry password or token from standard input (with --username)',
    env: 'REGSWEEP_REGISTRY_PASSWORD' },
  { name: 'plain-http', type: 'boolean', commands: ALL, help: 'talk plain HTTP to the registry', default: 'only for localhost and 127.0.0.0/8' },
  { name: 'cache-dir', type: 'string', value: 'DIR', commands: REGISTRY, help: 'cache manifests and configs by digest there (a dry run only reads it)',
    default: '$XDG_CACHE_HOME/regsweep, else ~/.cache/regsweep', env: 'XDG_CACHE_HOME' },
  { name: 'no-cache', type: 'boolean', commands: REGISTRY, help: 'use no digest cache' },
  { name: 'concurrency', type: 'string', value: 'N', commands: ALL, help: 'reads and deletes in flight per repository', default: '8' },
  { name: 'quiet', type: 'boolean', commands: ALL, help: 'no progress lines on stderr' },
  { name: 'help', type: 'boolean', short: 'h', commands: ALL, help: "this command's help" },
];

export const COMMAND_SUMMARIES: Readonly<Record<CommandName | 'demo' | 'help', string>> = {
  cleanup: 'delete the images no policy keeps (by git history, tags, age, what clusters run)',
  explain: 'say why the images with these tags are kept or would be deleted; change nothing',
  purge: 'delete every image of a repository',
  'host cleanup': 'remove stale local images: registry sync, build leftovers, disk threshold',
  'host purge': 'remove every local image of the repositories from this Docker Engine',
  demo: 'a dry run, an explanation and a cleanup of a demo project and registry (needs git)',
  help: 'this text; `regsweep COMMAND --help` for a command\'s flags',
};

export const flagsOf = (command: CommandName): FlagSpec[] => FLAGS.filter((f) => f.commands.includes(command));

/** The option table `parseArgs` takes. */
export function parseArgsOptions(): Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> {
  return Object.fromEntries(FLAGS.map((f) => [f.name, { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) }]));
}

/** Edit distance, for did-you-mean (short words only: flags and commands). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** The candidate closest to `word` when it is close enough to be a typo (or `word` starts it), else undefined. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = name.startsWith(word) && word.length >= 3 ? 0.5 : distance(word, name);
    if (best === undefined || d < best.d) best = { name, d };
  }
  return best !== undefined && best.d <= Math.max(1, Math.min(3, Math.floor(word.length / 3))) ? best.name : undefined;
}
