/**
 * The REST v4 half of the fake GitLab: one project's branches, tags, commits, merge requests and
 * container registry repositories and tags, with GitLab's offset pagination headers (`x-page`,
 * `x-per-page`, `x-next-page` empty on the last page, `x-total`/`x-total-pages`/`rel="last"` except on
 * commits, `Link` with the route's own `id` in the query) and its error bodies (`{"message":"404
 * Project Not Found"}`, `"403 Forbidden"`). A job token is accepted where GitLab accepts it (registry,
 * branches, tags, merge requests) and ignored on the commits list, where a private project then
 * answers 404 Project Not Found.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './server.js';
import type { FakeRegistry } from './fake-gitlab-registry.js';

export interface FakeCommit {
  id: string;
  parents: string[];
  date: string;
}

export type Caller = { kind: 'none' } | { kind: 'job' } | { kind: 'token'; canDelete: boolean };

export interface FakeProject {
  id: number;
  path: string;
  commits: Map<string, FakeCommit>;
  branches: Map<string, string>;
  /** Annotated tags have `taggedAt`. */
  gitTags: Map<string, { commit: string; taggedAt?: string }>;
  mergeRequests: Array<{ iid: number; sha: string; sourceBranch: string; state: 'opened' | 'merged' | 'closed' }>;
  /** Registry repositories: id and path (`acme/app`, `acme/app/web`). */
  repositories: Array<{ id: number; path: string }>;
  /** Tag-name regexps of protection rules (delete needs Maintainer; the fake's callers are Developers). */
  protectedTags: RegExp[];
  /** Tag-name regexps of immutable rules (GitLab 18.2+): no role may delete a matching tag. */
  immutableTags: RegExp[];
  /** The protection rules API answers 403 (the token's role may not read them). */
  rulesHidden: boolean;
  registryHost: string;
}

const commitEntity = (c: FakeCommit) => ({
  id: c.id, short_id: c.id.slice(0, 8), created_at: c.date, parent_ids: c.parents, title: `commit ${c.id.slice(0, 8)}`, message: `commit ${c.id.slice(0, 8)}\n`,
  author_name: 'Dev', author_email: 'dev@example.com', authored_date: c.date, committer_name: 'Dev', committer_email: 'dev@example.com', committed_date: c.date,
  trailers: {}, extended_trailers: {}, web_url: `https://gitlab.example.test/-/commit/${c.id}`,
});

/** Answers one page of `items` with GitLab's offset pagination headers. */
export function paginated(req: IncomingMessage, res: ServerResponse, url: URL, items: readonly unknown[], o: { totals?: boolean; routeId?: string } = {}): true {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? '20') || 20));
  const page = Math.max(1, Number(url.searchParams.get('page') ?? '1') || 1);
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const host = req.headers.host ?? '127.0.0.1';
  const link = (p: number, rel: string): string => {
    const q = new URLSearchParams(url.searchParams);
    if (o.routeId !== undefined) q.set('id', o.routeId);
    q.set('page', String(p));
    q.set('per_page', String(perPage));
    q.sort();
    return `<http://${host}${url.pathname}?${q.toString()}>; rel="${rel}"`;
  };
  const hasNext = o.totals === false ? slice.length === perPage : page < pages;
  const links = [...(page > 1 ? [link(page - 1, 'prev')] : []), ...(hasNext ? [link(page + 1, 'next')] : []), link(1, 'first'), ...(o.totals === false ? [] : [link(pages, 'last')])];
  return sendJson(res, 200, slice, {
    'x-page': String(page), 'x-per-page': String(perPage), 'x-next-page': hasNext ? String(page + 1) : '', 'x-prev-page': page > 1 ? String(page - 1) : '',
    ...(o.totals === false ? {} : { 'x-total': String(items.length), 'x-total-pages': String(pages) }), link: links.join(', '),
  });
}

const notFound = (res: ServerResponse, what: string): true => sendJson(res, 404, { message: `404 ${what} Not Found` });
const forbidden = (res: ServerResponse): true => sendJson(res, 403, { message: '403 Forbidden' });

export class FakeRest {
  readonly deletes: string[] = [];

  constructor(private readonly p: FakeProject, private readonly registry: FakeRegistry) {}

