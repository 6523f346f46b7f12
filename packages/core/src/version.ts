// The regsweep release this code is (every package moves together). Written by scripts/release.mjs;
// test/release.test.ts checks it against the packages' package.json files.
/** regsweep's version: every package, the Action and the GitLab component share it. */
export const VERSION: string = '0.1.0';
