/**
 * The summary the README shows is a real run's: the demo's project and registry (a fixed "now"), a
 * cleanup for real through the CLI, its stdout with the temporary folder written as /tmp/demo. The
 * text is committed as docs/examples/cleanup-summary.txt and quoted verbatim in the README's "What
 * you see"; this test fails when either is stale (REGSWEEP_UPDATE_FIXTURES=1 rewrites the file).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main, type Io } from '../src/index.js';
import { buildDemoWorld } from '../src/demo-fixture.js';

const root = new URL('../../../', import.meta.url).pathname;
const FIXTURE = join(root, 'docs/examples/cleanup-summary.txt');
const NOW = '2026-12-01T12:00:00Z';

async function realRunSummary(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'regsweep-summary-'));
  try {
    const world = await buildDemoWorld(dir, new Date(NOW));
    let stdout = '';
    const io: Io = { stdout: (t) => void (stdout += t), stderr: () => undefined, cwd: dir, env: {} };
    const code = await main(['cleanup', '--registry', `oci:${world.layoutDir}`, '--git', world.gitDir, '--now', NOW, '--without-kube', '--quiet', '--no-cache'], io);
    assert.is(code, 0, stdout);
    return stdout.split(dir).join('/tmp/demo');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('docs/examples/cleanup-summary.txt is what a real run prints, and the README quotes it', async () => {
  const summary = await realRunSummary();
  assert.is(await realRunSummary(), summary, 'the same world gives the same summary');
  if (process.env['REGSWEEP_UPDATE_FIXTURES'] === '1') await writeFile(FIXTURE, summary);
  assert.is(await readFile(FIXTURE, 'utf8'), summary, 'stale: run REGSWEEP_UPDATE_FIXTURES=1 node --import tsx packages/cli/test/summary-fixture.test.ts');
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  assert.ok(readme.includes(`\`\`\`\n${summary}\`\`\`\n`), 'the README\'s "What you see" quotes docs/examples/cleanup-summary.txt verbatim');
});

test.run();
