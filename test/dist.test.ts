/**
 * The committed bundles — the GitHub Action's (dist/github/, action.yml's `runs.main`) and the GitLab
 * component job's (dist/gitlab/, run by templates/cleanup.yml) — are what the sources build: rebuild
 * into a temporary folder with the same script and compare byte for byte.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = new URL('..', import.meta.url).pathname;
const BUNDLES = [
  { dir: 'dist/github', script: 'packages/action/bundle.mjs', command: 'npm run build:action' },
  { dir: 'dist/gitlab', script: 'packages/gitlab-ci/bundle.mjs', command: 'npm run build:gitlab' },
];

for (const b of BUNDLES) {
  const fix = `${b.dir} is not what the sources build: run \`${b.command}\` and commit ${b.dir}`;
  test(`${b.dir}/index.js and package.json are what \`${b.command}\` makes from the sources`, async () => {
    const out = await mkdtemp(join(tmpdir(), 'regsweep-dist-'));
    try {
      await promisify(execFile)(process.execPath, [join(root, b.script), out], { cwd: root });
      for (const file of ['index.js', 'package.json']) {
        const built = await readFile(join(out, file), 'utf8');
        const committed = await readFile(join(root, b.dir, file), 'utf8').catch(() => undefined);
        assert.ok(committed !== undefined, `${b.dir}/${file} is missing: ${fix}`);
        if (committed !== built) {
          const a = (committed ?? '').split('\n');
          const c = built.split('\n');
          const line = a.findIndex((l, i) => l !== c[i]);
          assert.unreachable(`${b.dir}/${file} differs from the build at line ${line + 1}: ${fix}`);
        }
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
}

test('action.yml runs the bundle with node24', async () => {
  const yml = await readFile(join(root, 'action.yml'), 'utf8');
  assert.match(yml, /^runs:\n {2}using: node24\n {2}main: dist\/github\/index\.js\s*$/m);
});

test.run();
