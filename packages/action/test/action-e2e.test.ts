/**
 * The GitHub Action end to end: `node dist/github/index.js` (the committed bundle) in a runner's
 * environment against a fake GitHub (GraphQL, Packages REST, ghcr.io reads), then the fake's state,
 * the outputs file, the job summary and the JSON report are checked. Real time: small worlds and
 * short retry-after values keep the whole file well under a minute.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Handler } from '@regsweep/test-kit/server';
import { annotations, checkMasked, inputsFor, report, scenario, sha, sorted, writes } from './support/e2e.js';
import { declaredInputs, runBundle } from './support/runner.js';
import { TOKEN, World, type VersionSpec } from './support/world.js';
import { testSecret } from '@regsweep/test-kit/secrets';
import { bundleNode, versionBundlesRunOn } from '@regsweep/test-kit/node-process';
import { FakeKube, kubeconfigYaml } from '@regsweep/test-kit/fake-kube';

/**
 * main m1..m6 (a day apart), feature/live at f1, a pull request's head p1 (no branch), tag v1.0 at m2;
 * images of every one of them, plus two of a deleted branch (commits GitHub no longer has) and an
 * untagged one.
 */
function branchesWorld(): { world: World; kept: string[]; gone: string[]; pr: string } {
  const world = new World();
  const m = world.model;
  m.line('m', 6, World.daysAgo(1));
  m.commit('f1', World.daysAgo(2), ['m5']);
  m.commit('p1', World.daysAgo(3), ['m4']);
  m.branch('main', 'm6').branch('feature/live', 'f1').tag('v1.0', 'm2').pr(7, 'p1');
  const versions: VersionSpec[] = [];
  const kept: string[] = [];
  for (let i = 1; i <= 6; i++) {
    const digest = world.image(`m${i}`, 7 - i);
    kept.push(digest);
    versions.push({ digest, tags: [sha(`m${i}`), ...(i === 6 ? ['main'] : []), ...(i === 2 ? ['v1.0'] : [])] });
  }
  const live = world.image('f1', 2);
  const pr = world.image('p1', 3);
  kept.push(live, pr);
  const gone = [world.image('g1', 9), world.image('g2', 8), world.image(undefined, 10)];
  versions.push({ digest: live, tags: ['feature-live'] }, { digest: pr, tags: ['pr-7'] });
  versions.push({ digest: gone[0] as string, tags: ['feature-gone'] }, { digest: gone[1] as string, tags: [sha('g2')] }, { digest: gone[2] as string });
  world.publish(versions);
  return { world, kept, gone, pr };
}

test('the bundle runs on the Node binary the run names (REGSWEEP_TEST_NODE; this one without it)', async () => {
  const expected = bundleNode().version;
  assert.is(await versionBundlesRunOn(), expected);
  console.log(`bundle end-to-end tests on node ${expected}`);
});

test('every input of action.yml is passed by these tests', async () => {
  assert.equal(Object.keys(inputsFor({ url: 'http://fake' })).sort(), await declaredInputs());
});

