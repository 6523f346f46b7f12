// The regsweep release this code is (every package moves together). Written by scripts/release.mjs;
// test/release.test.ts checks it against the packages' package.json files.
export const VERSION = '0.1.0';
