/**
 * GitHub's Packages REST endpoints for container packages over an in-memory model, as a `Handler` for
 * server.ts: versions (`/orgs|/user|/users/{owner}/packages/container/{name}/versions[/{id}]`, `Link`
 * next/last), `DELETE` (204; GHCR's two 400 refusals), `GET /users/{owner}` and `GET /user`. Every
 * answer carries the primary rate-limit headers of its token's hourly budget; an exhausted budget gets
 * 403 + `x-ratelimit-remaining: 0`. Secondary limits: more than `maxConcurrent` requests in flight, or
 * more than `pointsPerMinute` points (GET 1, else 5) per endpoint in 60 s, get 403 + `retry-after`;
 * `storm(untilMs)` refuses everything until then. Every answer is checked against GitHub's OpenAPI
 * description (openapi-check.ts); a mismatch is recorded in `schemaErrors` and answered 500.
 * Time is `clock()` (epoch ms; tests pass a scaled clock); latency is real milliseconds.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeGhcrOci } from './fake-ghcr-oci.js';
import { checkResponse } from './openapi-check.js';
import { scaledClock } from './scaled-clock.js';
import { publicUser } from './github-user.js';
import { sendJson, startFakeServer, type FakeServer, type Handler } from './server.js';

export { scaledClock } from './scaled-clock.js';
export { publicUser } from './github-user.js';

export interface FakeVersion {
  id: number;
  name: string;
  tags: string[];
  created_at: string;
  updated_at: string;
  downloads?: number;
}

export interface FakeToken {
  /** The user the token belongs to; absent for a GITHUB_TOKEN or App token. */
  login?: string;
  read: boolean;
  delete: boolean;
  /** Answer a refused delete 404 (as if the version were hidden) instead of 403. */
  hideOnDenied?: boolean;
}

export interface FakePackagesOptions {
  owners?: Record<string, 'User' | 'Organization'>;
  tokens?: Record<string, FakeToken>;
  /** Requests per hour and token (default 5000). */
  hourlyBudget?: number;
  maxConcurrent?: number;
  pointsPerMinute?: number;
  /** Real milliseconds before each answer. */
  latencyMs?: number;
  clock?: () => number;
  /** Refuse deleting the last tagged version (GHCR does; default true). */
  refuseLastTagged?: boolean;
  /** Status of an exhausted primary budget (403 or 429). */
  primaryStatus?: 403 | 429;
  /** Called before a page of a version list is answered (a test may change the versions there). */
  beforeListPage?: (page: number) => void;
}

export interface LoggedRequest {
  method: string;
  url: string;
  /** The OpenAPI path template, or '' for an unknown route. */
  route: string;
  status: number;
  /** `clock()` when it arrived and when it was answered. */
  at: number;
  end: number;
  rateLimited: boolean;
  /** Which limit refused it. */
  limit?: 'primary' | 'storm' | 'concurrency' | 'points';
}

interface Route {
  template: string;
  key: string;
  ownerPath: 'orgs' | 'user' | 'users' | 'lookup' | 'viewer';
  owner?: string;
  name?: string;
  id?: number;
}

const DOCS = 'https://docs.github.com/rest/packages/packages';
const ENDPOINT = (o: string) => `/${o}/packages/{package_type}/{package_name}/versions`;

