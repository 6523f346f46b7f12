/**
 * What the bundled Action's end-to-end tests share: every input as a workflow passes it, the report
 * the run wrote, the masking check, the log's annotations and a scenario that starts a fake GitHub
 * and runner folders and checks every answer against GitHub's OpenAPI description.
 */
import { readFile } from 'node:fs/promises';
import * as assert from 'uvu/assert';
import type { Report } from '@regsweep/core';
import { oidOf } from '@regsweep/test-kit/fake-graphql';
import { removeDirs, runnerDirs, type ActionRun, type RunnerDirs } from './runner.js';
import { TOKEN, type World } from './world.js';

export const sha = (label: string): string => `sha-${oidOf(label).slice(0, 7)}`;
export const sorted = (list: string[]): string[] => [...list].sort();

/** Every input of action.yml, as a workflow with the defaults filled in passes them. */
export function inputsFor(world: { url: string }, change: Record<string, string> = {}): Record<string, string> {
  return {
    token: TOKEN, owner: 'acme', packages: 'app', repository: 'acme/app', config: '', 'dry-run': 'false',
    'api-url': world.url, 'registry-url': world.url, kubeconfig: '', 'max-deletions': '', 'pull-requests': 'true', 'cache-dir': '', cache: 'true',
    'host-cleanup': 'false', 'docker-host': '', 'host-safety-window': '',
    ...change,
  };
}

export async function report(run: ActionRun): Promise<Report> {
  return JSON.parse(await readFile(run.outputs['report'] ?? '', 'utf8')) as Report;
}

/** The token is masked first thing and appears nowhere else: log, summary, outputs, report. */
export async function checkMasked(run: ActionRun, token = TOKEN): Promise<void> {
  assert.is(run.stdout.split('\n')[0], `::add-mask::${token}`, 'the first thing printed masks the token');
  const rest = [run.stdout.split('\n').slice(1).join('\n'), run.stderr, run.summary, JSON.stringify(run.outputs)];
  if (run.outputs['report']) rest.push(await readFile(run.outputs['report'], 'utf8'));
  assert.ok(rest.every((text) => !text.includes(token)), 'the token is never printed');
}

export const writes = (world: World) => world.requests.filter((r) => r.method !== 'GET' && !(r.method === 'POST' && r.url === '/graphql'));
export const annotations = (run: ActionRun, kind: 'error' | 'warning' | 'notice'): string[] =>
  run.stdout.split('\n').filter((l) => l.startsWith(`::${kind}::`)).map((l) => decodeURIComponent(l.slice(kind.length + 4).replace(/%0A/g, '\n')));

export async function scenario(world: World, body: (dirs: RunnerDirs) => Promise<void>): Promise<void> {
  await world.start();
  const dirs = await runnerDirs();
  try {
    await body(dirs);
    assert.equal(world.packages.schemaErrors, [], 'every answer of the fake fits GitHub\'s OpenAPI description');
  } finally {
    await world.close();
    await removeDirs(dirs);
  }
}
