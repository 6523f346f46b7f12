// Bundles one front end's entry (and everything it imports, @regsweep/* packages from their
// TypeScript sources) into one ESM file that runs with plain `node`, no install, plus a package.json
// beside it marking it ESM. Deterministic: the same sources and esbuild version give the same bytes
// (test/dist.test.ts checks that the committed bundles are what the sources build).
// Used by packages/action/bundle.mjs (dist/github) and packages/gitlab-ci/bundle.mjs (dist/gitlab).
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * `@regsweep/<name>` → packages/<name>/src/index.ts and `@regsweep/<name>/<entry>` →
 * packages/<name>/src/<entry>.ts (`@regsweep/core/internal`): the bundle is built from the sources.
 * @param {string[]} packages
 * @returns {import('esbuild').Plugin}
 */
function workspaceSources(packages) {
  return {
    name: 'regsweep-workspace-sources',
    setup(b) {
      b.onResolve({ filter: /^@regsweep\// }, (args) => {
        const [, name = '', entry] = /^@regsweep\/([^/]+)(?:\/(.+))?$/.exec(args.path) ?? [];
        if (!packages.includes(name)) return undefined;
        return { path: join(root, 'packages', name, 'src', `${entry ?? 'index'}.ts`) };
      });
    },
  };
}

/** @param {{ entry: string; outDir: string; title: string }} o */
export async function bundleEntry(o) {
  const packages = (await readdir(join(root, 'packages'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  await mkdir(o.outDir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: [o.entry],
    outfile: join(o.outDir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    // GitHub runs the action on node24 and the component's default image is node:24; node20 keeps
    // both runnable on the machines the tests run on.
    target: 'node20',
    minify: false,
    sourcemap: false,
    charset: 'utf8',
    legalComments: 'eof',
    plugins: [workspaceSources(packages)],
    // dockerode's ssh:// transport (ssh2, with native add-ons) is replaced by a stub: regsweep refuses ssh:// engines.
    alias: { ssh2: './scripts/stubs/ssh2.cjs' },
    // Some bundled CommonJS modules (tunnel, via @actions/http-client) `require` node built-ins.
    banner: {
      js: [
        `// ${o.title}. Do not edit.`,
        "import { createRequire as __regsweepCreateRequire } from 'node:module';",
        'const require = __regsweepCreateRequire(import.meta.url);',
      ].join('\n'),
    },
    logLevel: 'warning',
    metafile: true,
  });
  await writeFile(join(o.outDir, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
  const bytes = Object.values(result.metafile.outputs).reduce((sum, out) => sum + out.bytes, 0);
  process.stdout.write(`bundled ${Object.keys(result.metafile.inputs).length} modules into ${join(o.outDir, 'index.js')} (${Math.round(bytes / 1024)} KiB)\n`);
}
