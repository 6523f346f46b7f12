/**
 * The job's settings, parsed into plain data from its environment: GitLab's predefined variables
 * (`CI_*`) and the `REGSWEEP_*` variables the component sets from its inputs (templates/cleanup.yml).
 * `readJobVariables(env)` throws an InputError naming the variable (and the input behind it) on
 * anything it cannot use, before any request is sent.
 *
 * The token: `REGSWEEP_TOKEN` (the value), else the variable named by `REGSWEEP_TOKEN_VARIABLE` (the
 * component's `token-variable` input), else `CI_JOB_TOKEN` (enough for the registry, branches, tags
 * and merge requests; not for commits, platform-facts.md §3.4).
 */
import { InputError } from '@regsweep/core';
import { DURATION_EXPECTED, parseDuration, parseWholeNumber, refuseUserinfo, wholeNumberExpected } from '@regsweep/core/internal';
import type { GitLabAuth } from '@regsweep/gitlab';

export type Env = Readonly<Record<string, string | undefined>>;

export interface JobSettings {
  /** `CI_SERVER_URL` (REST below `/api/v4`, the registry JWT at `/jwt/auth`). */
  serverUrl: string;
  projectId: string;
  projectPath: string;
  /** `CI_REGISTRY`: the registry's host (and port). */
  registry: string;
  /** `CI_REGISTRY_IMAGE`: the project's image path in it. */
  registryImage: string;
  refName?: string;
  auth: GitLabAuth;
  /** Where the token came from, for the log: `REGSWEEP_TOKEN`, `variable DEPLOY_TOKEN`, `CI_JOB_TOKEN`. */
  tokenSource: string;
  /** Registry repository paths or globs; empty: all of the project's. */
  repositories: string[];
  config?: string;
  dryRun: boolean;
  maxDeletions?: number;
  /** The name of the variable holding a kubeconfig (the component's `kubeconfig-variable` input). */
  kubeconfigVariable?: string;
  /** Whether open merge requests' source branches count as references. */
  mergeRequests: boolean;
  listing: 'auto' | 'gitlab-v1' | 'rest';
  requestsPerMinute?: number;
  /** `CI_PROJECT_DIR`: the checkout, where the policy is looked up and the reports are written. */
  projectDir: string;
  reportDir: string;
  cacheDir?: string;
  /** The host-cleanup input: clean the runner's Docker Engine after the registry (shell executors). */
  hostCleanup: boolean;
  /** The host-safety-window input, in milliseconds. */
  hostSafetyWindowMs: number;
}

/** The component input that sets each `REGSWEEP_*` variable, for the messages. */
const INPUT_OF: Record<string, string> = {
  REGSWEEP_TOKEN_VARIABLE: 'token-variable', REGSWEEP_CONFIG: 'config', REGSWEEP_DRY_RUN: 'dry-run',
  REGSWEEP_REPOSITORIES: 'repositories', REGSWEEP_MAX_DELETIONS: 'max-deletions', REGSWEEP_KUBECONFIG_VARIABLE: 'kubeconfig-variable',
  REGSWEEP_MERGE_REQUESTS: 'merge-requests', REGSWEEP_LISTING: 'listing', REGSWEEP_REQUESTS_PER_MINUTE: 'requests-per-minute',
  REGSWEEP_HOST_CLEANUP: 'host-cleanup', REGSWEEP_HOST_SAFETY_WINDOW: 'host-safety-window',
};