function parseRoute(method: string, url: string): Route | undefined {
  const raw = (url.split('?')[0] ?? '').split('/').slice(1);
  const seg = raw.map((s) => decodeURIComponent(s));
  const [a, b, c, d, e, f, g] = seg;
  const versions = (prefix: Omit<Route, 'template' | 'key'>, base: string, rest: string[]): Route | undefined => {
    if (rest[0] !== 'packages' || rest[1] !== 'container' || rest[3] !== 'versions' || rest.length > 5) return undefined;
    const id = rest[4] !== undefined ? Number(rest[4]) : undefined;
    if (id !== undefined && !Number.isInteger(id)) return undefined;
    const template = `${base}${id !== undefined ? '/{package_version_id}' : ''}`;
    return { ...prefix, name: rest[2] ?? '', ...(id !== undefined ? { id } : {}), template, key: `${method} ${template}` };
  };
  if (a === 'users' && b !== undefined && seg.length === 2) return { template: '/users/{username}', key: 'GET /users/{username}', ownerPath: 'lookup', owner: b };
  if (a === 'user' && seg.length === 1) return { template: '/user', key: 'GET /user', ownerPath: 'viewer' };
  if (a === 'orgs' && b !== undefined) return versions({ ownerPath: 'orgs', owner: b }, ENDPOINT('orgs/{org}'), [c, d, e, f, g].filter((x): x is string => x !== undefined));
  if (a === 'user') return versions({ ownerPath: 'user' }, ENDPOINT('user'), [b, c, d, e, f].filter((x): x is string => x !== undefined));
  if (a === 'users' && b !== undefined) return versions({ ownerPath: 'users', owner: b }, ENDPOINT('users/{username}'), [c, d, e, f, g].filter((x): x is string => x !== undefined));
  return undefined;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string>; limit?: LoggedRequest['limit'] };

export class FakePackages {
  readonly packages = new Map<string, FakeVersion[]>();
  readonly log: LoggedRequest[] = [];
  readonly schemaErrors: string[] = [];
  /** Statuses sent that the OpenAPI description does not list for the operation. */
  readonly undocumented = new Set<string>();
  inFlight = 0;
  maxInFlight = 0;
  limitedUntil = 0;
  private retryAfterS: number | undefined;
  private nextId = 1000;
  private readonly budgets = new Map<string, { used: number; resetAt: number }>();
  private readonly points = new Map<string, { at: number; points: number }[]>();
  readonly clock: () => number;

  constructor(private readonly options: FakePackagesOptions = {}) {
    this.clock = options.clock ?? Date.now;
  }

