/**
 * docs/api/ is the API reference of `@regsweep/core`'s main entry, generated from the types by TypeDoc
 * (typedoc.json). It is rebuilt here into a temporary folder and compared file by file with what is
 * committed, so a changed export or doc comment without `npm run docs:api` fails — the same way the
 * bundles are checked.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const exec = promisify(execFile);
const root = new URL('../', import.meta.url).pathname;

async function tree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), await readFile(path, 'utf8'));
  }
  return files;
}

test('docs/api is what TypeDoc builds from the sources (run npm run docs:api after changing the API)', async () => {
  const out = await mkdtemp(join(tmpdir(), 'regsweep-api-docs-'));
  try {
    const run = await exec(process.execPath, [join(root, 'node_modules/typedoc/bin/typedoc'), '--out', out], { cwd: root });
    assert.not.match(run.stdout + run.stderr, /\[warning\]|\[error\]/, 'TypeDoc builds the reference without a warning');
    const built = await tree(out);
    const committed = await tree(join(root, 'docs/api'));
    assert.equal([...committed.keys()].sort(), [...built.keys()].sort(), 'the same pages');
    const stale = [...built].filter(([file, text]) => committed.get(file) !== text).map(([file]) => file);
    assert.equal(stale, [], 'every page as built');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('the reference covers the ports, the pipeline and the report, and no internal', async () => {
  const index = await readFile(join(root, 'docs/api/README.md'), 'utf8');
  for (const name of ['Registry', 'GitHistory', 'ClusterImages', 'Clock', 'runPipeline', 'policyFromText', 'Report', 'Plan']) {
    assert.match(index, new RegExp(`\\[${name}\\]\\(`), name);
  }
  for (const name of ['Pacer', 'mapLimit', 'planCleanup', 'executeDeletions']) assert.not.match(index, new RegExp(`\\[${name}\\]`), name);
});

test.run();
