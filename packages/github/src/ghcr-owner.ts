/**
 * Where a GHCR package's versions live (`/orgs/{org}`, `/user` for the token's own packages,
 * `/users/{user}`), and how a page of versions becomes `ListedImage`s.
 */
import { InputError, RegistryError, type ListedImage } from '@regsweep/core';
import { errorMessage, type GitHubResponse } from './ghcr-http.js';
import type { HttpMethod } from './pacer.js';

export type OwnerType = 'User' | 'Organization';

export interface OwnerScope {
  type: OwnerType;
  /** Path prefix as sent: `/orgs/acme`, `/user`, `/users/octo`. */
  path: string;
  /** The same as a route template, the pacer's endpoint key: `/orgs/{org}`. */
  endpoint: string;
}

export const TOKEN_HINT = 'use the workflow\'s GITHUB_TOKEN with `permissions: packages: write` and grant the repository the Admin role on the package ' +
  '(package settings, "Manage Actions access"), or a classic personal access token with the read:packages and delete:packages scopes';

export interface ResolveOwnerInput {
  owner: string;
  ownerType: OwnerType | undefined;
  viewer: string | undefined;
  send(method: HttpMethod, url: string, endpoint: string, kind: 'owner' | 'viewer'): Promise<GitHubResponse>;
  fail(res: GitHubResponse, what: string): Error;
}

const field = (data: unknown, name: string): unknown => (typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[name] : undefined);

export async function resolveOwner(input: ResolveOwnerInput): Promise<OwnerScope> {
  const owner = encodeURIComponent(input.owner);
  let type = input.ownerType;
  if (type === undefined) {
    const res = await input.send('GET', `/users/${owner}`, 'GET /users/{username}', 'owner');
    if (res.status === 404) throw new InputError(`GitHub has no user or organization named ${input.owner}`, 'check the owner in ghcr.io/OWNER/NAME');
    if (res.status !== 200) throw input.fail(res, `look up owner ${input.owner}`);
    const kind = field(res.data, 'type');
    if (kind !== 'User' && kind !== 'Organization') {
      throw new InputError(`GitHub owner ${input.owner} is a ${String(kind)}, not a user or an organization`, 'name the user or organization that owns the package');
    }
    type = kind;
  }
  if (type === 'Organization') return { type, path: `/orgs/${owner}`, endpoint: '/orgs/{org}' };
  let viewer = input.viewer;
  if (viewer === undefined) {
    const res = await input.send('GET', '/user', 'GET /user', 'viewer');
    // A GITHUB_TOKEN or App token is no user ("Resource not accessible by integration"): not the owner.
    if (res.status === 401) throw input.fail(res, 'identify the token');
    const login = res.status === 200 ? field(res.data, 'login') : undefined;
    viewer = typeof login === 'string' ? login : '';
  }
  return viewer.toLowerCase() === input.owner.toLowerCase()
    ? { type, path: '/user', endpoint: '/user' }
    : { type, path: `/users/${owner}`, endpoint: '/users/{username}' };
}

/** One page of `GET …/versions` as listed images; throws on anything that is not a list of versions. */
export function parseVersions(data: unknown, name: string): ListedImage[] {
  if (!Array.isArray(data)) throw new RegistryError(`${name}: list versions: the answer is not a list (${errorMessage(data)})`);
  return data.map((v: unknown) => {
    const id = field(v, 'id');
    const digest = field(v, 'name');
    const tags = field(field(field(v, 'metadata'), 'container'), 'tags') ?? [];
    if (typeof id !== 'number' || typeof digest !== 'string' || !Array.isArray(tags) || !tags.every((t): t is string => typeof t === 'string')) {
      throw new RegistryError(`${name}: list versions: a version without id, name or container tags: ${JSON.stringify(v).slice(0, 200)}`);
    }
    const created = field(v, 'created_at') ?? field(v, 'updated_at');
    const at = typeof created === 'string' ? new Date(created) : undefined;
    return {
      digest,
      tags: [...tags],
      handle: String(id),
      ...(at !== undefined && !Number.isNaN(at.getTime()) ? { pushedAt: at } : {}),
    };
  });
}
