#!/usr/bin/env node
// Writes the JSON Schema of the policy file (packages/core/src/policy/schema.ts) to
// schema/regsweep.schema.json, pretty-printed. Reads the TypeScript source through tsx, so no build
// is needed. Usage: node scripts/write-schema.mjs [--stdout | --check]
//   --stdout  print the schema instead of writing it
//   --check   exit 1 when the committed file differs from the schema (for CI)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}schema/regsweep.schema.json`;

const unregister = register();
const { schemaJson } = await import('../packages/core/src/policy/schema.ts');
await unregister();
const json = schemaJson();

const mode = process.argv[2];
if (mode === '--stdout') {
  process.stdout.write(json);
} else if (mode === '--check') {
  let current = '';
  try { current = readFileSync(out, 'utf8'); } catch { /* missing counts as different */ }
  if (current !== json) {
    process.stderr.write(`${out} is out of date: run node scripts/write-schema.mjs\n`);
    process.exit(1);
  }
} else if (mode === undefined) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, json);
  process.stdout.write(`wrote ${out}\n`);
} else {
  process.stderr.write('usage: node scripts/write-schema.mjs [--stdout | --check]\n');
  process.exit(2);
}
