/**
 * The committed bundles — the GitHub Action's (dist/github/, action.yml's `runs.main`) and the GitLab
 * job's (dist/gitlab/, which regsweep's own pipeline runs) — are what the sources build:
 * scripts/check-dist.mjs (the release workflow's check) rebuilds them into a temporary folder and
 * compares byte for byte. test/release.test.ts shows that check failing on a stale bundle.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { staleBundles } from '../scripts/check-dist.mjs';

const root = new URL('..', import.meta.url).pathname;

test('dist/github and dist/gitlab are what `npm run build:action` and `npm run build:gitlab` make from the sources', async () => {
  assert.equal(await staleBundles(), []);
});

test('action.yml runs the bundle with node24', async () => {
  const yml = await readFile(join(root, 'action.yml'), 'utf8');
  assert.match(yml, /^runs:\n {2}using: node24\n {2}main: dist\/github\/index\.js\s*$/m);
});

test.run();
