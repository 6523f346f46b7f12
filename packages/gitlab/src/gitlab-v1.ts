/**
 * The GitLab container registry's own API (platform-facts.md §3.3): `GET /gitlab/v1/repositories/<path>/tags/list/`
 * (trailing slash required), up to 1,000 tags a page with digest, media type, size and push time,
 * `Link: <…>; rel="next"` to the next page; authenticated by a registry JWT from
 * `<server>/jwt/auth?service=container_registry&scope=repository:<path>:pull` (Basic user and token).
 * A registry without GitLab's metadata database has no such API: `listTagsV1` answers undefined then,
 * and the caller reads REST v4 instead.
 */
import { IncompleteInputError, InputError, type Digest } from '@regsweep/core';
import { gitlabMessage, type GitLabHttp, type GitLabResponse } from './gitlab-http.js';
import type { TagFacts } from './gitlab-fields.js';
import { TOKEN_HINT } from './gitlab-errors.js';

/** Registry JWTs by scope, fetched once each (they last at least five minutes; a listing takes less). */
export class RegistryJwt {
  private readonly tokens = new Map<string, Promise<string>>();

  /** `onSecret` is told every JWT before it is used (for redaction). */
  constructor(private readonly http: GitLabHttp, private readonly credentials: { username: string; password: string }, private readonly onSecret?: (secret: string) => void) {}

  /** A pull token for `path`; throws InputError when GitLab refuses the credentials. */
  pull(path: string): Promise<string> {
    const scope = `repository:${path}:pull`;
    let token = this.tokens.get(scope);
    if (token === undefined) {
      token = this.fetch(scope);
      this.tokens.set(scope, token);
      token.catch(() => this.tokens.delete(scope));
    }
    return token;
  }

  private async fetch(scope: string): Promise<string> {
    const url = new URL(`${this.http.serverUrl}/jwt/auth`);
    url.searchParams.set('service', 'container_registry');
    url.searchParams.set('scope', scope);
    const basic = Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64');
    const res = await this.http.send('GET', url, { headers: { Authorization: `Basic ${basic}` } });
    if (res.status === 401 || res.status === 403) {
      throw new InputError(`GitLab refused a registry token for ${scope} (${res.status} ${gitlabMessage(res.data)})`.trim(), TOKEN_HINT);
    }
    const token = typeof res.data === 'object' && res.data !== null ? (res.data as Record<string, unknown>)['token'] : undefined;
    if (res.status !== 200 || typeof token !== 'string' || token === '') {
      throw new IncompleteInputError(`registry token for ${scope}`, `GitLab's /jwt/auth answered ${res.status} without a token`, 'nothing was deleted; run again later');
    }
    this.onSecret?.(token);
    return token;
  }
}

/** Statuses that mean "this registry has no /gitlab/v1 API" (or not for this token): use REST. */
const UNAVAILABLE = new Set([401, 403, 404, 405, 501]);

/**
 * Every tag of `path` through `/gitlab/v1`, or undefined when the registry does not offer it. Any
 * other failure, or an answer that is not a tag list, throws (fail closed).
 */
export async function listTagsV1(http: GitLabHttp, jwt: RegistryJwt, registryUrl: string, path: string, name: string): Promise<TagFacts[] | undefined> {
  let token: string;
  try {
    token = await jwt.pull(path);
  } catch (err) {
    if (err instanceof InputError) return undefined; // REST may still work with the same token
    throw err;
  }
  const out: TagFacts[] = [];
  let next: URL | undefined = new URL(`${registryUrl}/gitlab/v1/repositories/${path}/tags/list/?n=1000`);
  for (let page = 1; next !== undefined; page++) {
    const res: GitLabResponse = await http.send('GET', next, { headers: { Authorization: `Bearer ${token}` } });
    if (page === 1 && UNAVAILABLE.has(res.status)) return undefined;
    if (res.status !== 200 || !Array.isArray(res.data)) {
      throw new IncompleteInputError(`${name} listing`, `/gitlab/v1 tags page ${page} answered ${res.status}${Array.isArray(res.data) ? '' : ' without a tag list'}: ${gitlabMessage(res.data)}`,
        'nothing was deleted; run again when the registry answers');
    }
    for (const t of res.data) out.push(parseV1Tag(t, name, page));
    next = nextLink(res.headers['link'], registryUrl);
  }
  return out;
}

function parseV1Tag(t: unknown, name: string, page: number): TagFacts {
  const o = typeof t === 'object' && t !== null ? (t as Record<string, unknown>) : {};
  const tag = o['name'];
  const digest = o['digest'];
  if (typeof tag !== 'string' || typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new IncompleteInputError(`${name} listing`, `/gitlab/v1 tags page ${page} has an entry without a name and a sha256 digest`, 'nothing was deleted; report this registry answer');
  }
  const at = typeof o['published_at'] === 'string' ? o['published_at'] : typeof o['created_at'] === 'string' ? o['created_at'] : undefined;
  return {
    name: tag, digest: digest as Digest,
    ...(typeof o['media_type'] === 'string' ? { mediaType: o['media_type'] } : {}),
    ...(typeof o['size_bytes'] === 'number' ? { size: o['size_bytes'] } : {}),
    ...(at !== undefined ? { at } : {}),
  };
}

/** The `rel="next"` target of a `Link` header, resolved against the registry. */
export function nextLink(link: string | undefined, base: string): URL | undefined {
  if (link === undefined) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m !== null && /rel\s*=\s*"?next"?/i.test(m[2] ?? '')) return new URL(m[1] ?? '', base);
  }
  return undefined;
}
