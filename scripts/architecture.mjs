// The rules of the code's shape, as data a test and a person can read (`node scripts/architecture.mjs`):
// import cycles among relative imports of packages/*/src (type-only ones too), Node and global state in
// packages/core, and imports of one front end by another.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Each front end's folder under packages/ and its npm name (the CLI is published as `regsweep`). */
const FRONT_ENDS = { cli: 'regsweep', action: '@regsweep/action', 'gitlab-ci': '@regsweep/gitlab-ci' };

/** Every .ts file under packages/<pkg>/src, keyed by package. */
export function sourceFiles(root) {
  const out = [];
  const walk = (dir, pkg) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path, pkg);
      else if (path.endsWith('.ts')) out.push({ pkg, path: resolve(path), text: readFileSync(path, 'utf8') });
    }
  };
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', pkg, 'src');
    try {
      if (statSync(src).isDirectory()) walk(src, pkg);
    } catch {
      // a package without sources
    }
  }
  return out;
}

const importsOf = (text) => [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);

/** Cycles of relative imports, each as `a.ts -> b.ts -> a.ts` relative to `root`. */
export function importCycles(root, files = sourceFiles(root)) {
  const known = new Set(files.map((f) => f.path));
  const edges = new Map(files.map((f) => [f.path, importsOf(f.text).filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(f.path), s.replace(/\.js$/, '.ts'))).filter((p) => known.has(p))]));
  const state = new Map();
  const stack = [];
  const cycles = new Set();
  const visit = (path) => {
    state.set(path, 'open');
    stack.push(path);
    for (const next of edges.get(path) ?? []) {
      if (state.get(next) === 'open') cycles.add([...stack.slice(stack.indexOf(next)), next].map((p) => relative(root, p)).join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(path, 'done');
  };
  for (const f of files) if (!state.has(f.path)) visit(f.path);
  return [...cycles];
}

/** Lines of packages/core/src that reach for Node, the environment or the clock. */
export function impureCoreLines(root, files = sourceFiles(root)) {
  const rule = /from 'node:|\bprocess\.(env|argv|exit|cwd|stdout|stderr)|\bDate\.now\(|new Date\(\)|\bsetTimeout\(|\bglobalThis\.fetch\b/;
  const out = [];
  for (const f of files.filter((x) => x.pkg === 'core')) {
    f.text.split('\n').forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
      if (rule.test(code)) out.push(`${relative(root, f.path)}:${i + 1}: ${line.trim()}`);
    });
  }
  return out;
}

/** Imports of a front end's package from any other package: `packages/x/src/f.ts imports regsweep`. */
export function frontEndImports(root, files = sourceFiles(root)) {
  const out = [];
  for (const f of files) {
    for (const spec of importsOf(f.text)) {
      const target = Object.keys(FRONT_ENDS).find((fe) => spec === FRONT_ENDS[fe] || spec.startsWith(`${FRONT_ENDS[fe]}/`));
      if (target !== undefined && target !== f.pkg) out.push(`${relative(root, f.path)} imports ${spec}`);
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.cwd();
  const files = sourceFiles(root);
  const report = { cycles: importCycles(root, files), impureCore: impureCoreLines(root, files), frontEndImports: frontEndImports(root, files) };
  console.log(JSON.stringify(report, null, 2));
}
