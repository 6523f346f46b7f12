/**
 * The action's entry point (bundled to dist/github/index.js): @actions/core's inputs, outputs, log
 * commands and job summary around `runAction`. The token is masked (`::add-mask::`) by `runAction`
 * before anything else is printed. Exit code 0 or 1 (see main.ts).
 */
import { tmpdir } from 'node:os';
import * as actionsCache from '@actions/cache';
import * as core from '@actions/core';
import { runAction } from './main.js';

try {
  const result = await runAction({
    getInput: (name) => core.getInput(name),
    env: process.env,
    setSecret: (secret) => core.setSecret(secret),
    setOutput: (name, value) => core.setOutput(name, value),
    debug: (message) => core.debug(message),
    info: (message) => core.info(message),
    warning: (message) => core.warning(message),
    notice: (message) => core.notice(message),
    setFailed: (message) => core.setFailed(message),
    writeSummary: async (markdown) => {
      await core.summary.addRaw(markdown, true).write();
    },
    cacheService: {
      isAvailable: () => actionsCache.isFeatureAvailable(),
      restore: (paths, key, restoreKeys) => actionsCache.restoreCache(paths, key, restoreKeys),
      save: async (paths, key) => (await actionsCache.saveCache(paths, key)) !== -1,
    },
    tmpdir: tmpdir(),
    cwd: process.cwd(),
  });
  process.exitCode = result.exitCode;
} catch (error) {
  core.setFailed(`regsweep: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}