  /** Every commit reachable from `tip`, newest first (git log's default order). */
  history(tip: string): FakeCommit[] {
    const seen = new Set<string>();
    const out: FakeCommit[] = [];
    const queue = [tip];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      const c = this.p.commits.get(id);
      if (c === undefined) continue;
      out.push(c);
      queue.push(...c.parents);
    }
    return out.sort((a, b) => (a.date === b.date ? (a.id < b.id ? -1 : 1) : a.date < b.date ? 1 : -1));
  }

  private resolve(ref: string): string | undefined {
    if (this.p.branches.has(ref)) return this.p.branches.get(ref);
    if (this.p.gitTags.has(ref)) return this.p.gitTags.get(ref)?.commit;
    const matches = [...this.p.commits.keys()].filter((id) => id.startsWith(ref.toLowerCase()));
    return ref.length >= 4 && matches.length === 1 ? matches[0] : undefined;
  }

  handle(req: IncomingMessage, res: ServerResponse, caller: Caller): boolean {
    const url = new URL(req.url ?? '/', 'http://fake');
    const m = /^\/api\/v4\/projects\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (m === null) return false;
    const id = decodeURIComponent(m[1] ?? '');
    if (id !== String(this.p.id) && id !== this.p.path) return notFound(res, 'Project');
    if (caller.kind === 'none') return notFound(res, 'Project'); // a private project
    const rest = m[2] ?? '';
    const routeId = m[1] ?? '';
    const method = req.method ?? 'GET';
    if (method === 'GET' && rest === '/repository/branches') {
      const items = [...this.p.branches].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, commit]) => ({
        name, commit: commitEntity(this.p.commits.get(commit) as FakeCommit), merged: false, protected: name === 'main', developers_can_push: false,
        developers_can_merge: false, can_push: true, default: name === 'main', web_url: `https://gitlab.example.test/${this.p.path}/-/tree/${name}`,
      }));
      return paginated(req, res, url, items, { routeId });
    }
    if (method === 'GET' && rest === '/repository/tags') {
      const items = [...this.p.gitTags].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, t]) => ({
        name, message: t.taggedAt !== undefined ? `release ${name}` : '', target: t.commit, commit: commitEntity(this.p.commits.get(t.commit) as FakeCommit),
        release: null, protected: false, created_at: t.taggedAt ?? null,
      }));
      return paginated(req, res, url, items, { routeId });
    }
    if (method === 'GET' && rest === '/merge_requests') {
      const state = url.searchParams.get('state') ?? 'all';
      const items = this.p.mergeRequests.filter((mr) => state === 'all' || mr.state === state).map((mr) => ({
        id: 1000 + mr.iid, iid: mr.iid, project_id: this.p.id, title: `MR ${mr.iid}`, state: mr.state, source_branch: mr.sourceBranch, target_branch: 'main',
        source_project_id: this.p.id, target_project_id: this.p.id, sha: mr.sha, merge_commit_sha: null, draft: false,
      }));
      return paginated(req, res, url, items, { routeId });
    }
    if (method === 'GET' && rest === '/repository/commits') {
      if (caller.kind === 'job') return notFound(res, 'Project'); // the job token is ignored here
      const tip = this.resolve(url.searchParams.get('ref_name') ?? 'main');
      if (tip === undefined) return notFound(res, 'Commit');
      return paginated(req, res, url, this.history(tip).map(commitEntity), { totals: false, routeId });
    }
    const one = /^\/repository\/commits\/([^/]+)$/.exec(rest);
    if (method === 'GET' && one !== null) {
      const tip = this.resolve(decodeURIComponent(one[1] ?? ''));
      return tip === undefined ? notFound(res, 'Commit') : sendJson(res, 200, commitEntity(this.p.commits.get(tip) as FakeCommit));
    }
    return this.registryRoutes(req, res, url, rest, routeId, caller);
  }

  private registryRoutes(req: IncomingMessage, res: ServerResponse, url: URL, rest: string, routeId: string, caller: Caller): boolean {
    const method = req.method ?? 'GET';
    const host = this.p.registryHost;
    if (method === 'GET' && rest === '/registry/protection/tag/rules') {
      if (this.p.rulesHidden) return forbidden(res);
      const protection = this.p.protectedTags.map((re) => ({ pattern: re.source, push: 'maintainer', delete: 'maintainer' }));
      const immutable = this.p.immutableTags.map((re) => ({ pattern: re.source, push: null, delete: null }));
      return sendJson(res, 200, [...protection, ...immutable].map((r, i) => ({
        id: i + 1, project_id: this.p.id, tag_name_pattern: r.pattern, minimum_access_level_for_push: r.push, minimum_access_level_for_delete: r.delete,
      })));
    }
    if (method === 'GET' && rest === '/registry/repositories') {
      const items = this.p.repositories.map((r) => ({
        id: r.id, name: r.path === this.p.path ? '' : r.path.slice(this.p.path.length + 1), path: r.path, project_id: this.p.id,
        location: `${host}/${r.path}`, created_at: '2026-01-01T00:00:00.000Z', cleanup_policy_started_at: null, status: null,
      }));
      return paginated(req, res, url, items, { routeId });
    }
    const tags = /^\/registry\/repositories\/(\d+)\/tags(?:\/([^/]+))?$/.exec(rest);
    if (tags === null) return false;
    const repo = this.p.repositories.find((r) => String(r.id) === tags[1]);
    if (repo === undefined) return notFound(res, 'Repository');
    const all = this.registry.tags.get(repo.path) ?? new Map();
    const name = tags[2] !== undefined ? decodeURIComponent(tags[2]) : undefined;
    if (name === undefined) {
      if (method !== 'GET') return false;
      const items = [...all.keys()].sort().map((t) => ({ name: t, path: `${repo.path}:${t}`, location: `${host}/${repo.path}:${t}` }));
      return paginated(req, res, url, items, { routeId });
    }
    const tag = all.get(name);
    if (tag === undefined) return notFound(res, 'Tag');
    if (method === 'GET') {
      const stored = this.registry.stored(repo.path, tag.digest);
      return sendJson(res, 200, {
        name, path: `${repo.path}:${name}`, location: `${host}/${repo.path}:${name}`, revision: 'f'.repeat(64), short_revision: 'fffffffff',
        digest: tag.digest, created_at: stored?.created ?? null, total_size: stored?.size ?? 0,
      });
    }
    if (method === 'DELETE') {
      if (caller.kind === 'token' && !caller.canDelete) return forbidden(res);
      if ([...this.p.protectedTags, ...this.p.immutableTags].some((re) => re.test(name))) return forbidden(res);
      all.delete(name);
      this.deletes.push(`${repo.path}:${name}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('');
      return true;
    }
    return false;
  }
}