  /** Adds a package with versions, newest first by id; `created` minutes ago for each version. */
  addPackage(owner: string, name: string, versions: { name: string; tags?: string[]; downloads?: number; ageMinutes?: number }[]): FakeVersion[] {
    const list = versions.map((v, i) => {
      const when = new Date(this.clock() - (v.ageMinutes ?? versions.length - i) * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
      return { id: this.nextId++, name: v.name, tags: v.tags ?? [], created_at: when, updated_at: when, ...(v.downloads !== undefined ? { downloads: v.downloads } : {}) };
    });
    this.packages.set(`${owner.toLowerCase()}/${name}`, list);
    return list;
  }

  versions(owner: string, name: string): FakeVersion[] {
    return this.packages.get(`${owner.toLowerCase()}/${name}`) ?? [];
  }

  /**
   * Refuses every request (403 + retry-after) until `untilMs`. The retry-after names the storm's end,
   * or a fixed `retryAfterS` (a limit that lasts longer than its answers say).
   */
  storm(untilMs: number, retryAfterS?: number): void {
    this.limitedUntil = untilMs;
    this.retryAfterS = retryAfterS;
  }

  /** Starts a new hour for every token. */
  resetBudgets(): void {
    this.budgets.clear();
  }

  /** Uses up a token's hourly budget (another job spent it). */
  exhaust(token: string): void {
    const limit = this.options.hourlyBudget ?? 5000;
    this.budgets.set(token, { used: limit, resetAt: Math.ceil(this.clock() / 1000) + 3600 });
  }

  /** Requests still left in a token's hour. */
  remaining(token: string): number {
    return (this.options.hourlyBudget ?? 5000) - (this.budgets.get(token)?.used ?? 0);
  }

  readonly handler: Handler = async (req: IncomingMessage, _body: string, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const route = parseRoute(method, url);
    if (route === undefined) return false;
    const at = this.clock();
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const concurrent = this.inFlight;
    try {
      if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
      const answer = this.answer(method, url, route, req, at, concurrent);
      const check = checkResponse(method, route.template, answer.status, answer.body);
      if (check.undocumented) this.undocumented.add(`${method} ${route.template} ${answer.status}`);
      if (check.error !== undefined) {
        this.schemaErrors.push(check.error);
        console.error(`fake GitHub answer does not fit the OpenAPI description: ${check.error}`);
        sendJson(res, 500, { message: `fake answer does not fit the OpenAPI description: ${check.error}` });
      } else {
        sendJson(res, answer.status, answer.body, answer.headers);
      }
      const rateLimited = (answer.status === 403 || answer.status === 429) && (answer.headers?.['retry-after'] !== undefined || answer.headers?.['x-ratelimit-remaining'] === '0');
      this.log.push({ method, url, route: route.template, status: answer.status, at, end: this.clock(), rateLimited, ...(answer.limit !== undefined ? { limit: answer.limit } : {}) });
      return true;
    } finally {
      this.inFlight -= 1;
    }
  };

  private answer(method: string, url: string, route: Route, req: IncomingMessage, at: number, concurrent: number): Answer {
    const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (auth === undefined) return { status: 401, body: { message: 'Requires authentication', documentation_url: DOCS } };
    const token = this.options.tokens?.[auth];
    if (token === undefined) return { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' } };
    const budget = this.budgets.get(auth) ?? { used: 0, resetAt: Math.ceil(at / 1000) + 3600 };
    this.budgets.set(auth, budget);
    const limit = this.options.hourlyBudget ?? 5000;
    const rate = (): Record<string, string> => ({
      'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(Math.max(0, limit - budget.used)),
      'x-ratelimit-reset': String(budget.resetAt), 'x-ratelimit-used': String(budget.used), 'x-ratelimit-resource': 'core',
    });
    if (budget.used >= limit) {
      return { status: this.options.primaryStatus ?? 403, headers: rate(), limit: 'primary', body: { message: 'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' } };
    }
    budget.used += 1;
    const secondary = (retryAfter: number, limit: LoggedRequest['limit']): Answer => ({
      status: 403, limit, headers: { ...rate(), 'retry-after': String(retryAfter) },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' },
    });
    if (at < this.limitedUntil) return secondary(this.retryAfterS ?? Math.max(1, Math.ceil((this.limitedUntil - at) / 1000)), 'storm');
    if (concurrent > (this.options.maxConcurrent ?? 100)) return secondary(60, 'concurrency');
    const log = (this.points.get(route.key) ?? []).filter((p) => p.at > at - 60_000);
    const cost = method === 'GET' ? 1 : 5;
    if (log.reduce((s, p) => s + p.points, 0) + cost > (this.options.pointsPerMinute ?? 900)) return secondary(60, 'points');
    log.push({ at, points: cost });
    this.points.set(route.key, log);
    const answer = this.route(method, url, route, token, req.headers.host ?? '127.0.0.1');
    return { ...answer, headers: { ...rate(), ...answer.headers } };
  }

  private route(method: string, url: string, route: Route, token: FakeToken, host: string): Answer {
    const notFound = (message: string): Answer => ({ status: 404, body: { message, documentation_url: DOCS } });
    if (route.ownerPath === 'lookup') {
      const type = this.options.owners?.[route.owner ?? ''];
      return type === undefined ? notFound('Not Found') : { status: 200, body: publicUser(route.owner ?? '', type) };
    }
    if (route.ownerPath === 'viewer') {
      if (token.login === undefined) return { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user' } };
      return { status: 200, body: publicUser(token.login, 'User') };
    }
    const owner = route.ownerPath === 'user' ? token.login : route.owner;
    const ownerType = owner !== undefined ? this.options.owners?.[owner] : undefined;
    const wants = route.ownerPath === 'orgs' ? 'Organization' : 'User';
    const versions = owner !== undefined && ownerType === wants ? this.packages.get(`${owner.toLowerCase()}/${route.name ?? ''}`) : undefined;
    if (versions === undefined) return notFound('Package not found.');
    if (!token.read) return { status: 403, body: { message: 'You need at least read:packages scope to list packages.', documentation_url: DOCS } };
    const base = `http://${host}${(url.split('?')[0] ?? '')}`;
    if (route.id === undefined) {
      this.options.beforeListPage?.(Math.max(1, Number(new URL(url, 'http://x').searchParams.get('page') ?? 1) || 1));
      return listPage(versions, url, base, route);
    }
    const index = versions.findIndex((v) => v.id === route.id);
    const version = versions[index];
    if (method === 'GET') return version === undefined ? notFound('Package version not found.') : { status: 200, body: toJson(version, base, route) };
    if (!token.delete) return token.hideOnDenied ? notFound('Package not found.') : { status: 403, body: { message: 'Permission denied: the token may not delete versions of this package.', documentation_url: DOCS } };
    if (version === undefined) return notFound('Package version not found.');
    if ((version.downloads ?? 0) > 5000) {
      return { status: 400, body: { message: 'Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.', documentation_url: DOCS } };
    }
    if ((this.options.refuseLastTagged ?? true) && version.tags.length > 0 && !versions.some((v) => v !== version && v.tags.length > 0)) {
      return { status: 400, body: { message: 'You cannot delete the last tagged version of a package. You must delete the package instead.', documentation_url: DOCS } };
    }
    versions.splice(index, 1);
    return { status: 204, body: undefined };
  }
}

function toJson(v: FakeVersion, base: string, route: Route): object {
  const url = route.id === undefined ? `${base}/${v.id}` : base;
  return {
    id: v.id, name: v.name, url, package_html_url: `https://github.com/${route.owner ?? 'me'}/packages/container/package/${route.name ?? ''}`,
    created_at: v.created_at, updated_at: v.updated_at, html_url: `https://github.com/${route.owner ?? 'me'}/packages/container/${route.name ?? ''}/${v.id}`,
    metadata: { package_type: 'container', container: { tags: v.tags } },
  };
}

function listPage(versions: FakeVersion[], url: string, base: string, route: Route): Answer {
  const query = new URL(url, 'http://x').searchParams;
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const sorted = [...versions].sort((a, b) => b.id - a.id);
  const last = Math.max(1, Math.ceil(sorted.length / perPage));
  const link = (p: number, rel: string) => `<${base}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
  const links = [page > 1 ? link(page - 1, 'prev') : '', page < last ? link(page + 1, 'next') : '', page < last ? link(last, 'last') : '', page > 1 ? link(1, 'first') : ''].filter((l) => l !== '');
  const body = sorted.slice((page - 1) * perPage, page * perPage).map((v) => toJson(v, base, route));
  return { status: 200, body, headers: links.length > 0 ? { link: links.join(', ') } : {} };
}

export interface FakeGitHub {
  url: string;
  server: FakeServer;
  packages: FakePackages;
  oci: FakeGhcrOci;
  clock: ReturnType<typeof scaledClock>;
  close(): Promise<void>;
}

/** A fake api.github.com and ghcr.io on one port; tokens default to `pat` (user octo, read+delete). */
export async function startFakeGitHub(options: FakePackagesOptions & { speed?: number } = {}): Promise<FakeGitHub> {
  const clock = scaledClock(options.speed ?? 100);
  const tokens = options.tokens ?? { pat: { login: 'octo', read: true, delete: true } };
  const packages = new FakePackages({ owners: { acme: 'Organization', octo: 'User', other: 'User' }, ...options, tokens, clock: clock.ms });
  const oci = new FakeGhcrOci(new Set(Object.keys(tokens)));
  const server = await startFakeServer([packages.handler, oci.handler]);
  return { url: server.url, server, packages, oci, clock, close: () => server.close() };
}
