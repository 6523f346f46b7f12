#!/usr/bin/env node
// Bundles the GitHub Action (packages/action/src/entry.ts and everything it imports, @regsweep/*
// packages from their TypeScript sources) into one ESM file that runs with plain `node`, no install:
// dist/github/index.js (action.yml's `runs.main`), plus dist/github/package.json marking it ESM.
// Deterministic: the same sources and esbuild version give the same bytes (test/dist.test.ts checks
// that the committed bundle is what the sources build).
// Usage: node packages/action/bundle.mjs [OUT_DIR]   (default: dist/github in the repository root)
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = resolve(process.argv[2] ?? join(root, 'dist/github'));

const workspace = ['core', 'git-local', 'oci-layout', 'oci-registry', 'cli', 'github'];
const alias = Object.fromEntries(workspace.map((name) => [`@regsweep/${name}`, `./packages/${name}/src/index.ts`]));

await mkdir(outDir, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['packages/action/src/entry.ts'],
  outfile: join(outDir, 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  // action.yml runs it on node24; node20 keeps it runnable on the machines the tests run on.
  target: 'node20',
  minify: false,
  sourcemap: false,
  charset: 'utf8',
  legalComments: 'eof',
  alias,
  // Some bundled CommonJS modules (tunnel, via @actions/http-client) `require` node built-ins.
  banner: {
    js: [
      '// regsweep GitHub Action, bundled by packages/action/bundle.mjs (npm run build:action). Do not edit.',
      "import { createRequire as __regsweepCreateRequire } from 'node:module';",
      'const require = __regsweepCreateRequire(import.meta.url);',
    ].join('\n'),
  },
  logLevel: 'warning',
  metafile: true,
});
await writeFile(join(outDir, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
process.stdout.write(`bundled ${Object.keys(result.metafile.inputs).length} modules into ${join(outDir, 'index.js')} (${Math.round(bytes / 1024)} KiB)\n`);
