#!/usr/bin/env node
// Are the committed bundles what the sources build? Rebuilds dist/github (the Action) and dist/gitlab
// (the GitLab job) into a temporary folder with their own bundle scripts and compares byte for byte.
// The release workflow runs it before a tag is published; test/dist.test.ts runs it in every test run.
//   node scripts/check-dist.mjs [--committed DIR]   (DIR holds github/ and gitlab/; default: dist/)
// Exit 1 naming each stale file and the command that fixes it.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
export const BUNDLES = [
  { dir: 'github', script: 'packages/action/bundle.mjs', command: 'npm run build:action' },
  { dir: 'gitlab', script: 'packages/gitlab-ci/bundle.mjs', command: 'npm run build:gitlab' },
];

/** What differs between the committed bundles under `committed` and a fresh build: one line each. */
export async function staleBundles(committed = join(root, 'dist')) {
  const problems = [];
  for (const b of BUNDLES) {
    const out = await mkdtemp(join(tmpdir(), 'regsweep-dist-'));
    try {
      await promisify(execFile)(process.execPath, [join(root, b.script), out], { cwd: root });
      for (const file of ['index.js', 'package.json']) {
        const built = await readFile(join(out, file), 'utf8');
        const have = await readFile(join(committed, b.dir, file), 'utf8').catch(() => undefined);
        const fix = `run \`${b.command}\` and commit dist/${b.dir}`;
        if (have === undefined) problems.push(`dist/${b.dir}/${file} is missing: ${fix}`);
        else if (have !== built) {
          const lines = built.split('\n');
          const line = have.split('\n').findIndex((l, i) => l !== lines[i]);
          problems.push(`dist/${b.dir}/${file} differs from what the sources build (line ${line + 1}): ${fix}`);
        }
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--committed');
  const problems = await staleBundles(i > 0 ? resolve(process.argv[i + 1] ?? '') : undefined);
  if (problems.length > 0) {
    process.stderr.write(`stale bundles:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(`dist/github and dist/gitlab are what the sources build\n`);
}
