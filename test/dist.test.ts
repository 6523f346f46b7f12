/**
 * The committed GitHub Action bundle (dist/github/, action.yml's `runs.main`) is what the sources
 * build: rebuild into a temporary folder with the same script and compare byte for byte.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = new URL('..', import.meta.url).pathname;
const FIX = 'dist/github is not what the sources build: run `npm run build:action` and commit dist/github';

test('dist/github/index.js and package.json are what `npm run build:action` makes from the sources', async () => {
  const out = await mkdtemp(join(tmpdir(), 'regsweep-dist-'));
  try {
    await promisify(execFile)(process.execPath, [join(root, 'packages/action/bundle.mjs'), out], { cwd: root });
    for (const file of ['index.js', 'package.json']) {
      const built = await readFile(join(out, file), 'utf8');
      const committed = await readFile(join(root, 'dist/github', file), 'utf8').catch(() => undefined);
      assert.ok(committed !== undefined, `dist/github/${file} is missing: ${FIX}`);
      if (committed !== built) {
        const a = (committed ?? '').split('\n');
        const b = built.split('\n');
        const line = a.findIndex((l, i) => l !== b[i]);
        assert.unreachable(`dist/github/${file} differs from the build at line ${line + 1}: ${FIX}`);
      }
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('action.yml runs the bundle with node24', async () => {
  const yml = await readFile(join(root, 'action.yml'), 'utf8');
  assert.match(yml, /^runs:\n {2}using: node24\n {2}main: dist\/github\/index\.js\s*$/m);
});

test.run();
