/**
 * Where registry credentials come from, first match wins:
 *   1. an explicit username and password (the CLI's --username and --password-stdin);
 *   2. REGSWEEP_REGISTRY_USERNAME / REGSWEEP_REGISTRY_PASSWORD (each also completes 1.), for the one host
 *      REGSWEEP_REGISTRY_HOST names (any other host goes on to 3.); without it, only in a run that talks
 *      to a single registry host — a run with several is refused (exit 2) rather than sending them to
 *      every host. Flags likewise go to one host only;
 *   3. the Docker config (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`): `credHelpers`
 *      for the host, else `credsStore`, else `auths` (`auth` = base64 `user:password`, or `username` and
 *      `password`, or `identitytoken` used as the password of user `<token>`).
 * `auths` and `credHelpers` keys are compared as hosts: `https://host/v1/`, `http://host` and `host` are
 * one registry; `index.docker.io`, `registry-1.docker.io` and `docker.io` are Docker Hub.
 * File reading and helper processes are injected. No message ever holds a password or any output of a
 * helper (a failing helper is named with its exit code only).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '@regsweep/core';
import type { Credentials } from './client.js';

export type HelperResult =
  | { kind: 'exited'; exitCode: number; stdout: string; stderr: string }
  /** The program is not on PATH. */
  | { kind: 'missing' }
  /** It could not be run or did not finish (timeout, spawn failure). */
  | { kind: 'error'; message: string };

/** Runs `program args` with `input` on stdin. */
export type HelperRunner = (program: string, args: readonly string[], input: string) => Promise<HelperResult>;
/** The text of a file, or undefined when it does not exist. */
export type TextFileReader = (path: string) => Promise<string | undefined>;

export interface ResolveCredentialsOptions {
  /** `HOST[:PORT]` of the registry. */
  registryHost: string;
  /** Every `HOST[:PORT]` the run talks to (default: this one alone). */
  runHosts?: readonly string[];
  username?: string;
  password?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Defaults to `$DOCKER_CONFIG/config.json`, else `<homedir>/.docker/config.json` (homedir: `$HOME`). */
  dockerConfigPath?: string;
  homedir?: string;
  readFile: TextFileReader;
  runHelper: HelperRunner;
}

export interface ResolvedCredentials extends Credentials {
  /** Where they came from, for a log line: `REGSWEEP_REGISTRY_USERNAME/_PASSWORD`, `… (credHelpers: ecr-login)`. */
  source: string;
}

/** Names the one registry host REGSWEEP_REGISTRY_USERNAME / _PASSWORD belong to. */
export const REGISTRY_HOST_ENV = 'REGSWEEP_REGISTRY_HOST';

const FLAGS_HINT = 'or pass --username USER with --password-stdin (or set REGSWEEP_REGISTRY_USERNAME and REGSWEEP_REGISTRY_PASSWORD)';
const HUB = 'docker.io';

/** `https://index.docker.io/v1/` → `docker.io`; `http://Host:5000/x` → `host:5000`. */
export function normaliseRegistryHost(key: string): string {
  const bare = key.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '').split('/')[0] ?? '';
  return bare === 'index.docker.io' || bare === 'registry-1.docker.io' || bare === 'registry.hub.docker.com' ? HUB : bare;
}

export function dockerConfigPath(env: Readonly<Record<string, string | undefined>>, homedir: string): string {
  const dir = env['DOCKER_CONFIG'];
  return join(dir !== undefined && dir !== '' ? dir : join(homedir, '.docker'), 'config.json');
}

/** Whether REGSWEEP_REGISTRY_USERNAME / _PASSWORD apply to this host; throws when they could only go to every host. */
function environmentApplies(options: ResolveCredentialsOptions, given: boolean): boolean {
  const hosts = [...new Set((options.runHosts ?? [options.registryHost]).map(normaliseRegistryHost))];
  if (options.username !== undefined && hosts.length > 1) {
    throw new InputError(`--username/--password-stdin would go to every registry host of this run (${hosts.join(', ')})`,
      "run regsweep once per host, or log in to each with docker login (Docker's config.json keeps credentials per host)");
  }
  const named = options.env[REGISTRY_HOST_ENV];
  if (named !== undefined && named !== '') return given && normaliseRegistryHost(named) === normaliseRegistryHost(options.registryHost);
  if (given && hosts.length > 1) {
    throw new InputError(`REGSWEEP_REGISTRY_USERNAME/_PASSWORD name no registry host, and this run talks to ${hosts.length} (${hosts.join(', ')}); regsweep does not send them to every one`,
      `set ${REGISTRY_HOST_ENV} to the host they belong to; the others use Docker's config.json (docker login)`);
  }
  return given;
}

