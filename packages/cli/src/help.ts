/**
 * `regsweep help` and `regsweep COMMAND --help`, rendered from the flag table (flags.ts): the usage
 * line exact per command (required flags bare, optional ones in brackets), then one line per flag with
 * what it does, its default and its environment variable.
 */
import { COMMAND_SUMMARIES, flagsOf, type CommandName, type FlagSpec } from './flags.js';

const COMMANDS: readonly CommandName[] = ['cleanup', 'explain', 'purge', 'host cleanup', 'host purge'];

const EXIT_CODES = 'Exit codes: 0 done, 1 a failure (see the report), 2 bad input (nothing was touched).';

const NOTES: Readonly<Record<CommandName, string[]>> = {
  cleanup: [
    "Without --registry, the policy file's cleanup.repositories list is cleaned (werf's primary,",
    'final and cache repositories). Images a Kubernetes workload uses are kept: every context of the',
    'kubeconfig is read, in all namespaces; a context that cannot be read stops the run before',
    'anything is deleted.',
  ],
  explain: ['Plans as cleanup does, with the same flags for the policy, the history and the clusters,', 'and deletes nothing.'],
  purge: ['Deletes every image of the repository: no policy, no history, no cluster is read.'],
  'host cleanup': [
    "Cleans this host's Docker Engine (DOCKER_HOST), only images of the repositories named: first",
    'those the registry no longer has (neither a digest nor a tag), then dangling leftovers of their',
    'builds, then, above --allowed-volume-usage, the least recently used until usage is the margin',
    'below it. Never an image a container uses, one within the safety window, or one of another',
    'repository; each image is read again right before it goes and left alone if it changed.',
    'docs/host-cleanup.md says it all.',
  ],
  'host purge': ['Removes every local image of the repositories named (no registry, no threshold, no safety window);', 'never an image a container uses, unless --remove-stopped-containers and the container is stopped.'],
};

function flagWords(f: FlagSpec): string {
  return `--${f.name}${f.value ? ` ${f.value}` : ''}`;
}

/** `regsweep cleanup [--registry REF …] [--git DIR] …`: bare when required, `…` when repeatable. */
export function usageLine(command: CommandName): string {
  const parts = flagsOf(command).filter((f) => f.name !== 'help').map((f) => {
    const words = `${flagWords(f)}${f.multiple ? ' …' : ''}`;
    return f.requiredIn?.includes(command) ? words : `[${words}]`;
  });
  const lines: string[] = [];
  let line = `regsweep ${command}`;
  for (const part of parts) {
    if (line.length + part.length + 1 > 96) {
      lines.push(line);
      line = ' '.repeat(`regsweep ${command}`.length);
    }
    line += ` ${part}`;
  }
  lines.push(line);
  return lines.join('\n');
}

const WIDTH = 100;
const COLUMN = 28;

/** Words wrapped to WIDTH, every line after the first indented to COLUMN. */
function wrap(first: string, text: string): string {
  const lines: string[] = [];
  let line = first.padEnd(COLUMN);
  for (const word of text.split(' ')) {
    if (line.trim() !== first.trim() && line.length + word.length + 1 > WIDTH) {
      lines.push(line.trimEnd());
      line = ' '.repeat(COLUMN);
    }
    line += line.endsWith(' ') ? word : ` ${word}`;
  }
  lines.push(line);
  return lines.join('\n');
}

function flagLine(f: FlagSpec, command: CommandName): string {
  const required = f.requiredIn?.includes(command) ?? false;
  const extra = [required ? 'required' : f.default ? `default: ${f.default}` : '', f.env ? `env: ${f.env}` : ''].filter((x) => x !== '').join('; ');
  const words = `  ${f.short ? `-${f.short}, ` : ''}${flagWords(f)}`;
  return wrap(words, `${f.help}${extra ? ` (${extra})` : ''}`);
}

export function commandHelp(command: CommandName): string {
  return [
    `regsweep ${command}: ${COMMAND_SUMMARIES[command]}`, '', `Usage:\n  ${usageLine(command).replace(/\n/g, '\n  ')}`, '',
    'Flags:', ...flagsOf(command).map((f) => flagLine(f, command)), '', ...NOTES[command], '',
    ...(command.startsWith('host') ? [] : ['REF is oci:DIR (an OCI image layout) or HOST[:PORT]/NAME (a registry repository).']), EXIT_CODES,
  ].join('\n');
}

export function demoHelp(): string {
  return [
    `regsweep demo: ${COMMAND_SUMMARIES.demo}`, '', 'Usage:\n  regsweep demo', '',
    'No flags. It builds a git project (branches, a deleted branch, a release tag) and an OCI image layout in a',
    'temporary folder, then runs cleanup --dry-run, explain and cleanup on them with the default policy.',
  ].join('\n');
}

export function generalHelp(): string {
  const names = [...COMMANDS, 'demo', 'help'] as const;
  return [
    'regsweep: git-aware container registry cleanup', '', 'Usage: regsweep COMMAND [flags]   (regsweep COMMAND --help for its flags)', '',
    'Commands:', ...names.map((n) => `  ${n.padEnd(13)}${COMMAND_SUMMARIES[n]}`), '',
    '  --version  print the version', '', EXIT_CODES,
  ].join('\n');
}
