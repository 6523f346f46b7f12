// The test suite's secret check. Every secret a test uses is built by testSecret() in
// test/support/secrets.ts and carries TEST_SECRET_MARKER; scripts/run-tests.mjs looks for the marker
// (as it is, and base64-encoded at each byte offset, as in a Basic auth header) in every test file's
// stdout and stderr and in every file the tests recorded under REGSWEEP_TEST_OUTPUT_ROOT (reports,
// job summaries, dotenv files, the captured output of in-process and child runs).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const TEST_SECRET_MARKER = 'rsw-secret-';
/** The environment variable naming the folder where tests record their outputs. */
export const TEST_OUTPUT_ROOT_ENV = 'REGSWEEP_TEST_OUTPUT_ROOT';

/** The marker's base64 forms: for each offset, only the characters that do not depend on its neighbours. */
function base64Forms(marker) {
  const forms = [];
  for (let pad = 0; pad < 3; pad++) {
    const encoded = Buffer.from('\0'.repeat(pad) + marker, 'utf8').toString('base64');
    const whole = Math.floor((pad + marker.length) / 3) * 4;
    forms.push(encoded.slice(pad === 0 ? 0 : 4, whole));
  }
  return forms;
}

const FORMS = [TEST_SECRET_MARKER, ...base64Forms(TEST_SECRET_MARKER)];

/** Lines of `text` holding a test secret: `{ line, text }` with 1-based line numbers. */
export function findTestSecrets(text) {
  const hits = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (FORMS.some((f) => line.includes(f))) hits.push({ line: i + 1, text: line.length > 300 ? `${line.slice(0, 300)}…` : line });
  }
  return hits;
}

/** Every file under `dir` with its hits: `{ file (relative to dir), line, text }`; also how many files were read. */
export function scanFolder(dir) {
  const hits = [];
  let files = 0;
  const walk = (d) => {
    let names;
    try { names = readdirSync(d); } catch { return; }
    for (const name of names.sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        files += 1;
        for (const hit of findTestSecrets(readFileSync(path, 'utf8'))) hits.push({ file: relative(dir, path), ...hit });
      }
    }
  };
  walk(dir);
  return { files, hits };
}