export async function resolveCredentials(options: ResolveCredentialsOptions): Promise<ResolvedCredentials | undefined> {
  const { env } = options;
  const set = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
  if (options.password === '') throw new InputError('the password given for the registry is empty', 'pipe the password or token into --password-stdin');
  const fromEnv = environmentApplies(options, set(env['REGSWEEP_REGISTRY_USERNAME']) !== undefined || set(env['REGSWEEP_REGISTRY_PASSWORD']) !== undefined);
  const username = set(options.username) ?? (fromEnv ? set(env['REGSWEEP_REGISTRY_USERNAME']) : undefined);
  const password = options.password ?? (fromEnv ? set(env['REGSWEEP_REGISTRY_PASSWORD']) : undefined);
  const source = [options.username !== undefined || options.password !== undefined ? '--username/--password-stdin' : '',
    fromEnv ? `REGSWEEP_REGISTRY_USERNAME/_PASSWORD${set(env[REGISTRY_HOST_ENV]) ? ` (for ${REGISTRY_HOST_ENV} ${set(env[REGISTRY_HOST_ENV])})` : ''}` : '']
    .filter((s) => s !== '').join(' and ');
  if (username !== undefined && password !== undefined) return { username, password, source };
  if (username !== undefined) {
    throw new InputError(`a registry username (${source}) was given without a password`, 'pipe the password or token into --password-stdin, or set REGSWEEP_REGISTRY_PASSWORD');
  }
  if (password !== undefined) {
    throw new InputError(`a registry password (${source}) was given without a username`, 'add --username USER, or set REGSWEEP_REGISTRY_USERNAME (any non-empty name where the registry takes a token alone)');
  }
  const path = options.dockerConfigPath ?? dockerConfigPath(env, options.homedir ?? env['HOME'] ?? '');
  const text = await options.readFile(path);
  if (text === undefined) return undefined;
  return fromDockerConfig(parseDockerConfig(text, path), path, options.registryHost, options.runHelper);
}

interface DockerConfig {
  auths: Record<string, unknown>;
  credHelpers: Record<string, unknown>;
  credsStore: string | undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseDockerConfig(text: string, path: string): DockerConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    throw new InputError(`the Docker config ${path} is not valid JSON`, `fix or remove it, point DOCKER_CONFIG at another directory, ${FLAGS_HINT}`);
  }
  if (!isRecord(parsed)) throw new InputError(`the Docker config ${path} is not a JSON object`, `fix or remove it, ${FLAGS_HINT}`);
  const store = parsed['credsStore'];
  return {
    auths: isRecord(parsed['auths']) ? parsed['auths'] : {},
    credHelpers: isRecord(parsed['credHelpers']) ? parsed['credHelpers'] : {},
    credsStore: typeof store === 'string' && store !== '' ? store : undefined,
  };
}

/** Keys of `record` naming `host`, the exact spelling first. */
function keysFor(record: Record<string, unknown>, host: string): string[] {
  const want = normaliseRegistryHost(host);
  const keys = Object.keys(record).filter((k) => normaliseRegistryHost(k) === want);
  return keys.sort((a, b) => Number(b === host) - Number(a === host));
}

async function fromDockerConfig(config: DockerConfig, path: string, host: string, run: HelperRunner): Promise<ResolvedCredentials | undefined> {
  const helperKey = keysFor(config.credHelpers, host)[0];
  if (helperKey !== undefined) {
    const helper = config.credHelpers[helperKey];
    if (typeof helper !== 'string' || helper === '') throw new InputError(`${path}: credHelpers["${helperKey}"] is not a helper name`, `fix it, ${FLAGS_HINT}`);
    return askHelper(helper, `credHelpers["${helperKey}"]`, helperKey, path, host, run);
  }
  if (config.credsStore !== undefined) {
    const server = normaliseRegistryHost(host) === HUB ? 'https://index.docker.io/v1/' : keysFor(config.auths, host)[0] ?? host;
    const found = await askHelper(config.credsStore, 'credsStore', server, path, host, run);
    if (found !== undefined) return found;
  }
  for (const key of keysFor(config.auths, host)) {
    const found = fromAuthEntry(config.auths[key], key, path);
    if (found !== undefined) return found;
  }
  return undefined;
}

