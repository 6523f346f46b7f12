#!/usr/bin/env node
// Bundles the GitHub Action (packages/action/src/entry.ts) into dist/github/index.js, action.yml's
// `runs.main` (scripts/bundle-entry.mjs does the work).
// Usage: node packages/action/bundle.mjs [OUT_DIR]   (default: dist/github in the repository root)
import { join, resolve } from 'node:path';
import { bundleEntry, root } from '../../scripts/bundle-entry.mjs';

await bundleEntry({
  entry: 'packages/action/src/entry.ts',
  outDir: resolve(process.argv[2] ?? join(root, 'dist/github')),
  title: 'regsweep GitHub Action, bundled by packages/action/bundle.mjs (npm run build:action)',
});
