/**
 * examples/github/cleanup.yml is a workflow a user can copy: scheduled and dispatchable with a dry-run
 * switch, one run at a time, the least permissions, and only inputs action.yml declares.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;
type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Doc) : {});

async function yamlFile(path: string): Promise<Doc> {
  return obj(parse(await readFile(join(root, path), 'utf8')));
}

test('the example workflow: schedule, workflow_dispatch with dry-run, concurrency, least permissions', async () => {
  const wf = await yamlFile('examples/github/cleanup.yml');
  const on = obj(wf['on']);
  assert.ok(Array.isArray(on['schedule']) && on['schedule'].length === 1, 'a schedule');
  assert.equal(obj(obj(obj(on['workflow_dispatch'])['inputs'])['dry-run'])['type'], 'boolean');
  assert.equal(obj(wf['concurrency'])['cancel-in-progress'], false);
  assert.equal(wf['permissions'], { contents: 'read', 'pull-requests': 'read', packages: 'write' });
});

test('the example uses only inputs action.yml declares, and reads the report output', async () => {
  const declared = Object.keys(obj((await yamlFile('action.yml'))['inputs']));
  const wf = await yamlFile('examples/github/cleanup.yml');
  const steps = Object.values(obj(wf['jobs'])).flatMap((job) => {
    const list = obj(job)['steps'];
    return Array.isArray(list) ? list.map(obj) : [];
  });
  const step = steps.find((s) => s['uses'] === '<owner>/regsweep@v1');
  assert.ok(step, 'a step uses <owner>/regsweep@v1');
  for (const name of Object.keys(obj(step?.['with']))) assert.ok(declared.includes(name), `input ${name} is declared`);
  assert.ok(steps.some((s) => JSON.stringify(s).includes('steps.regsweep.outputs.report')));
});

test.run();
