/**
 * readJobVariables: GitLab's predefined variables and the component's REGSWEEP_* variables into plain
 * settings; every bad value is an InputError naming the variable and the input behind it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '@regsweep/core';
import { parseList, readJobVariables } from '../src/index.js';
import { testSecret } from '@regsweep/test-kit/secrets';

const JOB_TOKEN = testSecret('job-token');
const TOKEN_A = testSecret('glpat-a');
const TOKEN_B = testSecret('glpat-b');

const CI = {
  CI_SERVER_URL: 'https://gitlab.example.com', CI_API_V4_URL: 'https://gitlab.example.com/api/v4', CI_PROJECT_ID: '42',
  CI_PROJECT_PATH: 'acme/app', CI_REGISTRY: 'registry.example.com', CI_REGISTRY_IMAGE: 'registry.example.com/acme/app',
  CI_JOB_TOKEN: JOB_TOKEN, CI_COMMIT_REF_NAME: 'main', CI_PROJECT_DIR: '/builds/acme/app',
};

function inputError(env: Record<string, string>): InputError {
  try {
    readJobVariables(env);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
}

test('a scheduled pipeline with the defaults: the job token, all repositories, reports in the project dir', () => {
  const s = readJobVariables(CI);
  assert.equal(s.auth, { kind: 'job', value: JOB_TOKEN });
  assert.is(s.tokenSource, 'CI_JOB_TOKEN');
  assert.is(s.serverUrl, 'https://gitlab.example.com');
  assert.equal(s.repositories, []);
  assert.is(s.dryRun, false);
  assert.is(s.mergeRequests, true);
  assert.is(s.listing, 'auto');
  assert.is(s.reportDir, '/builds/acme/app');
  assert.not.ok('maxDeletions' in s, 'optional settings are absent, not undefined');
});

test('the token: REGSWEEP_TOKEN, else the variable token-variable names ($ and braces tolerated), else CI_JOB_TOKEN', () => {
  assert.equal(readJobVariables({ ...CI, REGSWEEP_TOKEN: TOKEN_A }).auth, { kind: 'token', value: TOKEN_A });
  const named = readJobVariables({ ...CI, REGSWEEP_TOKEN_VARIABLE: '${CLEANUP_TOKEN}', CLEANUP_TOKEN: TOKEN_B });
  assert.equal(named.auth, { kind: 'token', value: TOKEN_B });
  assert.is(named.tokenSource, 'variable CLEANUP_TOKEN');
  assert.is(readJobVariables({ ...CI, REGSWEEP_TOKEN_VARIABLE: 'CI_JOB_TOKEN' }).auth.kind, 'job');
  assert.match(inputError({ ...CI, REGSWEEP_TOKEN_VARIABLE: 'CLEANUP_TOKEN' }).message, /token-variable input\) names CLEANUP_TOKEN, but this job has no such variable/);
  assert.match(inputError({ ...CI, CI_JOB_TOKEN: '' }).message, /no token/);
});

test('inputs: lists as words or JSON (a GitLab array input), numbers, booleans, listing', () => {
  assert.equal(parseList('REGSWEEP_REPOSITORIES', 'acme/app, web\napi'), ['acme/app', 'web', 'api']);
  assert.equal(parseList('REGSWEEP_REPOSITORIES', '["acme/app/*", " web "]'), ['acme/app/*', 'web']);
  assert.match(inputError({ ...CI, REGSWEEP_REPOSITORIES: '[1, 2]' }).message, /repositories input\): expected a list of strings/);
  const s = readJobVariables({ ...CI, REGSWEEP_MAX_DELETIONS: '500', REGSWEEP_DRY_RUN: 'TRUE', REGSWEEP_MERGE_REQUESTS: 'false', REGSWEEP_LISTING: 'rest', REGSWEEP_REQUESTS_PER_MINUTE: '600' });
  assert.equal([s.maxDeletions, s.dryRun, s.mergeRequests, s.listing, s.requestsPerMinute], [500, true, false, 'rest', 600]);
  assert.is(readJobVariables({ ...CI, REGSWEEP_MAX_DELETIONS: '0' }).maxDeletions, undefined, '0 = no limit (the input default)');
  assert.match(inputError({ ...CI, REGSWEEP_MAX_DELETIONS: '-3' }).message, /max-deletions input\): expected a whole number/);
  for (const v of ['2.5', '1e3', '0x10', '12abc', '99999999999999999999']) {
    assert.match(inputError({ ...CI, REGSWEEP_REQUESTS_PER_MINUTE: v }).message, new RegExp(`^REGSWEEP_REQUESTS_PER_MINUTE .*: expected a whole number of 1 or more, in digits \\(0 for the default\\), got "${v}"$`));
  }
  assert.match(inputError({ ...CI, REGSWEEP_LISTING: 'fast' }).message, /expected auto, gitlab-v1 or rest/);
});

test('predefined variables: missing, inconsistent or a registry that is off', () => {
  const { CI_PROJECT_ID: _, ...noId } = CI;
  assert.match(inputError(noId).message, /^CI_PROJECT_ID is not set/);
  assert.match(inputError({ ...CI, CI_API_V4_URL: 'https://other.example.com/api/v4' }).message, /not below CI_SERVER_URL/);
  const { CI_SERVER_URL: __, ...apiOnly } = CI;
  assert.is(readJobVariables(apiOnly).serverUrl, 'https://gitlab.example.com');
  assert.match(inputError({ ...CI, CI_REGISTRY: '' }).message, /container registry is turned off for acme\/app/);
});

test('URL variables with user:password@ are refused, shown masked; a token given instead of a variable name is not echoed', () => {
  const password = testSecret('url-password');
  for (const [name, value, masked] of [
    ['CI_SERVER_URL', `https://bot:${password}@gitlab.example.com`, 'https://***@gitlab.example.com'],
    ['CI_API_V4_URL', `https://bot:${password}@gitlab.example.com/api/v4`, 'https://***@gitlab.example.com/api/v4'],
    ['CI_REGISTRY', `bot:${password}@registry.example.com`, '***@registry.example.com'],
    ['CI_REGISTRY_IMAGE', `bot:${password}@registry.example.com/acme/app`, '***@registry.example.com/acme/app'],
  ] as const) {
    const e = inputError({ ...CI, [name]: value });
    assert.is(e.message, `credentials in ${name} are not accepted (${masked})`);
    assert.match(e.hint ?? '', new RegExp(`set ${name} without user:password@`));
    assert.not.ok(`${e.message}${e.hint ?? ''}`.includes(password));
  }
  const token = testSecret('glpat-pasted');
  for (const name of ['REGSWEEP_TOKEN_VARIABLE', 'REGSWEEP_KUBECONFIG_VARIABLE']) {
    const e = inputError({ ...CI, [name]: token });
    assert.match(e.message, new RegExp(`^${name} \\(the [a-z-]+ input\\): its value is not the name of a CI/CD variable`));
    assert.not.ok(`${e.message}${e.hint ?? ''}`.includes(token), `${name}: the value is not echoed`);
  }
});

test.run();