const label = (name: string): string => (INPUT_OF[name] ? `${name} (the ${INPUT_OF[name]} input)` : name);
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function text(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function required(env: Env, name: string): string {
  const v = text(env, name);
  if (v === undefined) {
    throw new InputError(`${name} is not set: regsweep's GitLab entry reads GitLab's predefined CI/CD variables`,
      'run it as the job of the regsweep component (include: component:) in a GitLab pipeline, or set the CI_* variables yourself');
  }
  return v;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = text(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new InputError(`${label(name)}: expected true or false, got ${JSON.stringify(env[name])}`);
}

function duration(env: Env, name: string, fallback: number): number {
  const v = text(env, name);
  if (v === undefined) return fallback;
  const ms = parseDuration(v);
  if (ms === undefined) throw new InputError(`${label(name)}: ${DURATION_EXPECTED}, got ${JSON.stringify(v)}`, 'e.g. 2h');
  return ms;
}

function wholeNumber(env: Env, name: string): number | undefined {
  const v = text(env, name);
  // 0 is the inputs' default: no limit (max-deletions), regsweep's default (requests-per-minute).
  if (v === undefined || v === '0') return undefined;
  const n = parseWholeNumber(v, 1);
  if (n === undefined) throw new InputError(`${label(name)}: expected ${wholeNumberExpected(1)} (0 for the default), got ${JSON.stringify(v)}`);
  return n;
}

/** A variable's name as an input gives it: `NAME`, `$NAME` or `${NAME}` → `NAME` (blank: undefined). */
export function variableNameText(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === '' ? undefined : v.replace(/^\$\{?([^}]*)\}?$/, '$1');
}

/** Where the reports go: REGSWEEP_REPORT_DIR, else CI_PROJECT_DIR, else the working directory. */
export function reportDirOf(env: Env): string {
  return text(env, 'REGSWEEP_REPORT_DIR') ?? text(env, 'CI_PROJECT_DIR') ?? '.';
}

function variableName(env: Env, name: string): string | undefined {
  const v = variableNameText(env[name]);
  if (v !== undefined && !VARIABLE_NAME.test(v)) {
    // The value is not shown: what is given here instead of a name is most often the token itself.
    throw new InputError(`${label(name)}: its value is not the name of a CI/CD variable (letters, digits and _)`,
      'give the name of the variable without $ (for example REGSWEEP_API_TOKEN), not its value');
  }
  return v;
}

/** `a, b c` or a JSON list (`["a","b"]`, as GitLab writes an array input). */
export function parseList(name: string, value: string | undefined): string[] {
  const v = value?.trim() ?? '';
  if (v === '') return [];
  if (v.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw new InputError(`${label(name)}: ${JSON.stringify(v)} is neither a list of names nor valid JSON`, 'write the paths separated by commas or spaces, or as a YAML list');
    }
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) throw new InputError(`${label(name)}: expected a list of strings, got ${v}`);
    return parsed.map((p) => p.trim()).filter((p) => p !== '');
  }
  return v.split(/[\s,]+/).filter((p) => p !== '');
}

function token(env: Env): { auth: GitLabAuth; tokenSource: string } {
  const direct = text(env, 'REGSWEEP_TOKEN');
  if (direct !== undefined) return { auth: { kind: 'token', value: direct }, tokenSource: 'REGSWEEP_TOKEN' };
  const named = variableName(env, 'REGSWEEP_TOKEN_VARIABLE');
  if (named !== undefined) {
    const value = text(env, named);
    if (value === undefined) {
      throw new InputError(`${label('REGSWEEP_TOKEN_VARIABLE')} names ${named}, but this job has no such variable (or it is empty)`,
        `add ${named} in Settings > CI/CD > Variables (masked; protected only if the pipeline runs on a protected branch) with a project access token of the Developer role and the api scope (read_api for dry runs)`);
    }
    return { auth: { kind: named === 'CI_JOB_TOKEN' ? 'job' : 'token', value }, tokenSource: `variable ${named}` };
  }
  const job = text(env, 'CI_JOB_TOKEN');
  if (job === undefined) {
    throw new InputError('no token: REGSWEEP_TOKEN, the token-variable input and CI_JOB_TOKEN are all empty',
      'name a masked CI/CD variable holding a project access token (api scope) in the token-variable input');
  }
  return { auth: { kind: 'job', value: job }, tokenSource: 'CI_JOB_TOKEN' };
}

