/**
 * Help like a well-kept CLI: `regsweep COMMAND --help` lists every flag the command accepts (one line
 * each, with what it does, its default and its environment variable), the usage line is exact per
 * command, `--version` prints the version, unknown flags and commands get the nearest one; and an
 * error is printed once, on stderr, with the summary saying in one line that the run failed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VERSION } from '@regsweep/core';
import { commandHelp, demoHelp, FLAGS, flagsOf, generalHelp, parseCommand, usageLine, type CommandName } from '../src/index.js';
import { runCli } from './support/cli.js';

const COMMANDS: CommandName[] = ['cleanup', 'explain', 'purge', 'host cleanup', 'host purge'];
const cwd = mkdtempSync(join(tmpdir(), 'regsweep-help-'));

/** A value parseCommand accepts for the flag (booleans take none). */
const sample = (name: string): string[] => {
  const f = FLAGS.find((x) => x.name === name);
  if (f?.type === 'boolean') return [`--${name}`];
  const values: Record<string, string> = { now: '2026-01-01T00:00:00Z', concurrency: '2', 'max-deletions': '3', registry: 'oci:x' };
  return [`--${name}`, values[name] ?? 'v'];
};

test('every flag a command accepts is in its --help, with its description; no other flag is accepted', () => {
  for (const command of COMMANDS) {
    const help = commandHelp(command);
    for (const f of flagsOf(command)) {
      assert.match(help, new RegExp(`\\n  (-h, )?--${f.name}\\b`), `${command} --help lists --${f.name}`);
      assert.ok(help.replace(/\s+/g, ' ').includes(f.help.replace(/\s+/g, ' ')), `${command} --help describes --${f.name}`);
      if (f.env) assert.ok(help.replace(/\s+/g, ' ').includes(`env: ${f.env}`), `--${f.name} names ${f.env}`);
    }
    for (const f of FLAGS) {
      if (f.name === 'help' || f.name === 'password-stdin' || f.name === 'username') continue; // those two go together
      const accepted = (() => {
        try {
          parseCommand([...command.split(' '), ...(command.endsWith('purge') ? ['--registry', 'oci:x', '--yes'] : []), ...(command === 'explain' ? ['--tag', 't'] : []), ...sample(f.name)]);
          return true;
        } catch (error) {
          return !/unknown flag|does not apply/.test(String(error));
        }
      })();
      assert.is(accepted, f.commands.includes(command), `${command} ${accepted ? 'accepts' : 'refuses'} --${f.name}`);
    }
  }
});

test('the usage line is exact per command: required flags bare, repeatable ones with …', () => {
  assert.match(usageLine('purge'), /^regsweep purge --registry REF … \[--dry-run\] --yes /);
  assert.match(usageLine('explain'), /^regsweep explain \[--registry REF …\] .*--tag TAG …/s);
  assert.match(usageLine('cleanup'), /^regsweep cleanup \[--registry REF …\] /);
  assert.not.match(usageLine('cleanup'), /--tag|--yes/);
  for (const command of COMMANDS) assert.ok(commandHelp(command).split('\n').every((line) => line.length <= 100), `${command} --help fits 100 columns`);
  for (const command of COMMANDS) assert.match(generalHelp(), new RegExp(`\\n  ${command} +\\S`));
});

test('--help, help COMMAND and --version, as a user types them', () => {
  const help = runCli(['cleanup', '--help'], cwd);
  assert.is(help.code, 0);
  assert.is(help.stdout, `${commandHelp('cleanup')}\n`);
  assert.is(runCli(['help', 'purge'], cwd).stdout, `${commandHelp('purge')}\n`);
  assert.is(runCli(['explain', '--tag', 'x', '-h'], cwd).stdout, `${commandHelp('explain')}\n`);
  assert.is(runCli(['--help'], cwd).stdout, `${generalHelp()}\n`);
  for (const words of [['--version'], ['-v'], ['version']]) assert.is(runCli(words, cwd).stdout, `${VERSION}\n`);
  assert.is(runCli(['demo', '--help'], cwd).stdout, `${demoHelp()}\n`);
  assert.is(runCli(['help', 'demo'], cwd).stdout, `${demoHelp()}\n`);
});

test('did you mean: a mistyped flag or command gets the nearest one; the error is printed once, with no usage dump', () => {
  const typo = runCli(['cleanup', '--dryrun'], cwd);
  assert.is(typo.code, 2);
  assert.is(typo.stdout, '');
  assert.is(typo.stderr, 'regsweep: cleanup: unknown flag --dryrun; did you mean --dry-run?\n  fix: run `regsweep cleanup --help` for its flags\n');
  const command = runCli(['clenaup'], cwd);
  assert.match(command.stderr, /^regsweep: unknown command "clenaup"; did you mean cleanup\?\n/);
  assert.is(command.stderr.split('\n').filter((l) => l !== '').length, 2, 'one error and its fix');
  assert.match(runCli(['purge', '--registry', 'oci:x', '--yes', '--tag', 'a'], cwd).stderr, /--tag does not apply to this command \(it is a flag of explain\)/);
});

test('a run that fails: the error once on stderr, one line in the summary on stdout', () => {
  const missing = join(cwd, 'no-such-layout');
  const r = runCli(['cleanup', '--registry', `oci:${missing}`, '--git', cwd, '--without-kube', '--quiet'], cwd);
  assert.is(r.code, 2, r.stderr);
  const all = `${r.stdout}\n${r.stderr}`;
  const first = (r.stderr.split('\n')[0] ?? '').replace(/^regsweep: /, '');
  assert.ok(first.length > 10, r.stderr);
  assert.is(all.split(first).length - 1, 1, `the error appears once:\n${all}`);
  assert.match(r.stdout, /\nfailed: the run stopped with an error \(exit 2: bad input, nothing was touched\); the error message says what to fix\n$/);
  assert.is(r.stdout.split('\n').filter((l) => l.startsWith('failed:')).length, 1);
});

test.run();
