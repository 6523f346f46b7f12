/**
 * `runAction` in-process with a recording runner: the token is masked before anything is printed,
 * input mistakes fail the step with the fix, the kubeconfig input fails closed, the report
 * and outputs are written even when the run stops; and the job summary's markdown is safe.
 */
import { readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyReport, type Report } from '@regsweep/core';
import { renderJobSummary, runAction, type ActionDeps } from '../src/index.js';
import { recordRun } from './support/record.js';
import { testSecret } from '@regsweep/test-kit/secrets';
import { inTemp as inTempFolder } from './support/temp.js';

const TOKEN = testSecret('ghp-in-process');
const KUBE_TOKEN = testSecret('kube-token');
const inputs: Record<string, string> = {
  token: TOKEN, owner: 'acme', packages: 'app', repository: 'acme/app', config: '', 'dry-run': 'false',
  'api-url': 'http://github.invalid', 'registry-url': 'http://ghcr.invalid', kubeconfig: '', 'max-deletions': '', 'pull-requests': 'true', 'cache-dir': '',
};

/** runAction, with what it printed and wrote recorded for the secret check. */
async function run(r: Recorded): ReturnType<typeof runAction> {
  const result = await runAction(r.deps);
  recordRun(r, result.reportPath);
  return result;
}

interface Recorded {
  deps: ActionDeps;
  calls: string[];
  outputs: Record<string, string>;
  summary: string[];
}

function recorder(dir: string, change: Record<string, string>, fetchImpl?: typeof globalThis.fetch): Recorded {
  const calls: string[] = [];
  const outputs: Record<string, string> = {};
  const summary: string[] = [];
  const all = { ...inputs, ...change };
  const deps: ActionDeps = {
    getInput: (name) => all[name] ?? '',
    env: { GITHUB_REPOSITORY: 'acme/app', GITHUB_WORKSPACE: dir, RUNNER_TEMP: dir },
    setSecret: (s) => calls.push(`secret ${s}`),
    setOutput: (n, v) => void (outputs[n] = v),
    debug: (m) => calls.push(`debug ${m}`),
    info: (m) => calls.push(`info ${m}`),
    warning: (m) => calls.push(`warning ${m}`),
    notice: (m) => calls.push(`notice ${m}`),
    setFailed: (m) => calls.push(`failed ${m}`),
    writeSummary: async (md) => void summary.push(md),
    tmpdir: dir, cwd: dir,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  };
  return { deps, calls, outputs, summary };
}

const inTemp = (body: (dir: string) => Promise<void>): Promise<void> => inTempFolder('regsweep-action-main-', body);

test('a bad input: the token is masked first, the step fails with the input named, report and outputs still written', async () => {
  await inTemp(async (dir) => {
    const r = recorder(dir, { 'dry-run': 'maybe' });
    const result = await run(r);
    assert.is(result.exitCode, 2);
    assert.is(r.calls[0], `secret ${TOKEN}`);
    assert.equal(r.calls.filter((c) => c.startsWith('failed')), ['failed input dry-run: expected true or false, got "maybe"']);
    assert.equal(r.outputs, { deleted: '0', kept: '0', failed: '0', report: join(dir, 'regsweep-report.json') });
    const report = JSON.parse(await readFile(join(dir, 'regsweep-report.json'), 'utf8')) as Report;
    assert.equal(report.error, { message: 'input dry-run: expected true or false, got "maybe"', exitCode: 2 });
    assert.match(r.summary[0] ?? '', /> \*\*Stopped:\*\* input dry-run/);
  });
});

test('a config input naming a missing file: the input is named, with the fix', async () => {
  await inTemp(async (dir) => {
    const r = recorder(dir, { config: 'cleanup/regsweep.yml' });
    assert.is((await run(r)).exitCode, 2);
    const failed = r.calls.find((c) => c.startsWith('failed')) ?? '';
    assert.match(failed, /^failed input config: .*cleanup\/regsweep\.yml does not exist\nfix: .*actions\/checkout/);
  });
});

