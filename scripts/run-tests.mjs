#!/usr/bin/env node
// Runs every test file (`packages/*/test/**/*.test.ts`, `test/**/*.test.ts`) in its own node process
// with tsx, a few at a time, prints each file's output, then sums uvu's per-file totals into the line
// `N passed, M failed`. Exits non-zero when anything failed or when no test ran.
// The secret check (scripts/secret-scan.mjs): a test file whose output holds a test secret fails, and
// so does the run when a file the tests recorded under REGSWEEP_TEST_OUTPUT_ROOT (a folder made for the
// run, removed after it unless something leaked) holds one.
// REGSWEEP_BUNDLE_NODES (Node binaries, `:`-separated): every bundle end-to-end test file
// (`*-e2e.test.ts`) runs once more per binary, with REGSWEEP_TEST_NODE naming it, so the committed
// bundles are proven on each Node line users run them on (test:all passes Node 24).
// Usage: node scripts/run-tests.mjs [substring-filter ...]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { findTestSecrets, scanFolder, TEST_OUTPUT_ROOT_ENV } from './secret-scan.mjs';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function findTests(dir, out = []) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

// REGSWEEP_TEST_ROOTS (folders, `:`-separated) replaces packages/ and test/: the runner's own test uses it.
const roots = process.env.REGSWEEP_TEST_ROOTS ? process.env.REGSWEEP_TEST_ROOTS.split(':') : [join(root, 'packages'), join(root, 'test')];
const files = roots.flatMap((dir) => findTests(dir))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

const extraNodes = (process.env.REGSWEEP_BUNDLE_NODES ?? '').split(':').filter((n) => n !== '');
/** A run of one test file: the file, and the Node binary its bundles run on (undefined: this one). */
const runs = files.map((file) => ({ file }));
for (const node of extraNodes) {
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  for (const file of files) if (file.endsWith('-e2e.test.ts')) runs.push({ file, node, label: `${file} [bundles on node ${version}]` });
}

const outputRoot = mkdtempSync(join(tmpdir(), 'regsweep-test-outputs-'));

function runFile({ file, node, label }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', [TEST_OUTPUT_ROOT_ENV]: outputRoot, ...(node ? { REGSWEEP_TEST_NODE: node } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code, signal) => resolve({ file: label ?? file, code, signal, output, ms: Date.now() - started }));
  });
}

function totals(output) {
  const num = (label) => {
    const m = output.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm'));
    return m ? Number(m[1]) : undefined;
  };
  return { total: num('Total'), passed: num('Passed'), skipped: num('Skipped') ?? 0 };
}

const width = Math.max(1, Math.min(Number(process.env.TEST_JOBS) || availableParallelism(), 4));
let next = 0;
let passed = 0;
let failed = 0;
const broken = [];
async function worker() {
  while (next < runs.length) {
    const r = await runFile(runs[next++]);
    const file = r.file;
    const t = totals(r.output);
    process.stdout.write(`\n── ${file} (${r.ms} ms)\n${r.output.trimEnd()}\n`);
    const leaks = findTestSecrets(r.output);
    if (leaks.length > 0) {
      failed += 1;
      broken.push(`${file}: its output holds a test secret (line ${leaks.map((l) => l.line).join(', ')})`);
    }
    if (t.total === undefined || t.passed === undefined) {
      failed += 1;
      broken.push(`${file}: no uvu summary (exit ${r.code ?? r.signal})`);
      continue;
    }
    passed += t.passed;
    const fileFailed = t.total - t.passed - t.skipped;
    failed += fileFailed;
    if (t.skipped > 0) broken.push(`${file}: ${t.skipped} skipped test(s) are not counted as passed`);
    if (fileFailed === 0 && r.code !== 0) {
      failed += 1;
      broken.push(`${file}: exited ${r.code ?? r.signal} after its tests`);
    } else if (fileFailed > 0) broken.push(`${file}: ${fileFailed} failed`);
  }
}
await Promise.all(Array.from({ length: width }, worker));

const recorded = scanFolder(outputRoot);
for (const hit of recorded.hits) broken.push(`a test secret in a recorded output: ${hit.file}:${hit.line}: ${hit.text}`);
if (recorded.hits.length > 0) failed += 1;
process.stdout.write(`\nsecret check: ${runs.length} test file outputs and ${recorded.files} recorded outputs read, ${recorded.hits.length} leak(s)\n`);
if (recorded.hits.length === 0) rmSync(outputRoot, { recursive: true, force: true });
else process.stdout.write(`the recorded outputs are kept in ${outputRoot}\n`);

if (broken.length) process.stdout.write(`\nProblems:\n${broken.map((b) => `  - ${b}`).join('\n')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
if (files.length === 0 || passed + failed === 0) {
  process.stdout.write('no test ran\n');
  process.exit(1);
}
process.exit(failed > 0 ? 1 : 0);
