/**
 * A fake GitHub GraphQL endpoint (a `Handler` for server.ts) that EXECUTES queries against GitHub's
 * real public schema (@octokit/graphql-schema's SDL) over an in-memory repository: a query that does
 * not validate gets GraphQL errors, as from GitHub. Connections enforce GitHub's `first`/`last` rules
 * (required, at most 100). The repository
 * model is repo-model.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { schema as githubSchema } from '@octokit/graphql-schema';
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { sendJson, type Handler } from './server.js';

export { oidOf, RepoModel, type ModelCommit, type ModelPull, type ModelTagObject, type ObjectKind } from './repo-model.js';
import type { ModelCommit, RepoModel } from './repo-model.js';

/** An error GitHub reports with a `type` (NOT_FOUND, MISSING_PAGINATION_BOUNDARIES, ...). */
class TypedError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

let builtSchema: GraphQLSchema | undefined;

/** GitHub's public schema. Its SDL defines two fields twice, which GitHub's own server tolerates. */
export function githubGraphqlSchema(): GraphQLSchema {
  return (builtSchema ??= buildSchema(githubSchema.idl, { assumeValidSDL: true }));
}

type Args = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const cursorOf = (i: number): string => Buffer.from(`cursor:${i}`).toString('base64');
const indexOf = (cursor: string): number => Number(Buffer.from(cursor, 'base64').toString('utf8').slice(7));

/** A connection page with GitHub's rules: `first` or `last` required, at most 100. */
function connection<T>(items: readonly T[], args: Args, field: string) {
  const first = int(args['first']);
  const last = int(args['last']);
  if (first === undefined && last === undefined) {
    throw new TypedError('MISSING_PAGINATION_BOUNDARIES', `You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`);
  }
  for (const [name, n] of [['first', first], ['last', last]] as const) {
    if (n !== undefined && (n > 100 || n < 0)) {
      throw new TypedError('EXCESSIVE_PAGINATION', `Requesting ${n} records on the \`${field}\` connection exceeds the \`${name}\` limit of 100 records.`);
    }
  }
  const after = str(args['after']);
  const before = str(args['before']);
  let start = after ? indexOf(after) + 1 : 0;
  let end = before ? indexOf(before) : items.length;
  if (first !== undefined) end = Math.min(end, start + first);
  if (last !== undefined) start = Math.max(start, end - last);
  const nodes = items.slice(start, end);
  return {
    totalCount: items.length,
    nodes,
    edges: nodes.map((node, i) => ({ cursor: cursorOf(start + i), node })),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: nodes.length > 0 ? cursorOf(start) : null,
      endCursor: nodes.length > 0 ? cursorOf(end - 1) : null,
    },
  };
}

