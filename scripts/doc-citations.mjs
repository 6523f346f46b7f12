/**
 * Section citations of the specification (docs/cleanup-semantics.md, docs/platform-facts.md) that name
 * no section: the docs' numbers are what code and tests cite, so a renumbered or removed section shows up
 * here instead of leaving a comment that points nowhere.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const DOCS = ['cleanup-semantics.md', 'platform-facts.md'];
const SKIP = new Set(['node_modules', 'dist', '.git']);
const CITED = /\b(cleanup-semantics|platform-facts)\.md[^§\n]{0,3}((?:§\d+(?:\.\d+)?(?:\s*-\s*)?)+(?:,\s*§\d+(?:\.\d+)?)*)/g;

/** Section numbers of a doc: `## 4. …` is 4, `### 4.5 …` is 4.5; a numbered item under `## 2.` is 2.N. */
export function docSections(text) {
  const found = new Set();
  let top;
  let item = 0;
  for (const line of text.split('\n')) {
    const h = /^#{2,3} (\d+(?:\.\d+)?)\.? /.exec(line);
    if (h) {
      found.add(h[1]);
      if (!h[1].includes('.')) [top, item] = [h[1], 0];
      continue;
    }
    if (top && /^\d+\. /.test(line) && !line.startsWith('   ')) found.add(`${top}.${++item}`);
  }
  return found;
}

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|mjs|md)$/.test(name)) yield path;
  }
}

/** `file:line cites doc §N` for every cited section the doc does not have. */
export function danglingCitations(root) {
  const sections = new Map(DOCS.map((d) => [d.replace('.md', ''), docSections(readFileSync(join(root, 'docs', d), 'utf8'))]));
  const out = [];
  for (const path of ['packages', 'scripts', 'bench', 'test', 'README.md', 'docs'].flatMap((p) => {
    const full = join(root, p);
    try {
      return statSync(full).isDirectory() ? [...files(full)] : [full];
    } catch {
      return [];
    }
  })) {
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(CITED)) {
        for (const n of m[2].match(/\d+(?:\.\d+)?/g) ?? []) {
          if (!sections.get(m[1]).has(n)) out.push(`${relative(root, path)}:${i + 1} cites ${m[1]}.md §${n}`);
        }
      }
    });
  }
  return out;
}
