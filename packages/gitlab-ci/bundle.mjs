#!/usr/bin/env node
// Bundles the GitLab job (packages/gitlab-ci/src/entry.ts) into dist/gitlab/index.js, which the
// component (templates/cleanup.yml) runs (scripts/bundle-entry.mjs does the work).
// Usage: node packages/gitlab-ci/bundle.mjs [OUT_DIR]   (default: dist/gitlab in the repository root)
import { join, resolve } from 'node:path';
import { bundleEntry, root } from '../../scripts/bundle-entry.mjs';

await bundleEntry({
  entry: 'packages/gitlab-ci/src/entry.ts',
  outDir: resolve(process.argv[2] ?? join(root, 'dist/gitlab')),
  title: 'regsweep GitLab CI/CD component job, bundled by packages/gitlab-ci/bundle.mjs (npm run build:gitlab)',
});