/** Resolver objects: graphql-js calls a function-valued property with the field's arguments. */
function rootFor(models: readonly RepoModel[]) {
  const iso = (d: Date): string => d.toISOString().replace(/\.000Z$/, 'Z');
  const objectNode = (m: RepoModel, oid: string): object | null => {
    const kind = m.kindOf(oid);
    if (kind === 'commit') return commitNode(m, m.commits.get(oid) as ModelCommit);
    if (kind === 'tree') return { __typename: 'Tree', oid, id: `T_${oid}` };
    const t = m.tagObjects.get(oid);
    if (!t) return null;
    return {
      __typename: 'Tag', oid, id: `TAG_${oid}`, name: t.name,
      tagger: { date: t.taggerDate ? iso(t.taggerDate) : null, name: 'Tagger', email: 'tagger@example.test' },
      target: () => objectNode(m, t.target),
    };
  };
  const commitNode = (m: RepoModel, c: ModelCommit): object => ({
    __typename: 'Commit', oid: c.oid, id: `C_${c.oid}`, abbreviatedOid: c.oid.slice(0, 7), committedDate: iso(c.date),
    parents: (args: Args) => connection(c.parents.flatMap((p) => { const pc = m.commits.get(p); return pc ? [commitNode(m, pc)] : []; }), args, 'parents'),
    history: (args: Args) => connection(m.log(c.oid).map((x) => commitNode(m, x)), args, 'history'),
  });
  const refNode = (m: RepoModel, prefix: string, name: string, oid: string): object => ({
    __typename: 'Ref', id: `REF_${prefix}${name}`, name, prefix, target: () => objectNode(m, oid),
  });
  const repoNode = (m: RepoModel): object => ({
    __typename: 'Repository', id: `R_${m.fullName}`, name: m.name, nameWithOwner: m.fullName,
    refs: (args: Args) => {
      const prefix = str(args['refPrefix']) ?? '';
      const list = prefix === 'refs/heads/' ? m.branches : prefix === 'refs/tags/' ? m.tags : new Map<string, string>();
      const sorted = [...list].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return connection(sorted.map(([name, oid]) => refNode(m, prefix, name, oid)), args, 'refs');
    },
    object: (args: Args) => {
      const oid = str(args['oid']) ?? (str(args['expression']) !== undefined ? m.resolve(str(args['expression']) as string) : undefined);
      return oid ? objectNode(m, oid) : null;
    },
    pullRequests: (args: Args) => {
      const states = Array.isArray(args['states']) ? args['states'] : undefined;
      const pulls = m.pulls.filter((p) => !states || states.includes(p.state));
      return connection(pulls.map((p) => ({
        __typename: 'PullRequest', id: `PR_${p.number}`, number: p.number, headRefOid: p.head, state: p.state,
        commits: (a: Args) => connection([{ __typename: 'PullRequestCommit', commit: commitNode(m, m.commits.get(p.head) as ModelCommit) }], a, 'commits'),
      })), args, 'pullRequests');
    },
  });
  return {
    repository: (args: Args) => {
      const m = models.find((x) => x.owner === args['owner'] && x.name === args['name']);
      if (!m) throw new TypedError('NOT_FOUND', `Could not resolve to a Repository with the name '${String(args['owner'])}/${String(args['name'])}'.`);
      return repoNode(m);
    },
  };
}

export interface GraphqlAnswer {
  data?: unknown;
  errors?: Array<{ message: string; type?: string; path?: ReadonlyArray<string | number> }>;
}

/** Executes one query against the schema and the models, answering as GitHub does. */
export async function executeGraphql(models: readonly RepoModel[], query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer> {
  const result = await graphql({ schema: githubGraphqlSchema(), source: query, rootValue: rootFor(models), variableValues: variables ?? null });
  const answer: GraphqlAnswer = {};
  if (result.data !== undefined) answer.data = result.data;
  if (result.errors) {
    answer.errors = result.errors.map((e) => ({
      message: e.message,
      ...(e.originalError instanceof TypedError ? { type: e.originalError.type } : {}),
      ...(e.path ? { path: e.path } : {}),
    }));
  }
  return answer;
}

/** Whether the request carries `token`; answers 401 like GitHub when it does not. */
export function checkToken(req: IncomingMessage, res: ServerResponse, token: string | undefined): boolean {
  if (token === undefined) return true;
  const auth = req.headers.authorization ?? '';
  if (auth === `token ${token}` || auth === `bearer ${token}` || auth === `Bearer ${token}`) return true;
  sendJson(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
  return false;
}

export interface FakeGraphqlOptions {
  models: RepoModel[];
  /** The token to require (absent: any request is accepted). */
  token?: string;
}

/** `POST /graphql`. */
export function fakeGraphql(options: FakeGraphqlOptions): Handler {
  return async (req, body, res) => {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/graphql') return false;
    if (!checkToken(req, res, options.token)) return true;
    let parsed: { query?: unknown; variables?: unknown };
    try {
      parsed = JSON.parse(body) as { query?: unknown; variables?: unknown };
    } catch {
      return sendJson(res, 400, { message: 'Problems parsing JSON' });
    }
    if (typeof parsed.query !== 'string') return sendJson(res, 200, { errors: [{ message: 'A query attribute must be specified and must be a string.' }] });
    const variables = typeof parsed.variables === 'object' && parsed.variables !== null ? (parsed.variables as Record<string, unknown>) : undefined;
    return sendJson(res, 200, await executeGraphql(options.models, parsed.query, variables));
  };
}
