/**
 * The code's shape (scripts/architecture.mjs): no import cycle among any package's sources, and
 * packages/core reaches for no Node module, environment, clock or network, and no front end imports another.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { frontEndImports, impureCoreLines, importCycles } from '../scripts/architecture.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

test('no import cycle among the sources of any package (type-only imports included)', () => {
  assert.equal(importCycles(ROOT), []);
});

test('packages/core imports no Node module and reads no environment, clock or network', () => {
  assert.equal(impureCoreLines(ROOT), []);
});

test('no front end imports another (the CLI, the Action and the GitLab job share core and node-host only)', () => {
  assert.equal(frontEndImports(ROOT), []);
});

test('the checks find what they look for: a type-only cycle, a clock read in core, a front end importing another', () => {
  const root = mkdtempSync(join(tmpdir(), 'regsweep-architecture-'));
  try {
    mkdirSync(join(root, 'packages/core/src'), { recursive: true });
    mkdirSync(join(root, 'packages/gitlab/src'), { recursive: true });
    writeFileSync(join(root, 'packages/gitlab/src/a.ts'), "import type { B } from './b.js';\nexport interface A { b?: B }\n");
    writeFileSync(join(root, 'packages/gitlab/src/b.ts'), "import type { A } from './a.js';\nexport interface B { a?: A }\n");
    writeFileSync(join(root, 'packages/core/src/clock.ts'), "// Date.now() in a comment is fine\nexport const t = (): number => Date.now();\n");
    mkdirSync(join(root, 'packages/action/src'), { recursive: true });
    writeFileSync(join(root, 'packages/action/src/policy.ts'), "import { loadPolicy } from 'regsweep';\nexport const p = loadPolicy;\n");
    assert.equal(importCycles(root), ['packages/gitlab/src/a.ts -> packages/gitlab/src/b.ts -> packages/gitlab/src/a.ts']);
    assert.equal(impureCoreLines(root), ['packages/core/src/clock.ts:2: export const t = (): number => Date.now();']);
    assert.equal(frontEndImports(root), ['packages/action/src/policy.ts imports regsweep']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
