#!/usr/bin/env node
// The command templates/cleanup.yml runs (`npx --package @regsweep/gitlab-ci@<version> regsweep-gitlab-ci`).
// In the npm package: the bundle made when it was packed (bundle/); in a checkout: the committed
// bundle dist/gitlab/index.js, which is the same build.
import { existsSync } from 'node:fs';

const bundled = new URL('../bundle/index.js', import.meta.url);
await import(existsSync(bundled) ? bundled.href : '../../../dist/gitlab/index.js');
