/**
 * Releases: the workflows as written, a dry run of the release workflow's dist check (which must fail
 * on a stale bundle), scripts/release.mjs moving every version together, and scripts/publish-packages.sh
 * publishing the npm packages once to a local registry (test-kit's fake-npm-registry).
 */
import { execFile } from 'node:child_process';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, parseAllDocuments } from 'yaml';
import { VERSION } from '@regsweep/core';
import { startFakeNpmRegistry } from '@regsweep/test-kit/fake-npm-registry';
import { changelogEntry, setVersion, versionMismatches } from '../scripts/release.mjs';
import { userNpmEnv, withPackLock } from './support/npm-packages.js';

const exec = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const read = (path: string): Promise<string> => readFile(join(root, path), 'utf8');

interface Workflow { on: unknown; jobs: Record<string, { steps: Array<{ name?: string; uses?: string; run?: string; with?: Record<string, string> }> }> }
const workflow = async (name: string): Promise<Workflow> => parse(await read(`.github/workflows/${name}`)) as Workflow;

test("ci.yml runs the README's test command and the Action of the commit in a dry run", async () => {
  const readme = await read('README.md');
  const testCommand = /```sh\n[^\n]*\n(npm run [\w:]+)/.exec(readme)?.[1];
  assert.is(testCommand, 'npm run test:all');
  const ci = await workflow('ci.yml');
  assert.ok(ci.jobs['test']?.steps.some((s) => s.run === testCommand), 'the test job runs the README command');
  const self = ci.jobs['action-dry-run']?.steps.find((s) => s.uses === './');
  assert.is(self?.with?.['dry-run'], 'true');
  assert.match(await read('.ci/run'), /npm run test:all/, '.ci/run runs the same command');
});

test('release.yml: on vX.Y.Z, checks the version and dist/, tests, publishes, releases, then moves vX', async () => {
  const release = await workflow('release.yml');
  assert.equal(release.on, { push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } });
  const runs = (release.jobs['release']?.steps ?? []).map((s) => s.run ?? '').join('\n');
  const order = ['release.mjs check "$GITHUB_REF_NAME"', 'check-dist.mjs', 'npm run test:all', 'publish-packages.sh', 'gh release create', 'git push -f origin "refs/tags/$major"'];
  const at = order.map((o) => runs.indexOf(o));
  assert.ok(at.every((i) => i >= 0), `every step is there: ${order.filter((_, i) => (at[i] ?? -1) < 0).join(', ')}`);
  assert.equal([...at].sort((a, b) => a - b), at, 'in this order');
  assert.match(runs, /major="\$\{GITHUB_REF_NAME%%\.\*\}"/, 'v1.2.3 moves v1');
});

test('a dry run of the dist check: a fresh copy of dist/ passes, a stale bundle stops the release', async () => {
  const release = await workflow('release.yml');
  const step = release.jobs['release']?.steps.find((s) => (s.run ?? '').includes('check-dist.mjs'));
  assert.ok(step?.run !== undefined);
  const copy = await mkdtemp(join(tmpdir(), 'regsweep-dist-copy-'));
  try {
    await cp(join(root, 'dist'), copy, { recursive: true });
    const fresh = await exec('bash', ['-c', `${step.run} --committed ${copy}`], { cwd: root });
    assert.match(fresh.stdout, /what the sources build/);
    await appendFile(join(copy, 'gitlab/index.js'), '// edited by hand\n');
    const stale = await exec('bash', ['-c', `${step.run} --committed ${copy}`], { cwd: root }).then(() => undefined, (e: { code: number; stderr: string }) => e);
    assert.is(stale?.code, 1);
    assert.match(stale?.stderr ?? '', /dist\/gitlab\/index\.js differs from what the sources build \(line \d+\): run `npm run build:gitlab` and commit dist\/gitlab/);
    assert.not.match(stale?.stderr ?? '', /dist\/github/, 'the Action bundle is fresh');
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
});

test('release.mjs set moves every package, internal dependency, VERSION (and its API page), the template default and the example pin', async () => {
  assert.equal(versionMismatches(root), [], 'the checkout agrees with itself');
  assert.equal(versionMismatches(root, VERSION), []);
  const copy = await mkdtemp(join(tmpdir(), 'regsweep-version-'));
  try {
    const packages = (await readdir(join(root, 'packages'))).map((p) => `packages/${p}/package.json`);
    for (const f of ['package.json', ...packages, 'packages/core/src/version.ts', 'docs/api/variables/VERSION.md', 'templates/cleanup.yml', 'examples/gitlab/.gitlab-ci.yml']) {
      await mkdir(dirname(join(copy, f)), { recursive: true });
      await cp(join(root, f), join(copy, f));
    }
    setVersion(copy, '7.8.9');
    assert.equal(versionMismatches(copy, '7.8.9'), []);
    const cli = JSON.parse(await readFile(join(copy, 'packages/cli/package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
    assert.is(cli.version, '7.8.9');
    assert.is(cli.devDependencies['@regsweep/core'], '7.8.9');
    assert.match(await readFile(join(copy, 'packages/core/src/version.ts'), 'utf8'), /VERSION: string = '7\.8\.9'/);
    assert.match(await readFile(join(copy, 'docs/api/variables/VERSION.md'), 'utf8'), /\*\*VERSION\*\*: `string` = `'7\.8\.9'`/, 'the API reference moves too');
    const spec = parseAllDocuments(await readFile(join(copy, 'templates/cleanup.yml'), 'utf8'))[0]?.toJS() as { spec: { inputs: Record<string, { default: unknown }> } };
    assert.is(spec.spec.inputs['version']?.default, '7.8.9');
    assert.match(await readFile(join(copy, 'examples/gitlab/.gitlab-ci.yml'), 'utf8'), /regsweep\/cleanup@7\.8\.9\n/);
    await writeFile(join(copy, 'packages/gitlab/package.json'), (await readFile(join(copy, 'packages/gitlab/package.json'), 'utf8')).replace('"version": "7.8.9"', '"version": "7.8.8"'));
    assert.equal(versionMismatches(copy, '7.8.9'), ['packages/gitlab/package.json: 7.8.8, not 7.8.9']);
    assert.throws(() => setVersion(copy, '7.8'), /not a version like 1\.2\.3/);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
});

test('CHANGELOG.md has the entry of this version; release.mjs check refuses a tag without one', async () => {
  const changelog = await read('CHANGELOG.md');
  assert.ok((changelogEntry(changelog, VERSION) ?? '').length > 40);
  assert.is(changelogEntry(changelog, '99.0.0'), undefined);
  const r = await exec(process.execPath, ['scripts/release.mjs', 'check', `v${VERSION}`], { cwd: root });
  assert.match(r.stdout, new RegExp(`at ${VERSION.replaceAll('.', '\\.')}`));
  const wrong = await exec(process.execPath, ['scripts/release.mjs', 'check', 'v99.0.0'], { cwd: root }).then(() => undefined, (e: { code: number; stderr: string }) => e);
  assert.is(wrong?.code, 1);
  assert.match(wrong?.stderr ?? '', /packages\/core\/package\.json: .*, not 99\.0\.0/);
});

test('publish-packages.sh publishes the three packages once; a second run publishes nothing', async () => {
  const registry = await startFakeNpmRegistry();
  const home = await mkdtemp(join(tmpdir(), 'regsweep-publish-'));
  try {
    const env = { ...(await userNpmEnv(home)), npm_config_registry: registry.url, NPM_TOKEN: registry.token };
    const run = () => withPackLock(() => exec('bash', ['scripts/publish-packages.sh'], { cwd: root, env, maxBuffer: 1 << 24 }));
    const first = await run();
    for (const name of ['@regsweep/core', 'regsweep', '@regsweep/gitlab-ci']) {
      assert.equal([...(registry.published.get(name)?.keys() ?? [])], [VERSION], name);
      assert.match(first.stdout, new RegExp(`published ${name}@${VERSION.replaceAll('.', '\\.')}`));
    }
    const puts = registry.server.requests.filter((q) => q.method === 'PUT').length;
    const second = await run();
    assert.is(registry.server.requests.filter((q) => q.method === 'PUT').length, puts, 'nothing published twice');
    assert.match(second.stdout, /regsweep@[\d.]+ is already published/);
    assert.not.ok(`${first.stdout}${first.stderr}${second.stdout}${second.stderr}`.includes(registry.token), 'the token is never printed');
  } finally {
    await registry.close();
    await rm(home, { recursive: true, force: true });
  }
});

test.run();
