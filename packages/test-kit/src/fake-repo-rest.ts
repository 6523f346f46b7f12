/**
 * A fake of GitHub's REST repository endpoints regsweep's history reader falls back to (a `Handler`
 * for server.ts), over a `RepoModel`: branches, matching tag refs, tag objects, open pull requests,
 * commit listings and single commits, with `Link` pagination. Every answer is checked against
 * GitHub's OpenAPI description (openapi-check.ts); a misfit is recorded in `violations` and sent as a
 * 500, so a test cannot pass on answers GitHub would not give.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { checkToken, type ModelCommit, type RepoModel } from './fake-graphql.js';
import { checkResponse } from './openapi-check.js';
import { sendJson, type Handler } from './server.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

let components: JsonObject | undefined;

/** The smallest value `schema` accepts (required properties only, null where nullable), from the spec. */
export function sampleOf(schemaName: string): Json {
  if (!components) {
    const path = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
    const spec = JSON.parse(readFileSync(path, 'utf8')) as JsonObject;
    const c = spec['components'];
    components = isObject(c) && isObject(c['schemas']) ? c['schemas'] : {};
  }
  const schemas = components;
  const sample = (node: Json | undefined): Json => {
    if (!isObject(node)) return null;
    const ref = node['$ref'];
    if (typeof ref === 'string') return sample(schemas[ref.replace('#/components/schemas/', '')]);
    if (node['nullable'] === true) return null;
    const all = node['allOf'];
    if (Array.isArray(all)) return Object.assign({}, ...all.map((s) => sample(s)).filter(isObject));
    const one = node['oneOf'] ?? node['anyOf'];
    if (Array.isArray(one)) return sample(one[0]);
    const enumeration = node['enum'];
    if (Array.isArray(enumeration)) return enumeration[0] ?? null;
    switch (node['type']) {
      case 'object': {
        const props = isObject(node['properties']) ? node['properties'] : {};
        const required = Array.isArray(node['required']) ? node['required'] : [];
        return Object.fromEntries(required.map((k) => [String(k), sample(props[String(k)])]));
      }
      case 'array': return [];
      case 'integer': case 'number': return 1;
      case 'boolean': return false;
      case 'string': return node['format'] === 'date-time' ? '2026-01-01T00:00:00Z' : node['format'] === 'uri' ? 'https://api.github.test/x' : 'x';
      default: return null;
    }
  };
  return sample(schemas[schemaName]);
}

export interface FakeRepoRest {
  handler: Handler;
  /** Answers that did not fit GitHub's description. */
  violations: string[];
}

const iso = (d: Date): string => d.toISOString().replace(/\.000Z$/, 'Z');
const NOT_FOUND = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };

