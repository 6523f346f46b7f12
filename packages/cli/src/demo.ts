/**
 * `regsweep demo` (and `npm run demo`): builds a small project and registry in a temporary folder
 * (demo-fixture.ts), runs a dry run, an explanation and then a real cleanup with the default policy,
 * and shows what happened. No server needed; git must be installed.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemoWorld } from './demo-fixture.js';
import type { Io } from './io.js';

/** The CLI's `main`, passed in (main.ts calls this module; it does not import main.ts back). */
export type RunCommand = (argv: readonly string[], io: Io) => Promise<number>;

export async function runDemo(io: Io, run: RunCommand): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'regsweep-demo-'));
  const world = await buildDemoWorld(root, new Date());
  const demoIo: Io = { stdout: io.stdout, stderr: io.stderr, cwd: root };
  const source = ['--registry', `oci:${world.layoutDir}`, '--git', world.gitDir, '--without-kube', '--quiet'];
  io.stdout(`Demo project: ${world.gitDir}\nDemo registry (OCI image layout): ${world.layoutDir}\n`);
  io.stdout('\n$ regsweep cleanup --dry-run …   (default policy: werf\'s default keepPolicies)\n');
  let code = await run(['cleanup', ...source, '--dry-run', '--report', join(root, 'dry-run.json')], demoIo);
  if (code === 0) {
    io.stdout('\n$ regsweep explain --tag feature-old --tag redis-7 …\n');
    code = await run(['explain', ...source, '--tag', 'feature-old', '--tag', 'redis-7'], demoIo);
  }
  if (code === 0) {
    io.stdout('\n$ regsweep cleanup …   (for real)\n');
    code = await run(['cleanup', ...source, '--report', join(root, 'report.json')], demoIo);
  }
  if (code === 0) {
    io.stdout(`\nReports: ${join(root, 'dry-run.json')} and ${join(root, 'report.json')}\n`);
    io.stdout(`Try: skopeo inspect --raw oci:${world.layoutDir}:main\n`);
  }
  return code;
}