test('deleted branches: their images go, everything a branch, tag or pull request needs stays; outputs, summary, report', async () => {
  const { world, kept, gone } = branchesWorld();
  await scenario(world, async (dirs) => {
    await writeFile(join(dirs.workspace, '.regsweep.yml'), 'cleanup:\n  keepImagesBuiltWithinLastNHours: 1\n');
    const run = await runBundle(dirs, world.url, inputsFor(world));
    assert.is(run.code, 0, run.stdout + run.stderr);
    await checkMasked(run);
    assert.equal(world.left(), sorted(kept));
    assert.equal(world.requests.filter((r) => r.method === 'DELETE').length, gone.length);
    assert.equal({ ...run.outputs, report: undefined }, { deleted: '3', kept: '8', failed: '0', report: undefined });
    assert.is(run.outputs['report'], join(dirs.temp, 'regsweep-report.json'));
    const r = await report(run);
    assert.is(r.policySource, '.regsweep.yml');
    assert.equal(sorted(r.deleted.map((d) => d.digest)), sorted(gone));
    assert.ok(r.deleted.every((d) => d.status === 'deleted'));
    assert.equal(r.repositories[0]?.keptByReason, { 'git-history': 8 });
    assert.match(run.summary, /^### regsweep cleanup for acme\/app: kept 8, deleted 3/);
    assert.match(run.summary, /\| `127\.0\.0\.1:\d+\/acme\/app` \| 8 \| git-history 8 \| 3 \| 0 \| 0 \| 0 \|/);
    assert.match(run.summary, /<details><summary>Every decision \(11\)<\/summary>/);
    assert.match(run.summary, /\| pr-7 \| kept: git-history \| 1st image group of branch pr-7; default keepPolicies\[1\] keeps 2 within 168h \(commit/);
    assert.match(run.stdout, /in-use protection is off/);
    assert.equal(annotations(run, 'error'), []);
    assert.ok(run.ms < 20_000, `took ${run.ms} ms`);
  });
});

test('kubeconfig input: the deleted branch image a Deployment still runs stays, where it runs is in the summary; the kube token is masked', async () => {
  const { world, kept, gone } = branchesWorld();
  const kubeToken = testSecret('kube-e2e');
  const kube = new FakeKube({ token: kubeToken });
  await scenario(world, async (dirs) => {
    await kube.start();
    try {
      const host = new URL(world.url).host;
      kube.workload('deployments', 'web', 'legacy', { containers: [`${host}/acme/app:feature-gone`] });
      const kubeconfig = kubeconfigYaml([{ name: 'prod', server: kube.url, token: kubeToken }]);
      await writeFile(join(dirs.workspace, '.regsweep.yml'), 'cleanup:\n  keepImagesBuiltWithinLastNHours: 1\n');
      const run = await runBundle(dirs, world.url, inputsFor(world, { kubeconfig }));
      assert.is(run.code, 0, run.stdout + run.stderr);
      await checkMasked(run);
      assert.ok(run.stdout.includes(`::add-mask::${kubeToken}`), 'the kubeconfig token is masked');
      assert.equal(world.left(), sorted([...kept, gone[0] as string]), 'feature-gone stays: a Deployment runs it');
      const r = await report(run);
      const legacy = r.kept.find((k) => k.digest === gone[0]);
      assert.equal(legacy?.details.find((d) => d.reason === 'in-use')?.where, { context: 'prod', namespace: 'web', kind: 'Deployment', name: 'legacy' });
      assert.match(run.stdout, /in-use protection: reading what 1 Kubernetes context\(s\) run \(prod\) from input kubeconfig/);
      assert.match(run.summary, /Deployment web\/legacy in context prod/);
    } finally {
      await kube.close();
    }
  });
});

test('dry run: the same plan, no write request at all, no cache written; pull-requests: false lets the PR image go', async () => {
  const { world, kept, gone, pr } = branchesWorld();
  await scenario(world, async (dirs) => {
    const cacheDir = join(dirs.base, 'cache');
    const run = await runBundle(dirs, world.url, inputsFor(world, { 'dry-run': 'true', 'pull-requests': 'false', 'cache-dir': cacheDir }));
    assert.is(run.code, 0, run.stdout + run.stderr);
    await checkMasked(run);
    assert.equal(writes(world).map((r) => `${r.method} ${r.url}`), [], 'only GETs and GraphQL queries');
    assert.equal(world.left(), sorted([...kept, ...gone]));
    assert.equal({ deleted: run.outputs['deleted'], kept: run.outputs['kept'] }, { deleted: '4', kept: '7' });
    const r = await report(run);
    assert.ok(r.dryRun && r.deleted.every((d) => d.status === 'would-delete'));
    assert.ok(r.deleted.some((d) => d.digest === pr), 'without pull requests, the PR head image is not kept');
    assert.match(run.summary, /> Dry run: nothing was changed\./);
    assert.match(run.summary, /would delete 4/);
    assert.is(await stat(cacheDir).then(() => true, () => false), false, 'a dry run writes no cache');
  });
});

test('multi-arch with signatures: an old index goes with its children and signature in the safe order; a tagged index keeps its children; GHCR\'s 400 is skipped', async () => {
  const world = new World();
  world.model.line('m', 3, World.daysAgo(1));
  world.model.branch('main', 'm3').tag('v2.0', 'm3');
  const current = world.multiArch('m3', 1);
  const old = world.multiArch('gone1', 30);
  const popular = world.image(undefined, 40);
  const sigCurrent = world.signature(current.index);
  const sigOld = world.signature(old.index);
  world.publish([
    { digest: current.index, tags: ['v2.0', 'main'] }, ...current.children.map((digest) => ({ digest })), sigCurrent,
    { digest: old.index, tags: ['feature-gone'] }, ...old.children.map((digest) => ({ digest })), sigOld,
    { digest: popular, downloads: 9000 },
  ]);
  await scenario(world, async (dirs) => {
    const run = await runBundle(dirs, world.url, inputsFor(world));
    assert.is(run.code, 0, run.stdout + run.stderr);
    await checkMasked(run);
    assert.equal(world.left(), sorted([current.index, ...current.children, sigCurrent.digest, popular]), 'the tagged index and its children and signature stay');
    const order = world.requests.filter((r) => r.method === 'DELETE').map((r) => r.url);
    const position = (digest: string): number => order.findIndex((u) => u.endsWith(`/${world.ids.get(digest) ?? 'none'}`));
    assert.ok([sigOld.digest, old.index, ...old.children].every((d) => position(d) >= 0), 'all four were deleted');
    assert.ok(position(sigOld.digest) < position(old.index), 'the signature before its index');
    for (const child of old.children) assert.ok(position(old.index) < position(child), 'the index before its children');
    const r = await report(run);
    assert.equal(r.skipped.map((s) => s.digest), [popular]);
    assert.match(r.skipped[0]?.message ?? '', /more than 5000 downloads/);
    assert.equal({ ...run.outputs, report: undefined }, { deleted: '4', kept: '4', failed: '0', report: undefined });
    assert.match(run.summary, /#### Skipped \(1\)\n\n- .*more than 5000 downloads/);
    assert.equal(annotations(run, 'error'), []);
  });
});

test('a rate-limit storm: nothing is sent while GitHub says wait, then the run finishes', async () => {
  let stormEnd = 0;
  const world: World = new World({ before: [stormOnFirstDelete(() => world, 2500, (end) => (stormEnd = end))] });
  world.model.line('m', 2, World.daysAgo(1));
  world.model.branch('main', 'm2');
  const main = world.image('m2', 1);
  const untagged = Array.from({ length: 10 }, (_, i) => world.image(undefined, 20 + i));
  world.publish([{ digest: main, tags: ['main'] }, ...untagged.map((digest) => ({ digest }))]);
  await scenario(world, async (dirs) => {
    const run = await runBundle(dirs, world.url, inputsFor(world));
    assert.is(run.code, 0, run.stdout + run.stderr);
    assert.equal(world.left(), [main]);
    const log = world.packages.log;
    const limited = log.filter((l) => l.rateLimited);
    assert.ok(limited.length >= 1 && limited.length <= 8, `${limited.length} requests were refused (at most the ones in flight)`);
    assert.is(new Set(limited.map((l) => l.url)).size, limited.length, 'no request was repeated during the storm');
    const firstAnswer = Math.min(...limited.map((l) => l.end));
    const during = log.filter((l) => l.at > firstAnswer + 300 && l.at < stormEnd);
    assert.equal(during.map((l) => `${l.method} ${l.url} ${stormEnd - l.at} ms before the storm ended`), [], 'no request while limited');
    assert.ok(log.filter((l) => l.status === 204).every((l) => l.at >= stormEnd));
    assert.equal((await report(run)).deleted.length, 10);
  });
});

/** A handler that starts a storm of 403 + retry-after at the first DELETE (and passes every request on). */
function stormOnFirstDelete(world: () => World, ms: number, started: (end: number) => void): Handler {
  let done = false;
  return (req) => {
    if (req.method === 'DELETE' && !done) {
      done = true;
      const end = Date.now() + ms;
      world().packages.storm(end, Math.ceil(ms / 1000));
      started(end);
    }
    return false;
  };
}

test('an exhausted hourly budget: a clean stop with a notice and exit 0; the next run finishes, reading no manifest again', async () => {
  // 14 requests above the reserve of 50: the listing (read twice), the fresh look before deleting (twice
  // again) and some of the 12 deletes fit into one run, the rest into the next.
  const world = new World({ hourlyBudget: 64 });
  world.model.line('m', 2, World.daysAgo(1));
  world.model.branch('main', 'm2');
  const main = world.image('m2', 1);
  const untagged = Array.from({ length: 12 }, (_, i) => world.image(undefined, 20 + i));
  world.publish([{ digest: main, tags: ['main'] }, ...untagged.map((digest) => ({ digest }))]);
  await scenario(world, async (dirs) => {
    const cacheDir = join(dirs.base, 'digest-cache');
    const first = await runBundle(dirs, world.url, inputsFor(world, { 'cache-dir': cacheDir }));
    assert.is(first.code, 0, first.stdout + first.stderr);
    const r1 = await report(first);
    assert.ok(r1.notAttempted.length > 0 && r1.deleted.length > 0, `${r1.deleted.length} deleted, ${r1.notAttempted.length} left`);
    assert.is(r1.deleted.length + r1.notAttempted.length, 12);
    assert.is(r1.exitCode, 0);
    assert.match(annotations(first, 'notice').join('\n'), /left for the next run: GitHub's hourly request budget is down to \d+ \(keeping a reserve of 50\)/);
    assert.equal(annotations(first, 'error'), []);
    assert.match(first.summary, /\*\*\d+ left for the next run:\*\*/);
    assert.equal(world.packages.log.filter((l) => l.rateLimited), [], 'GitHub never had to refuse anything');
    assert.is(world.left().length, 1 + r1.notAttempted.length);

    world.packages.resetBudgets();
    const downloads = [...world.oci.downloads.values()].reduce((a, b) => a + b, 0);
    const second = await runBundle(dirs, world.url, inputsFor(world, { 'cache-dir': cacheDir }));
    assert.is(second.code, 0, second.stdout + second.stderr);
    assert.equal(world.left(), [main]);
    assert.is((await report(second)).deleted.length, r1.notAttempted.length);
    assert.equal(annotations(second, 'notice'), []);
    assert.is([...world.oci.downloads.values()].reduce((a, b) => a + b, 0), downloads, 'manifests come from the digest cache');
  });
});

test('a budget already spent by another job: nothing is read or deleted, a notice, exit 0', async () => {
  const { world, kept, gone } = branchesWorld();
  await scenario(world, async (dirs) => {
    world.packages.exhaust(TOKEN);
    const run = await runBundle(dirs, world.url, inputsFor(world));
    assert.is(run.code, 0, run.stdout + run.stderr);
    assert.equal(world.requests.map((r) => `${r.method} ${r.url}`), ['GET /users/acme'], 'one refused request, not repeated');
    assert.match(annotations(run, 'notice').join('\n'), /request budget ran out before acme\/app could be read: nothing was deleted there; the next run continues/);
    assert.match(annotations(run, 'warning').join('\n'), /acme\/app: not read: .*hourly request budget is used up/);
    assert.equal(world.left(), sorted([...kept, ...gone]));
    assert.equal(annotations(run, 'error'), []);
  });
});

test('max-deletions is one budget for the whole run: two packages, three deletions, the rest for the next run', async () => {
  const { world, kept, gone } = branchesWorld();
  const tools = [world.image(undefined, 30, undefined, 'tools'), world.image(undefined, 31, undefined, 'tools')];
  world.publish(tools.map((digest) => ({ digest })), 'tools');
  await scenario(world, async (dirs) => {
    const run = await runBundle(dirs, world.url, inputsFor(world, { packages: 'app, tools', 'max-deletions': '3' }));
    assert.is(run.code, 0, run.stdout + run.stderr);
    assert.equal(world.left(), sorted(kept), 'app first: its three deletions use the budget');
    assert.equal(world.left('tools'), sorted(tools));
    const r = await report(run);
    assert.equal(r.repositories.map((p) => [p.deleted, p.notAttempted]), [[gone.length, 0], [0, 2]]);
    assert.match(annotations(run, 'notice').join('\n'), /2 deletion\(s\) left for the next run: max-deletions \(3 for the whole run\) reached; the next run continues/);
    assert.is(world.requests.filter((q) => q.url === '/graphql').length > 0, true);
  });
});

test('a wrong token: exit 2 (bad input) with what to do, nothing read or deleted', async () => {
  const { world } = branchesWorld();
  await scenario(world, async (dirs) => {
    const wrong = testSecret('ghp-wrong');
    const run = await runBundle(dirs, world.url, inputsFor(world, { token: wrong }));
    assert.is(run.code, 2);
    await checkMasked(run, wrong);
    const [error] = annotations(run, 'error');
    assert.match(error ?? '', /GitHub rejected the token \(401 Bad credentials\)/);
    assert.match(error ?? '', /fix: .*GITHUB_TOKEN with `permissions: packages: write`.*classic personal access token/);
    assert.equal(world.requests.map((r) => `${r.method} ${r.url}`), ['GET /users/acme']);
    assert.equal({ ...run.outputs, report: undefined }, { deleted: '0', kept: '0', failed: '0', report: undefined });
    assert.match(run.summary, /> \*\*Stopped:\*\* .*rejected the token/);
  });
});

test('a package that does not exist: exit 1 naming package and owner; the other package is still cleaned', async () => {
  const { world, kept } = branchesWorld();
  await scenario(world, async (dirs) => {
    const run = await runBundle(dirs, world.url, inputsFor(world, { packages: 'app\nghost' }));
    assert.is(run.code, 1);
    const [error] = annotations(run, 'error');
    assert.match(error ?? '', /package ghost of owner acme not found \(or the token cannot see it\)/);
    assert.match(error ?? '', /1 of 2 packages failed/);
    assert.equal(world.left(), sorted(kept), 'app was cleaned');
    assert.is(run.outputs['deleted'], '3');
  });
});

test.run();