export function fakeRepoRest(options: { models: RepoModel[]; token?: string }): FakeRepoRest {
  const violations: string[] = [];

  const handler: Handler = (req, _body, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const m = /^\/repos\/([^/]+)\/([^/]+)\/(branches|pulls|commits|git\/matching-refs\/.+|git\/tags\/[^/]+|commits\/[^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return false;
    if (!checkToken(req, res, options.token)) return true;
    const [, owner, name, rest = ''] = m;
    const api = `http://${req.headers.host ?? 'localhost'}`;
    const template = `/repos/{owner}/{repo}/${rest.replace(/^commits\/.+/, 'commits/{ref}').replace(/^git\/matching-refs\/.+/, 'git/matching-refs/{ref}').replace(/^git\/tags\/.+/, 'git/tags/{tag_sha}')}`;
    const send = (status: number, body: Json, headers: Record<string, string> = {}): true => {
      const check = checkResponse('GET', template, status, body);
      if (check.error) {
        violations.push(check.error);
        return sendJson(res, 500, { message: `fake answer does not fit the OpenAPI description: ${check.error}` });
      }
      return sendJson(res, status, body, headers);
    };
    const model = options.models.find((x) => x.owner === owner && x.name === name);
    if (!model) return send(404, NOT_FOUND);
    const base = `${api}/repos/${model.fullName}`;

    const page = (items: Json[]): true => {
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30) || 30);
      const n = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
      const last = Math.max(1, Math.ceil(items.length / perPage));
      const link = (p: number): string => {
        const u = new URL(`${api}${url.pathname}${url.search}`);
        u.searchParams.set('page', String(p));
        u.searchParams.set('per_page', String(perPage));
        return u.href;
      };
      const links: Record<string, string> = n < last ? { link: `<${link(n + 1)}>; rel="next", <${link(last)}>; rel="last"` } : {};
      return send(200, items.slice((n - 1) * perPage, n * perPage), links);
    };
    const commitJson = (c: ModelCommit): JsonObject => ({
      url: `${base}/commits/${c.oid}`, sha: c.oid, node_id: `C_${c.oid}`, html_url: `https://github.test/${model.fullName}/commit/${c.oid}`,
      comments_url: `${base}/commits/${c.oid}/comments`,
      commit: {
        url: `${base}/git/commits/${c.oid}`, message: `commit ${c.oid.slice(0, 7)}`, comment_count: 0,
        author: { name: 'Dev', email: 'dev@example.test', date: iso(c.date) },
        committer: { name: 'Dev', email: 'dev@example.test', date: iso(c.date) },
        tree: { sha: c.oid.split('').reverse().join(''), url: `${base}/git/trees/${c.oid}` },
      },
      author: null, committer: null,
      parents: c.parents.map((p) => ({ sha: p, url: `${base}/commits/${p}`, html_url: `https://github.test/${model.fullName}/commit/${p}` })),
    });
    const typeOf = (oid: string): string => model.kindOf(oid) ?? 'blob';

    if (rest === 'branches') {
      return page([...model.branches].sort(([a], [b]) => (a < b ? -1 : 1)).map(([b, oid]) => ({ name: b, commit: { sha: oid, url: `${base}/commits/${oid}` }, protected: false })));
    }
    if (rest.startsWith('git/matching-refs/')) {
      const prefix = `refs/${rest.slice('git/matching-refs/'.length)}`;
      const refs = [...model.tags].map(([t, oid]) => [`refs/tags/${t}`, oid] as const).filter(([r]) => r.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1));
      return page(refs.map(([r, oid]) => ({ ref: r, node_id: `REF_${r}`, url: `${base}/git/${r}`, object: { type: typeOf(oid), sha: oid, url: `${base}/git/${typeOf(oid)}s/${oid}` } })));
    }
    if (rest.startsWith('git/tags/')) {
      const t = model.tagObjects.get(rest.slice('git/tags/'.length));
      if (!t) return send(404, NOT_FOUND);
      // A tag without a tagger is not modelled over REST: the fake uses the peeled commit's date.
      const date = t.taggerDate ?? model.commits.get(t.target)?.date ?? new Date(0);
      return send(200, {
        node_id: `TAG_${t.oid}`, tag: t.name, sha: t.oid, url: `${base}/git/tags/${t.oid}`, message: `release ${t.name}`,
        tagger: { date: iso(date), email: 'tagger@example.test', name: 'Tagger' },
        object: { sha: t.target, type: typeOf(t.target), url: `${base}/git/${typeOf(t.target)}s/${t.target}` },
      });
    }
    if (rest === 'pulls') {
      const state = url.searchParams.get('state') ?? 'open';
      const sample = sampleOf('pull-request-simple');
      const head = isObject(sample) && isObject(sample['head']) ? sample['head'] : {};
      return page(model.pulls.filter((p) => state === 'all' || p.state.toLowerCase() === state).map((p) => ({
        ...(isObject(sample) ? sample : {}), number: p.number, state: 'open',
        head: { ...head, sha: p.head, ref: `feature-${p.number}`, label: `fork:feature-${p.number}` },
      })));
    }
    if (rest === 'commits') {
      const sha = url.searchParams.get('sha') ?? model.branches.get('main') ?? '';
      const start = model.resolve(sha);
      if (!start || !model.commits.has(start)) return send(404, { message: `No commit found for SHA: ${sha}`, documentation_url: 'https://docs.github.com/rest/commits/commits#list-commits', status: '404' });
      return page(model.log(start).map(commitJson));
    }
    const ref = decodeURIComponent(rest.slice('commits/'.length));
    const oid = model.resolve(ref);
    const c = oid ? model.commits.get(oid) : undefined;
    if (!c) return send(422, { message: `No commit found for SHA: ${ref}`, documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit' });
    return send(200, { ...commitJson(c), stats: { additions: 0, deletions: 0, total: 0 }, files: [] });
  };
  return { handler, violations };
}

/** Whether a recorded request went to the REST repository endpoints (for counting). */
export const isRepoRest = (r: { method: string; url: string }): boolean => r.method === 'GET' && r.url.startsWith('/repos/');
