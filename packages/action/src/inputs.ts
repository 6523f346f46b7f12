/**
 * The action's inputs, parsed into plain data (docker/metadata-action style): `readInputs(getInput,
 * context)` takes the way to read an input and the run's context, so tests pass plain objects.
 */
import { InputError } from '@regsweep/core';
import { DURATION_EXPECTED, parseDuration, parseWholeNumber, refuseUserinfo, wholeNumberExpected } from '@regsweep/core/internal';
import { registryLocation } from '@regsweep/oci-registry';

export interface ActionInputs {
  token: string;
  owner: string;
  packages: string[];
  repository: { owner: string; name: string };
  config?: string;
  dryRun: boolean;
  apiUrl: string;
  registryUrl: string;
  kubeconfig?: string;
  maxDeletions?: number;
  pullRequests: boolean;
  /** Where manifests and configs are cached by digest (relative to the workspace); default under RUNNER_TEMP. */
  cacheDir?: string;
  /** `cache`: restore the digest cache from the Actions cache before the run and save it after. */
  keepCache: boolean;
  /** `host-cleanup`: clean the runner's Docker Engine after the registry (self-hosted runners). */
  hostCleanup: boolean;
  /** `docker-host`: the engine; default DOCKER_HOST, else the local socket. */
  dockerHost?: string;
  /** `host-safety-window`, in milliseconds (default 2h). */
  hostSafetyWindowMs: number;
}

export interface RunContext {
  /** GITHUB_REPOSITORY, `owner/name`. */
  repository?: string;
  /** GITHUB_API_URL. */
  apiUrl?: string;
}

export type GetInput = (name: string) => string;

function bool(name: string, value: string, fallback: boolean): boolean {
  const v = value.trim().toLowerCase();
  if (v === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new InputError(`input ${name}: expected true or false, got ${JSON.stringify(value)}`);
}

function repo(name: string, value: string): { owner: string; name: string } {
  const m = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(value.trim());
  if (!m) throw new InputError(`input ${name}: expected owner/name, got ${JSON.stringify(value)}`);
  return { owner: m[1] as string, name: m[2] as string };
}

function duration(name: string, value: string, fallback: number): number {
  if (value.trim() === '') return fallback;
  const ms = parseDuration(value.trim());
  if (ms === undefined) throw new InputError(`input ${name}: ${DURATION_EXPECTED}, got ${JSON.stringify(value)}`, `e.g. ${name}: 2h`);
  return ms;
}

const URL_HINT = 'give the URL without user:password@: the token input is what authenticates to GitHub and its registry';

/** An API or registry URL, without trailing slashes; credentials in it are refused (shown masked). */
function url(value: string, what: string): string {
  refuseUserinfo(value, what, URL_HINT);
  return value.replace(/\/+$/, '');
}

export function readInputs(getInput: GetInput, context: RunContext): ActionInputs {
  const token = getInput('token').trim();
  if (token === '') throw new InputError('input token is empty', 'pass `token: ${{ github.token }}` (with `permissions: packages: write`) or a classic PAT with read:packages and delete:packages');
  const repository = repo('repository', getInput('repository') || context.repository || '');
  const owner = (getInput('owner') || repository.owner).trim();
  const packages = (getInput('packages') || repository.name).split(/[,\n]/).map((p) => p.trim()).filter((p) => p !== '');
  const bad = packages.find((p) => !/^[a-z0-9][a-z0-9._/-]*$/i.test(p));
  if (bad !== undefined) throw new InputError(`input packages: ${JSON.stringify(bad)} is not a container package name`);
  const maxText = getInput('max-deletions').trim();
  const maxDeletions = maxText === '' ? undefined : parseWholeNumber(maxText, 1);
  if (maxText !== '' && maxDeletions === undefined) throw new InputError(`input max-deletions: expected ${wholeNumberExpected(1)}, got ${JSON.stringify(maxText)}`);
  const config = getInput('config').trim();
  const kubeconfig = getInput('kubeconfig');
  const cacheDir = getInput('cache-dir').trim();
  return {
    token, owner, packages, repository,
    ...(config !== '' ? { config } : {}),
    dryRun: bool('dry-run', getInput('dry-run'), false),
    apiUrl: url(getInput('api-url') || context.apiUrl || 'https://api.github.com', getInput('api-url') ? 'input api-url' : 'GITHUB_API_URL'),
    registryUrl: registryLocation(url(getInput('registry-url') || 'https://ghcr.io', 'input registry-url'), 'input registry-url').url,
    ...(kubeconfig.trim() !== '' ? { kubeconfig } : {}),
    ...(maxDeletions !== undefined ? { maxDeletions } : {}),
    pullRequests: bool('pull-requests', getInput('pull-requests'), true),
    ...(cacheDir !== '' ? { cacheDir } : {}),
    keepCache: bool('cache', getInput('cache'), true),
    hostCleanup: bool('host-cleanup', getInput('host-cleanup'), false),
    ...(getInput('docker-host').trim() !== '' ? { dockerHost: getInput('docker-host').trim() } : {}),
    hostSafetyWindowMs: duration('host-safety-window', getInput('host-safety-window'), 2 * 3_600_000),
  };
}
