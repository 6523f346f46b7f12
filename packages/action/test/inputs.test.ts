/** The action's inputs become plain data; every mistake names the input. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '@regsweep/core';
import { readInputs } from '../src/inputs.js';

/** What a runner passes for a scheduled run with action.yml's defaults filled in. */
const scheduled: Record<string, string> = {
  token: 'ghs_secret', owner: 'acme', packages: '', repository: 'acme/app', config: '', 'dry-run': 'false',
  'api-url': 'https://api.github.com', 'registry-url': 'https://ghcr.io', kubeconfig: '', 'max-deletions': '', 'pull-requests': 'true',
  'cache-dir': '',
};
const get = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';

test('defaults of a scheduled run: the repository name is the package, nothing optional is set', () => {
  const i = readInputs(get(scheduled), { repository: 'acme/app' });
  assert.equal(i, {
    token: 'ghs_secret', owner: 'acme', packages: ['app'], repository: { owner: 'acme', name: 'app' }, dryRun: false,
    apiUrl: 'https://api.github.com', registryUrl: 'https://ghcr.io', pullRequests: true, keepCache: true,
    hostCleanup: false, hostSafetyWindowMs: 2 * 3_600_000,
  });
});

test('a workflow_dispatch dry run with several packages, a budget and a GHES api-url', () => {
  const i = readInputs(get({ ...scheduled, 'dry-run': 'true', packages: 'app, app/worker\ntools', 'max-deletions': '250', 'api-url': 'https://ghe.example/api/v3/' }), {});
  assert.is(i.dryRun, true);
  assert.equal(i.packages, ['app', 'app/worker', 'tools']);
  assert.is(i.maxDeletions, 250);
  assert.is(i.apiUrl, 'https://ghe.example/api/v3');
});

test('cache-dir is passed on as given (the action resolves it against the workspace)', () => {
  assert.is(readInputs(get({ ...scheduled, 'cache-dir': ' .regsweep-cache ' }), {}).cacheDir, '.regsweep-cache');
});

test('registry-url: a loopback host without a scheme is plain HTTP, as Docker treats it; others HTTPS', () => {
  const registryUrl = (value: string): string => readInputs(get({ ...scheduled, 'registry-url': value }), {}).registryUrl;
  assert.is(registryUrl('127.0.0.1:5000'), 'http://127.0.0.1:5000');
  assert.is(registryUrl('localhost:5000/'), 'http://localhost:5000');
  assert.is(registryUrl('ghcr.example.com'), 'https://ghcr.example.com');
  assert.is(registryUrl('https://127.0.0.1:5000'), 'https://127.0.0.1:5000', 'a scheme given is kept');
  assert.throws(() => registryUrl('https://ghcr.io/acme'), /input registry-url: "https:\/\/ghcr.io\/acme" is not a registry host/);
});

test('bad inputs are InputErrors naming the input', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ 'dry-run': 'maybe' }, /input dry-run/],
    [{ 'max-deletions': '0' }, /input max-deletions/],
    ...['1.5', '1e3', '0x10', '3abc', '-2', '99999999999999999999'].map((v): [Record<string, string>, RegExp] => [{ 'max-deletions': v }, new RegExp(`^input max-deletions: expected a whole number of 1 or more, in digits, got "${v}"$`)]),
    [{ repository: 'not a repo' }, /input repository/],
    [{ token: '' }, /input token/],
    [{ packages: 'bad name!' }, /input packages/],
  ];
  for (const [change, message] of cases) {
    try {
      readInputs(get({ ...scheduled, ...change }), {});
      assert.unreachable(JSON.stringify(change));
    } catch (err) {
      assert.instance(err, InputError);
      assert.match((err as Error).message, message);
    }
  }
});

test.run();