function fromAuthEntry(entry: unknown, key: string, path: string): ResolvedCredentials | undefined {
  if (!isRecord(entry)) return undefined;
  const where = `auths["${key}"]`;
  const source = `${path} (${where})`;
  const token = entry['identitytoken'];
  if (typeof token === 'string' && token !== '') return { username: '<token>', password: token, source };
  const auth = entry['auth'];
  if (typeof auth === 'string' && auth !== '') {
    const decoded = /^[A-Za-z0-9+/=\s]+$/.test(auth) ? Buffer.from(auth, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new InputError(`${path}: ${where}.auth is not the base64 of USER:PASSWORD`, `log in again (docker login ${key}), ${FLAGS_HINT}`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
  }
  const username = entry['username'];
  const password = entry['password'];
  if (typeof username === 'string' && username !== '' && typeof password === 'string' && password !== '') return { username, password, source };
  return undefined;
}

async function askHelper(helper: string, where: string, server: string, path: string, host: string, run: HelperRunner): Promise<ResolvedCredentials | undefined> {
  const program = `docker-credential-${helper}`;
  const context = `credential helper ${program} (${where} in ${path}) for registry ${host}`;
  const fix = `install ${program} on PATH, or remove ${where} from ${path}, ${FLAGS_HINT}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(helper)) throw new InputError(`${path}: ${where} names "${helper}", which is not a helper name`, `fix it, ${FLAGS_HINT}`);
  const result = await run(program, ['get'], server);
  if (result.kind === 'missing') throw new InputError(`${context} is not installed: ${program} was not found on PATH`, fix);
  if (result.kind === 'error') throw new InputError(`${context} could not be run: ${result.message}`, fix);
  if (result.exitCode !== 0) {
    if (/credentials not found/i.test(`${result.stdout}\n${result.stderr}`)) return undefined;
    // Neither its stdout nor its stderr is shown: a helper that fails may still have printed the
    // secret (its JSON answer, a debug line). Its name and exit code say where to look.
    throw new InputError(`${context} failed (exit ${result.exitCode}); its output is not shown, as it may hold the secret`,
      `run it to see its message (echo ${server} | ${program} get), log in again, or remove ${where} from ${path}, ${FLAGS_HINT}`);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(result.stdout) as unknown;
  } catch {
    answer = undefined;
  }
  const username = isRecord(answer) ? answer['Username'] : undefined;
  const secret = isRecord(answer) ? answer['Secret'] : undefined;
  if (typeof username !== 'string' || typeof secret !== 'string') {
    throw new InputError(`${context} answered something that is not {"Username":…,"Secret":…}`, `check ${program}, ${FLAGS_HINT}`);
  }
  if (secret === '') return undefined;
  return { username: username === '' ? '<token>' : username, password: secret, source: `${path} (${where}: ${helper})` };
}

/** The real file reader: undefined when the file (or its directory) does not exist. */
export async function readTextFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new InputError(`cannot read the Docker config ${path}${code ? ` (${code})` : ''}`, `fix its permissions or point DOCKER_CONFIG elsewhere, ${FLAGS_HINT}`);
  }
}

/** The real helper runner: spawns `program` (looked up on PATH), gives up after `timeoutMs` (default 60 s). */
export function spawnHelper(options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): HelperRunner {
  return (program, args, input) => new Promise<HelperResult>((resolve) => {
    const child = spawn(program, [...args], { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const done = (result: HelperResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const seconds = (options.timeoutMs ?? 60_000) / 1000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ kind: 'error', message: `it did not answer within ${seconds} s` });
    }, options.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString('utf8')));
    child.on('error', (error: NodeJS.ErrnoException) => done(error.code === 'ENOENT' ? { kind: 'missing' } : { kind: 'error', message: error.message }));
    child.on('close', (code, signal) => done(code === null ? { kind: 'error', message: `it was killed by ${signal ?? 'a signal'}` } : { kind: 'exited', exitCode: code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // a helper that exits without reading its input
    child.stdin.end(input);
  });
}