test('kubeconfig input: one without a context fails closed before anything is read (exit 2); an unreachable cluster stops the run (exit 1)', async () => {
  await inTemp(async (dir) => {
    let asked = 0;
    const refuse: typeof globalThis.fetch = async () => {
      asked += 1;
      return new Response(JSON.stringify({ message: `Bad credentials for ${TOKEN}` }), { status: 401, headers: { 'content-type': 'application/json' } });
    };
    const r = recorder(dir, { kubeconfig: 'apiVersion: v1\nkind: Config\n' }, refuse);
    assert.is((await run(r)).exitCode, 2);
    assert.match(r.calls.find((c) => c.startsWith('failed')) ?? '', /^failed the kubeconfig has no context/);
    assert.is(asked, 0, 'GitHub was not asked anything');
    assert.ok(r.calls.slice(1).every((c) => !c.includes(TOKEN)));
    assert.ok(r.summary.every((s) => !s.includes(TOKEN)));
    const kubeconfig = 'apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: prod\n  cluster:\n    server: http://127.0.0.1:9\n    insecure-skip-tls-verify: true\n' +
      `users:\n- name: ci\n  user:\n    token: ${KUBE_TOKEN}\ncontexts:\n- name: prod\n  context:\n    cluster: prod\n    user: ci\n`;
    const down = recorder(dir, { kubeconfig }, refuse);
    assert.is((await run(down)).exitCode, 1);
    assert.match(down.calls.find((c) => c.startsWith('failed')) ?? '', /^failed Kubernetes context prod: cannot reach http:\/\/127\.0\.0\.1:9.*nothing was deleted/);
    assert.ok(down.calls.includes(`secret ${KUBE_TOKEN}`), 'the kubeconfig\'s token is masked');
    assert.is(asked, 0);
  });
});

test('a report path that cannot be written (under a file, a planted link): exit 2 before any request, the link\'s target unchanged', async () => {
  await inTemp(async (dir) => {
    let asked = 0;
    const count: typeof globalThis.fetch = async () => {
      asked += 1;
      return new Response('{}', { status: 500 });
    };
    const file = join(dir, 'not-a-folder');
    await writeFile(file, 'x');
    const underFile = recorder(dir, {}, count);
    const result = await runAction({ ...underFile.deps, env: { ...underFile.deps.env, RUNNER_TEMP: file } });
    assert.is(result.exitCode, 2);
    assert.equal(underFile.calls.filter((c) => c.startsWith('failed')), [
      `failed the JSON report (RUNNER_TEMP/regsweep-report.json): cannot write ${file}/regsweep-report.json: ${file} is a file, not a folder\n` +
      'fix: RUNNER_TEMP must be a folder the job can write (the runner sets it): check that no earlier step changed it or put something in the way',
    ]);
    assert.is(underFile.outputs['report'], '', 'no report path is given out');

    const victim = join(dir, 'victim.txt');
    await writeFile(victim, 'precious\n');
    await symlink(victim, join(dir, 'regsweep-report.json'));
    const planted = recorder(dir, {}, count);
    assert.is((await runAction(planted.deps)).exitCode, 2);
    assert.match(planted.calls.find((c) => c.startsWith('failed')) ?? '', /regsweep-report\.json is a symbolic link \(to .*victim\.txt\), and regsweep never writes through a link/);
    assert.is(await readFile(victim, 'utf8'), 'precious\n');
    assert.is(await readlink(join(dir, 'regsweep-report.json')), victim);
    assert.equal((await readdir(dir)).sort(), ['not-a-folder', 'regsweep-report.json', 'victim.txt']);
    assert.is(asked, 0, 'GitHub was not asked anything');
    assert.ok(planted.summary.every((s) => !s.includes(TOKEN)));
  });
});

test('job summary: table cells cannot break the table or inject HTML; the decision list is collapsed', () => {
  const report = emptyReport({ command: 'cleanup', dryRun: false, now: new Date(0), startedAt: new Date(0), policySource: 'default' });
  report.repositories.push({ repository: 'ghcr.io/acme/app', kept: 1, deleted: 1, tagsRemoved: 0, failed: 0, skipped: 0, notAttempted: 0, keptByReason: { 'keep-list': 1 }, keptByAnyReason: { 'keep-list': 1 }, stats: { images: 2, refs: 0, selectedRefs: 0, commitsRead: 0, commitsVisited: 0 } });
  report.kept.push({ repository: 'ghcr.io/acme/app', digest: `sha256:${'a'.repeat(64)}`, tags: ['a|b'], kind: 'image', reasons: ['keep-list'], details: [{ reason: 'keep-list', rule: 'keep-list', detail: 'tag a|b matches <script>' }] });
  report.deleted.push({ repository: 'ghcr.io/acme/app', digest: `sha256:${'b'.repeat(64)}`, tags: [], kind: 'image', why: 'untagged\nand old', decision: { cause: 'untagged', rule: 'cleanup.untagged.keepFor' }, status: 'deleted', size: 2_500_000 });
  const md = renderJobSummary(report, { repository: 'acme/app', reportPath: '/tmp/r.json' });
  assert.match(md, /\| `ghcr\.io\/acme\/app` \| 1 \| keep-list 1 \| 1 \| 0 \| 0 \| 0 \|/);
  assert.match(md, /#### Largest deletions[\s\S]*\| `bbbbbbbbbbbb` \| _untagged_ \| 2\.5 MB \| untagged and old \|/);
  assert.match(md, /\| a\\\|b \| kept: keep-list \| tag a\\\|b matches &lt;script&gt; \|/);
  assert.match(md, /<details><summary>Every decision \(2\)<\/summary>\n\n\| package/);
  assert.not.match(md, /<script>/);
});

test.run();
