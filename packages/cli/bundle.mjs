#!/usr/bin/env node
// Bundles the CLI (packages/cli/src/bin.ts and everything it imports) into packages/cli/bundle/index.js
// for the npm package `regsweep` (run by `npm pack`/`npm publish` through prepack; not committed).
// Usage: node packages/cli/bundle.mjs [OUT_DIR]   (default: packages/cli/bundle)
import { join, resolve } from 'node:path';
import { bundleEntry, root } from '../../scripts/bundle-entry.mjs';

await bundleEntry({
  entry: 'packages/cli/src/bin.ts',
  outDir: resolve(process.argv[2] ?? join(root, 'packages/cli/bundle')),
  title: 'regsweep command line, bundled by packages/cli/bundle.mjs for the npm package',
});
