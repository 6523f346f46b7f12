/**
 * The code's shape (scripts/architecture.mjs): no import cycle among any package's sources, and
 * packages/core reaches for no Node module, environment, clock or network.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { impureCoreLines, importCycles } from '../scripts/architecture.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

test('no import cycle among the sources of any package (type-only imports included)', () => {
  assert.equal(importCycles(ROOT), []);
});

test('packages/core imports no Node module and reads no environment, clock or network', () => {
  assert.equal(impureCoreLines(ROOT), []);
});

test('the checks find what they look for: a type-only cycle and a clock read in core', () => {
  const root = mkdtempSync(join(tmpdir(), 'regsweep-architecture-'));
  try {
    mkdirSync(join(root, 'packages/core/src'), { recursive: true });
    mkdirSync(join(root, 'packages/gitlab/src'), { recursive: true });
    writeFileSync(join(root, 'packages/gitlab/src/a.ts'), "import type { B } from './b.js';\nexport interface A { b?: B }\n");
    writeFileSync(join(root, 'packages/gitlab/src/b.ts'), "import type { A } from './a.js';\nexport interface B { a?: A }\n");
    writeFileSync(join(root, 'packages/core/src/clock.ts'), "// Date.now() in a comment is fine\nexport const t = (): number => Date.now();\n");
    assert.equal(importCycles(root), ['packages/gitlab/src/a.ts -> packages/gitlab/src/b.ts -> packages/gitlab/src/a.ts']);
    assert.equal(impureCoreLines(root), ['packages/core/src/clock.ts:2: export const t = (): number => Date.now();']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
