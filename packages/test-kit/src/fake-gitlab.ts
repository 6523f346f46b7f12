/**
 * A fake GitLab on 127.0.0.1: REST v4 for one project (fake-rest.ts), the registry with its JWT
 * endpoint and `/gitlab/v1` listing (fake-registry.ts), GitLab's rate limiting (every REST answer
 * carries `RateLimit-Limit`/`-Remaining`/`-Reset`; past the limit, or during a scripted storm, 429 with
 * `Retry after`-style `text/plain` body, `Retry-After` and `RateLimit-*`), latency, and a log of every
 * request. Tokens: `api` tokens may delete; `read` tokens may not; the job token is `CI_JOB_TOKEN`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startFakeServer, type FakeServer } from './server.js';
import { FakeRegistry } from './fake-gitlab-registry.js';
import { FakeRest, type Caller, type FakeCommit, type FakeProject } from './fake-gitlab-rest.js';
import { testSecret } from './secrets.js';

/** The default tokens (test secrets, see test/support/secrets.ts): `api` may delete, `read` may not, `job` is CI_JOB_TOKEN. */
export const TOKENS = { api: testSecret('glpat-api'), read: testSecret('glpat-read'), job: testSecret('job-token') } as const;

export interface FakeGitLabOptions {
  apiTokens?: string[];
  readTokens?: string[];
  jobTokens?: string[];
  latencyMs?: number;
  /** REST requests a minute before 429s (default: no limit). */
  perMinute?: number;
}

export class FakeGitLab {
  readonly project: FakeProject;
  readonly registry: FakeRegistry;
  readonly rest: FakeRest;
  server: FakeServer | undefined;
  /** Epoch ms of the REST requests in the current minute window. */
  private window: { start: number; count: number } = { start: 0, count: 0 };
  private storm = { left: 0, retryAfterS: 1 };
  /** When each 429 was sent and when its Retry-After ends. */
  readonly limitedUntil: number[] = [];
  readonly requestTimes: Array<{ at: number; method: string; path: string }> = [];
  private readonly apiTokens: Set<string>;
  private readonly readTokens: Set<string>;
  private readonly jobTokens: Set<string>;

  constructor(private readonly options: FakeGitLabOptions = {}) {
    this.apiTokens = new Set(options.apiTokens ?? [TOKENS.api]);
    this.readTokens = new Set(options.readTokens ?? [TOKENS.read]);
    this.jobTokens = new Set(options.jobTokens ?? [TOKENS.job]);
    this.registry = new FakeRegistry((user, password) =>
      (user === 'gitlab-ci-token' && this.jobTokens.has(password)) || this.apiTokens.has(password) || this.readTokens.has(password));
    this.project = {
      id: 42, path: 'acme/app', commits: new Map(), branches: new Map(), gitTags: new Map(), mergeRequests: [], repositories: [],
      protectedTags: [], immutableTags: [], rulesHidden: false, registryHost: '127.0.0.1',
    };
    this.rest = new FakeRest(this.project, this.registry);
  }

  async start(): Promise<FakeServer> {
    this.server = await startFakeServer([(req, _body, res) => this.answer(req, res)], {
      ...(this.options.latencyMs !== undefined ? { latencyMs: this.options.latencyMs } : {}),
      notFound: (res) => void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: '404 Not Found' })),
    });
    this.project.registryHost = new URL(this.server.url).host;
    return this.server;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  get url(): string {
    if (this.server === undefined) throw new Error('FakeGitLab: start() first');
    return this.server.url;
  }

  /** The next `count` REST requests answer 429 with `Retry-After: retryAfterS`. */
  startStorm(count: number, retryAfterS: number): void {
    this.storm = { left: count, retryAfterS };
  }

  addCommit(id: string, parents: string[], date: string): FakeCommit {
    const c = { id, parents, date };
    this.project.commits.set(id, c);
    return c;
  }

  addRepository(path: string): { id: number; path: string } {
    const repo = { id: 100 + this.project.repositories.length, path };
    this.project.repositories.push(repo);
    if (!this.registry.tags.has(path)) this.registry.tags.set(path, new Map());
    return repo;
  }

  private caller(req: IncomingMessage): Caller {
    const job = req.headers['job-token'];
    if (typeof job === 'string' && this.jobTokens.has(job)) return { kind: 'job' };
    const token = req.headers['private-token'];
    if (typeof token === 'string' && this.apiTokens.has(token)) return { kind: 'token', canDelete: true };
    if (typeof token === 'string' && this.readTokens.has(token)) return { kind: 'token', canDelete: false };
    return { kind: 'none' };
  }

  private answer(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const now = Date.now();
    this.requestTimes.push({ at: now, method: req.method ?? 'GET', path });
    if (!path.startsWith('/api/v4/')) return this.registry.handle(req, res);
    const token = req.headers['private-token'] ?? req.headers['job-token'];
    if (token !== undefined && this.caller(req).kind === 'none') {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: '401 Unauthorized' }));
      return true;
    }
    if (now - this.window.start >= 60_000) this.window = { start: now, count: 0 };
    this.window.count += 1;
    const limit = this.options.perMinute ?? 100_000;
    const reset = Math.ceil((this.window.start + 60_000) / 1000);
    const headers = { 'ratelimit-name': 'throttle_authenticated_api', 'ratelimit-limit': String(limit), 'ratelimit-observed': String(this.window.count), 'ratelimit-remaining': String(Math.max(0, limit - this.window.count)), 'ratelimit-reset': String(reset) };
    const stormy = this.storm.left > 0;
    if (stormy || this.window.count > limit) {
      if (stormy) this.storm.left -= 1;
      const after = stormy ? this.storm.retryAfterS : Math.max(1, reset - Math.floor(now / 1000));
      this.limitedUntil.push(now + after * 1000);
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(after), 'ratelimit-resettime': new Date(reset * 1000).toUTCString(), ...headers });
      res.end('Retry later\n');
      return true;
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    return this.rest.handle(req, res, this.caller(req));
  }
}
