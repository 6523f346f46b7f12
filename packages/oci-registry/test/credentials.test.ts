/** Credentials: precedence, Docker config forms, credential helpers (fake and a real script on PATH). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@regsweep/core';
import {
  dockerConfigPath,
  normaliseRegistryHost,
  openOciRegistry,
  readTextFileIfExists,
  resolveCredentials,
  spawnHelper,
  type HelperResult,
  type HelperRunner,
  type ResolveCredentialsOptions,
} from '../src/index.js';
import { Pusher } from '@regsweep/test-kit/push';
import { bcryptHash, startRegistry } from '@regsweep/test-kit/registry-server';
import { testSecret } from '@regsweep/test-kit/secrets';

const HOST = 'registry.example.com:5000';
const SECRET = testSecret('docker-password');
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const temps: string[] = [];
test.after(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

interface Call { program: string; args: readonly string[]; input: string }
function fakeHelpers(answers: Record<string, HelperResult>): { run: HelperRunner; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    run: async (program, args, input) => {
      calls.push({ program, args, input });
      return answers[program] ?? { kind: 'missing' };
    },
  };
}

function options(config: object | string | undefined, extra: Partial<ResolveCredentialsOptions> = {}): ResolveCredentialsOptions {
  const text = config === undefined ? undefined : typeof config === 'string' ? config : JSON.stringify(config);
  return {
    registryHost: HOST,
    env: {},
    homedir: '/home/u',
    readFile: async (path) => (path === '/home/u/.docker/config.json' ? text : undefined),
    runHelper: fakeHelpers({}).run,
    ...extra,
  };
}

async function inputError(promise: Promise<unknown>): Promise<InputError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InputError) {
      const all = `${error.message} ${error.hint ?? ''}`;
      assert.not.match(all, SECRET, 'a password leaked into a message');
      assert.not.match(all, b64(`alice:${SECRET}`), 'an auth string leaked into a message');
      return error;
    }
    throw error;
  }
  throw new Error('expected an InputError');
}

const ok = (user: string, secret: string): HelperResult => ({ kind: 'exited', exitCode: 0, stdout: JSON.stringify({ ServerURL: HOST, Username: user, Secret: secret }), stderr: '' });

test('order: explicit, then REGSWEEP_REGISTRY_USERNAME/_PASSWORD, then the Docker config', async () => {
  const config = { auths: { [HOST]: { auth: b64('docker-user:docker-pass') } } };
  const env = { REGSWEEP_REGISTRY_USERNAME: 'env-user', REGSWEEP_REGISTRY_PASSWORD: 'env-pass' };
  assert.equal(await resolveCredentials(options(config, { env, username: 'cli-user', password: 'cli-pass' })),
    { username: 'cli-user', password: 'cli-pass', source: '--username/--password-stdin and REGSWEEP_REGISTRY_USERNAME/_PASSWORD' });
  assert.equal(await resolveCredentials(options(config, { env })), { username: 'env-user', password: 'env-pass', source: 'REGSWEEP_REGISTRY_USERNAME/_PASSWORD' });
  assert.equal(await resolveCredentials(options(config)), { username: 'docker-user', password: 'docker-pass', source: `/home/u/.docker/config.json (auths["${HOST}"])` });
  // --username with the password in the environment (what the existing hint suggests).
  const mixed = await resolveCredentials(options(config, { username: 'cli-user', env: { REGSWEEP_REGISTRY_PASSWORD: 'env-pass' } }));
  assert.is(mixed?.username, 'cli-user');
  assert.is(mixed?.password, 'env-pass');
  assert.is(await resolveCredentials(options(undefined)), undefined, 'no config file: anonymous');
  assert.is(await resolveCredentials(options({ auths: {} })), undefined);
});

test('credentials per host: REGSWEEP_REGISTRY_HOST names the host the environment\'s go to; several hosts without it are refused', async () => {
  const other = 'mirror.example.org';
  const config = { auths: { [other]: { auth: b64('mirror-user:mirror-pass') } } };
  const env = { REGSWEEP_REGISTRY_USERNAME: 'env-user', REGSWEEP_REGISTRY_PASSWORD: SECRET };
  const runHosts = [HOST, other];
  const named = { ...env, REGSWEEP_REGISTRY_HOST: `https://${HOST.toUpperCase()}/` };
  assert.equal(await resolveCredentials(options(config, { env: named, runHosts })),
    { username: 'env-user', password: SECRET, source: `REGSWEEP_REGISTRY_USERNAME/_PASSWORD (for REGSWEEP_REGISTRY_HOST https://${HOST.toUpperCase()}/)` });
  assert.equal(await resolveCredentials(options(config, { env: named, runHosts, registryHost: other })),
    { username: 'mirror-user', password: 'mirror-pass', source: `/home/u/.docker/config.json (auths["${other}"])` }, 'the other host: its own Docker credentials');
  assert.is(await resolveCredentials(options(undefined, { env: named, registryHost: other })), undefined, 'the other host without Docker credentials: anonymous, never the environment\'s');

  const several = await inputError(resolveCredentials(options(config, { env, runHosts })));
  assert.match(several.message, `this run talks to 2 (${HOST}, ${other})`);
  assert.match(several.hint ?? '', 'set REGSWEEP_REGISTRY_HOST to the host they belong to');
  assert.equal((await resolveCredentials(options(config, { env, runHosts: [HOST, HOST] })))?.username, 'env-user', 'one host, named twice: fine');
  const flags = await inputError(resolveCredentials(options(config, { username: 'cli-user', password: SECRET, runHosts })));
  assert.match(flags.message, '--username/--password-stdin would go to every registry host of this run');
});

test('half-given credentials are InputErrors that never show the password', async () => {
  const noPassword = await inputError(resolveCredentials(options(undefined, { username: 'alice' })));
  assert.match(noPassword.message, 'without a password');
  assert.match(noPassword.hint ?? '', '--password-stdin');
  const noUser = await inputError(resolveCredentials(options(undefined, { env: { REGSWEEP_REGISTRY_PASSWORD: SECRET } })));
  assert.match(noUser.message, 'without a username');
  const empty = await inputError(resolveCredentials(options(undefined, { username: 'alice', password: '' })));
  assert.match(empty.message, 'empty');
});

test('Docker config: auths keys in every spelling, auth / username+password / identitytoken, Docker Hub', async () => {
  for (const key of [`https://${HOST}/v1/`, `http://${HOST}`, HOST, `https://${HOST.toUpperCase()}`]) {
    const got = await resolveCredentials(options({ auths: { 'other.example.com': { auth: b64('x:y') }, [key]: { auth: b64(`alice:${SECRET}`) } } }));
    assert.equal([got?.username, got?.password], ['alice', SECRET], key);
  }
  const fields = await resolveCredentials(options({ auths: { [HOST]: { username: 'bob', password: 'pw:with:colons' } } }));
  assert.equal([fields?.username, fields?.password], ['bob', 'pw:with:colons']);
  const colon = await resolveCredentials(options({ auths: { [HOST]: { auth: b64('carol:a:b:c') } } }));
  assert.equal([colon?.username, colon?.password], ['carol', 'a:b:c']);
  const token = await resolveCredentials(options({ auths: { [HOST]: { auth: b64('00000000-0000-0000-0000-000000000000:'), identitytoken: 'refresh-token' } } }));
  assert.equal([token?.username, token?.password], ['<token>', 'refresh-token']);
  const hub = await resolveCredentials(options({ auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass') } } }, { registryHost: 'registry-1.docker.io' }));
  assert.is(hub?.username, 'hubuser');
  assert.is(normaliseRegistryHost('https://index.docker.io/v1/'), 'docker.io');
  assert.is(normaliseRegistryHost('HTTP://Localhost:5000/v2/'), 'localhost:5000');
  // Another port is another registry.
  assert.is(await resolveCredentials(options({ auths: { 'registry.example.com': { auth: b64('x:y') } } })), undefined);
});

test('Docker config location: --docker-config path, $DOCKER_CONFIG, ~/.docker', async () => {
  assert.is(dockerConfigPath({}, '/home/u'), '/home/u/.docker/config.json');
  assert.is(dockerConfigPath({ DOCKER_CONFIG: '/etc/ci/docker' }, '/home/u'), '/etc/ci/docker/config.json');
  const seen: string[] = [];
  const readFile = async (path: string): Promise<string | undefined> => {
    seen.push(path);
    return undefined;
  };
  await resolveCredentials({ registryHost: HOST, env: { DOCKER_CONFIG: '/etc/ci/docker', HOME: '/home/x' }, readFile, runHelper: fakeHelpers({}).run });
  await resolveCredentials({ registryHost: HOST, env: { HOME: '/home/x' }, readFile, runHelper: fakeHelpers({}).run });
  await resolveCredentials({ registryHost: HOST, env: {}, dockerConfigPath: '/given/config.json', readFile, runHelper: fakeHelpers({}).run });
  assert.equal(seen, ['/etc/ci/docker/config.json', '/home/x/.docker/config.json', '/given/config.json']);
});

test('broken Docker configs are InputErrors naming the file, not its content', async () => {
  const json = await inputError(resolveCredentials(options(`{"auths": {"${HOST}": {"auth": "${b64(`alice:${SECRET}`)}"`)));
  assert.match(json.message, '/home/u/.docker/config.json is not valid JSON');
  const auth = await inputError(resolveCredentials(options({ auths: { [HOST]: { auth: b64(SECRET) } } })));
  assert.match(auth.message, `auths["${HOST}"].auth is not the base64 of USER:PASSWORD`);
  assert.match(auth.hint ?? '', `docker login ${HOST}`);
});

test('credHelpers for the host win over auths; credsStore next; "not found" falls back to auths', async () => {
  const config = { credHelpers: { [HOST]: 'ecr-login' }, credsStore: 'desktop', auths: { [HOST]: { auth: b64('file-user:file-pass') } } };
  const helpers = fakeHelpers({ 'docker-credential-ecr-login': ok('AWS', 'ecr-token'), 'docker-credential-desktop': ok('desk', 'desk-pass') });
  const got = await resolveCredentials(options(config, { runHelper: helpers.run }));
  assert.equal(got, { username: 'AWS', password: 'ecr-token', source: '/home/u/.docker/config.json (credHelpers["' + HOST + '"]: ecr-login)' });
  assert.equal(helpers.calls, [{ program: 'docker-credential-ecr-login', args: ['get'], input: HOST }]);

  const store = fakeHelpers({ 'docker-credential-desktop': ok('desk', 'desk-pass') });
  const viaStore = await resolveCredentials(options({ credsStore: 'desktop', auths: { [`https://${HOST}`]: {} } }, { runHelper: store.run }));
  assert.equal([viaStore?.username, viaStore?.password], ['desk', 'desk-pass']);
  assert.is(store.calls[0]?.input, `https://${HOST}`, 'asked with the key docker login stored');

  const notFound = fakeHelpers({ 'docker-credential-desktop': { kind: 'exited', exitCode: 1, stdout: 'credentials not found in native keychain\n', stderr: '' } });
  const fallback = await resolveCredentials(options({ credsStore: 'desktop', auths: { [HOST]: { auth: b64('file-user:file-pass') } } }, { runHelper: notFound.run }));
  assert.is(fallback?.username, 'file-user');
  assert.is(await resolveCredentials(options({ credsStore: 'desktop' }, { runHelper: notFound.run })), undefined);
  const hub = fakeHelpers({ 'docker-credential-desktop': ok('hub', 'hub-pass') });
  await resolveCredentials(options({ credsStore: 'desktop' }, { registryHost: 'docker.io', runHelper: hub.run }));
  assert.is(hub.calls[0]?.input, 'https://index.docker.io/v1/');
});

test('a missing or failing credential helper is an InputError naming the helper, the host and the fix', async () => {
  const config = { credHelpers: { [HOST]: 'gcloud' } };
  const missing = await inputError(resolveCredentials(options(config)));
  assert.match(missing.message, `credential helper docker-credential-gcloud (credHelpers["${HOST}"] in /home/u/.docker/config.json) for registry ${HOST} is not installed`);
  assert.match(missing.hint ?? '', 'install docker-credential-gcloud on PATH');
  assert.match(missing.hint ?? '', '--password-stdin');

  const failing = fakeHelpers({ 'docker-credential-gcloud': { kind: 'exited', exitCode: 2, stdout: '', stderr: 'ERROR: reauthentication required\nmore\n' } });
  const failed = await inputError(resolveCredentials(options(config, { runHelper: failing.run })));
  assert.match(failed.message, `docker-credential-gcloud (credHelpers["${HOST}"] in /home/u/.docker/config.json) for registry ${HOST} failed (exit 2); its output is not shown, as it may hold the secret`);
  assert.not.match(failed.message, 'reauthentication', 'a failing helper\'s stderr is not echoed');
  assert.match(failed.hint ?? '', `echo ${HOST} | docker-credential-gcloud get`);

  // A failing helper that printed its secret anyway, on stdout (its JSON answer) or stderr: never echoed.
  const answer = JSON.stringify({ ServerURL: HOST, Username: 'alice', Secret: SECRET });
  for (const printed of [{ stdout: answer, stderr: '' }, { stdout: '', stderr: `debug: got ${answer}` }, { stdout: SECRET, stderr: SECRET }]) {
    const leaky = fakeHelpers({ 'docker-credential-gcloud': { kind: 'exited', exitCode: 1, ...printed } });
    const e = await inputError(resolveCredentials(options(config, { runHelper: leaky.run })));
    assert.match(e.message, 'docker-credential-gcloud');
    assert.match(e.message, 'failed (exit 1)');
  }

  const hung = fakeHelpers({ 'docker-credential-gcloud': { kind: 'error', message: 'it did not answer within 60 s' } });
  assert.match((await inputError(resolveCredentials(options(config, { runHelper: hung.run })))).message, 'could not be run: it did not answer within 60 s');

  // A helper answering garbage that holds the secret: the message must not echo it.
  const garbage = fakeHelpers({ 'docker-credential-gcloud': { kind: 'exited', exitCode: 0, stdout: `Username=alice Secret=${SECRET}`, stderr: '' } });
  assert.match((await inputError(resolveCredentials(options(config, { runHelper: garbage.run })))).message, 'answered something that is not');

  const evil = await inputError(resolveCredentials(options({ credHelpers: { [HOST]: '../../bin/sh' } })));
  assert.match(evil.message, 'not a helper name');
});

test('a real helper script on PATH, and a real registry opened with what it answers', async () => {
  assert.ok((await bcryptHash('probe')) !== undefined, 'no bcrypt hasher: install apache2-utils (htpasswd)');
  const bin = await mkdtemp(join(tmpdir(), 'regsweep-helper-'));
  temps.push(bin);
  const server = await startRegistry({ users: { robot: SECRET } });
  try {
    // Answers for its own host only, like a real helper; logs what it was asked.
    await writeFile(join(bin, 'docker-credential-test'), [
      '#!/bin/sh',
      '[ "$1" = get ] || exit 9',
      'read -r server',
      `echo "$server" >> "${join(bin, 'asked.log')}"`,
      `if [ "$server" = "${server.host}" ]; then printf '{"ServerURL":"%s","Username":"robot","Secret":"${SECRET}"}' "$server"; exit 0; fi`,
      'echo "credentials not found in native keychain"; exit 1',
      '',
    ].join('\n'));
    await writeFile(join(bin, 'docker-credential-broken'), '#!/bin/sh\necho "keychain is locked" >&2\nexit 3\n');
    await chmod(join(bin, 'docker-credential-test'), 0o755);
    await chmod(join(bin, 'docker-credential-broken'), 0o755);
    const runHelper = spawnHelper({ env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` } });
    const configPath = join(bin, 'config.json');
    await writeFile(configPath, JSON.stringify({ credHelpers: { [server.host]: 'test', 'other.example.com': 'test', 'broken.example.com': 'broken', 'gone.example.com': 'nope' } }));
    const base = { env: {}, dockerConfigPath: configPath, readFile: readTextFileIfExists, runHelper };
    const creds = await resolveCredentials({ ...base, registryHost: server.host });
    assert.equal(creds, { username: 'robot', password: SECRET, source: `${configPath} (credHelpers["${server.host}"]: test)` });
    assert.is(await resolveCredentials({ ...base, registryHost: 'other.example.com' }), undefined);
    const broken = await inputError(resolveCredentials({ ...base, registryHost: 'broken.example.com' }));
    assert.match(broken.message, 'docker-credential-broken');
    assert.match(broken.message, 'failed (exit 3); its output is not shown');
    assert.not.match(broken.message, 'keychain is locked');
    const gone = await inputError(resolveCredentials({ ...base, registryHost: 'gone.example.com' }));
    assert.match(gone.message, 'docker-credential-nope (credHelpers["gone.example.com"]');
    assert.match(gone.message, 'is not installed');
    // The credentials work against the htpasswd-protected registry.
    const img = await new Pusher(server.url, 'cred/app', { username: 'robot', password: SECRET }).pushImage({ tags: ['v1'] });
    const r = await openOciRegistry(`${server.host}/cred/app`, { credentials: creds });
    assert.equal((await r.list()).map((l) => l.digest), [img.digest]);
    assert.is(await readTextFileIfExists(join(bin, 'missing.json')), undefined);
  } finally {
    await server.stop();
  }
});

test.run();
