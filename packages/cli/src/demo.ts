/**
 * `npm run demo`: builds a small project and registry in a temporary folder (demo-fixture.ts), runs a
 * dry run and then a real cleanup with the default policy, and shows what happened. No server needed.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemoWorld } from './demo-fixture.js';
import { main } from './main.js';

const root = await mkdtemp(join(tmpdir(), 'regsweep-demo-'));
const world = await buildDemoWorld(root, new Date());
const io = { stdout: (t: string) => process.stdout.write(t), stderr: (t: string) => process.stderr.write(t), cwd: root };
const args = ['cleanup', '--registry', `oci:${world.layoutDir}`, '--git', world.gitDir, '--without-kube', '--quiet'];

process.stdout.write(`Demo project: ${world.gitDir}\nDemo registry (OCI image layout): ${world.layoutDir}\n`);
process.stdout.write('\n$ regsweep cleanup --dry-run …   (default policy: werf\'s default keepPolicies)\n');
let code = await main([...args, '--dry-run', '--report', join(root, 'dry-run.json')], io);
if (code === 0) {
  process.stdout.write('\n$ regsweep explain --tag feature-old --tag redis-7 …\n');
  code = await main(['explain', '--registry', `oci:${world.layoutDir}`, '--git', world.gitDir, '--without-kube', '--quiet', '--tag', 'feature-old', '--tag', 'redis-7'], io);
}
if (code === 0) {
  process.stdout.write('\n$ regsweep cleanup …   (for real)\n');
  code = await main([...args, '--report', join(root, 'report.json')], io);
}
if (code === 0) {
  process.stdout.write(`\nReports: ${join(root, 'dry-run.json')} and ${join(root, 'report.json')}\n`);
  process.stdout.write(`Try: skopeo inspect --raw oci:${world.layoutDir}:main\n`);
}
process.exitCode = code;
