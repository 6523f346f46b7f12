/** Every `cleanup-semantics.md §N` and `platform-facts.md §N` the code, tests and README cite exists in docs/. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { danglingCitations, docSections } from '../scripts/doc-citations.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

test('every cited section of docs/cleanup-semantics.md and docs/platform-facts.md exists', () => {
  assert.equal(danglingCitations(ROOT), []);
});

test('sections are read from headings and from numbered items under a top section', () => {
  const s = docSections('## 4. Walk\n### 4.5 Choosing\n## 2. GitHub\n1. **A.** x\n   1. nested\n2. **B.** y\n');
  assert.equal([...s].sort(), ['2', '2.1', '2.2', '4', '4.5']);
});

test('a citation of a section that does not exist is found, with its file and line', () => {
  const root = mkdtempSync(join(tmpdir(), 'regsweep-citations-'));
  try {
    mkdirSync(join(root, 'docs'));
    mkdirSync(join(root, 'packages/core/src'), { recursive: true });
    writeFileSync(join(root, 'docs/cleanup-semantics.md'), '## 4. Walk\n### 4.5 Choosing\n');
    writeFileSync(join(root, 'docs/platform-facts.md'), '## 2. GitHub\n1. a\n');
    writeFileSync(join(root, 'packages/core/src/a.ts'), '// cleanup-semantics.md §4.5, §4.6\n// platform-facts.md §2.1-§2.3\n');
    assert.equal(danglingCitations(root), ['packages/core/src/a.ts:1 cites cleanup-semantics.md §4.6', 'packages/core/src/a.ts:2 cites platform-facts.md §2.3']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