function serverUrl(env: Env): string {
  const api = text(env, 'CI_API_V4_URL')?.replace(/\/+$/, '');
  const server = text(env, 'CI_SERVER_URL')?.replace(/\/+$/, '');
  if (api !== undefined && !api.endsWith('/api/v4')) throw new InputError(`CI_API_V4_URL ${JSON.stringify(api)} does not end with /api/v4`);
  const fromApi = api?.slice(0, -'/api/v4'.length);
  if (fromApi !== undefined && server !== undefined && fromApi !== server) {
    throw new InputError(`CI_API_V4_URL (${api}) is not below CI_SERVER_URL (${server})`, 'unset the one you overrode; GitLab sets both');
  }
  const url = server ?? fromApi ?? required(env, 'CI_SERVER_URL');
  if (!/^https?:\/\/[^/]/.test(url)) throw new InputError(`CI_SERVER_URL ${JSON.stringify(url)} is not an http(s) URL`);
  return url;
}

/** The fields that have a value (the settings' optional fields are absent, never undefined). */
function definedOnly<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** GitLab's URL variables: one with user:password@ is refused before it is printed anywhere (shown masked). */
const URL_VARIABLES = ['CI_SERVER_URL', 'CI_API_V4_URL', 'CI_REGISTRY', 'CI_REGISTRY_IMAGE'] as const;

export function readJobVariables(env: Env): JobSettings {
  for (const name of URL_VARIABLES) {
    const value = env[name];
    if (value !== undefined) {
      refuseUserinfo(value.trim(), name, `set ${name} without user:password@ (GitLab sets it so): the job authenticates with CI_JOB_TOKEN or the token-variable input`);
    }
  }
  const projectId = required(env, 'CI_PROJECT_ID');
  const projectPath = required(env, 'CI_PROJECT_PATH');
  const registry = text(env, 'CI_REGISTRY');
  if (registry === undefined) {
    throw new InputError(`CI_REGISTRY is empty: the container registry is turned off for ${projectPath}`,
      'turn it on in Settings > General > Visibility, project features, permissions > Container registry, or remove the cleanup job');
  }
  const listing = (text(env, 'REGSWEEP_LISTING') ?? 'auto').toLowerCase();
  if (listing !== 'auto' && listing !== 'gitlab-v1' && listing !== 'rest') {
    throw new InputError(`${label('REGSWEEP_LISTING')}: expected auto, gitlab-v1 or rest, got ${JSON.stringify(listing)}`);
  }
  const projectDir = text(env, 'CI_PROJECT_DIR') ?? '.';
  const reportDir = reportDirOf(env);
  const optional = {
    refName: text(env, 'CI_COMMIT_REF_NAME'), config: text(env, 'REGSWEEP_CONFIG'), maxDeletions: wholeNumber(env, 'REGSWEEP_MAX_DELETIONS'),
    kubeconfigVariable: variableName(env, 'REGSWEEP_KUBECONFIG_VARIABLE'), requestsPerMinute: wholeNumber(env, 'REGSWEEP_REQUESTS_PER_MINUTE'),
    cacheDir: text(env, 'REGSWEEP_CACHE_DIR'),
  };
  return {
    serverUrl: serverUrl(env), projectId, projectPath, registry,
    registryImage: text(env, 'CI_REGISTRY_IMAGE') ?? `${registry}/${projectPath}`,
    ...token(env),
    repositories: parseList('REGSWEEP_REPOSITORIES', env['REGSWEEP_REPOSITORIES']),
    dryRun: bool(env, 'REGSWEEP_DRY_RUN', false),
    mergeRequests: bool(env, 'REGSWEEP_MERGE_REQUESTS', true),
    hostCleanup: bool(env, 'REGSWEEP_HOST_CLEANUP', false),
    hostSafetyWindowMs: duration(env, 'REGSWEEP_HOST_SAFETY_WINDOW', 2 * 3_600_000),
    listing, projectDir, reportDir,
    ...definedOnly(optional),
  };
}
