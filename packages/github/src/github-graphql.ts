/**
 * `GitHubHistory` over GitHub's GraphQL API: branches, tags and open pull requests in one query per
 * 100 of each, history pages of 100 commits for several start commits in one query (aliases), and
 * abbreviated ids through `object(expression:)`, also batched.
 */
import { IncompleteInputError, type GitRef } from '@regsweep/core';
import { FULL_ID, parseDate, prRef, shortId, type BackendContext, type HistoryBackend, type PullHead, type ReadKind } from './github-backend.js';
import { mapLimit } from '@regsweep/core/internal';
import { fromGraphqlErrors, graphqlErrorsOf, type GraphqlError } from './github-errors.js';
import { octokitErrorStatus } from './octokit.js';

/** Prefix lookups sent at once. */
const PREFIX_QUERIES_IN_FLIGHT = 4;

/** A git object with what the `Peel` fragment asks of it. */
interface GqlObject {
  __typename: string;
  oid: string;
  committedDate?: string;
  tagger?: { date: string | null } | null;
  target?: GqlObject;
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

interface RefPage {
  pageInfo: PageInfo;
  nodes: Array<{ name: string; target: GqlObject | null } | null> | null;
}

interface PullPage {
  pageInfo: PageInfo;
  nodes: Array<{ number: number; headRefOid: string; commits: { nodes: Array<{ commit: { oid: string; committedDate: string } } | null> | null } } | null> | null;
}

interface RefsAnswer {
  repository: { heads?: RefPage; tags?: RefPage; pulls?: PullPage } | null;
}

interface HistoryNode {
  oid: string;
  committedDate: string;
  parents: { totalCount: number; nodes: Array<{ oid: string } | null> | null };
}

type AliasAnswer<T> = { repository: Record<string, T | null> | null };

/** An object, peeled two tags deep in the same answer (a tag of a tag is signed releases' habit). */
const PEEL = `fragment Peel on GitObject {
  __typename
  oid
  ... on Commit { committedDate }
  ... on Tag {
    tagger { date }
    target {
      __typename
      oid
      ... on Commit { committedDate }
      ... on Tag { tagger { date } target { __typename oid ... on Commit { committedDate } } }
    }
  }
}`;

export const REFS_QUERY = `query RegsweepRefs($owner: String!, $name: String!, $heads: Boolean!, $headsAfter: String,
    $tags: Boolean!, $tagsAfter: String, $pulls: Boolean!, $pullsAfter: String) {
  repository(owner: $owner, name: $name) {
    heads: refs(refPrefix: "refs/heads/", first: 100, after: $headsAfter) @include(if: $heads) { ...RefPage }
    tags: refs(refPrefix: "refs/tags/", first: 100, after: $tagsAfter) @include(if: $tags) { ...RefPage }
    pulls: pullRequests(states: [OPEN], first: 100, after: $pullsAfter) @include(if: $pulls) {
      pageInfo { hasNextPage endCursor }
      nodes { number headRefOid commits(last: 1) { nodes { commit { oid committedDate } } } }
    }
  }
}
fragment RefPage on RefConnection {
  pageInfo { hasNextPage endCursor }
  nodes { name target { ...Peel } }
}
${PEEL}`;

/** A query with one aliased field per item: `a0: object(oid: $a0) { … }`. */
function aliased(name: string, varType: string, items: number, field: (v: string) => string, tail = ''): string {
  const vars = Array.from({ length: items }, (_, i) => `$a${i}: ${varType}`).join(', ');
  const fields = Array.from({ length: items }, (_, i) => `    a${i}: ${field(`$a${i}`)}`).join('\n');
  return `query ${name}($owner: String!, $name: String!, ${vars}) {\n  repository(owner: $owner, name: $name) {\n${fields}\n  }\n}\n${tail}`;
}

export const historyQuery = (n: number, pageSize: number): string =>
  aliased('RegsweepHistory', 'GitObjectID!', n, (v) => `object(oid: ${v}) { ... on Commit { history(first: ${pageSize}) { nodes { ...HistoryCommit } } } }`,
    'fragment HistoryCommit on Commit { oid committedDate parents(first: 100) { totalCount nodes { oid } } }');

const objectsQuery = (n: number): string => aliased('RegsweepObjects', 'GitObjectID!', n, (v) => `object(oid: ${v}) { ...Peel }`, PEEL);
const prefixQuery = (n: number): string => aliased('RegsweepPrefixes', 'String!', n, (v) => `object(expression: ${v}) { __typename oid }`);

/** The GraphQL endpoint answered 404: the caller switches to REST. */
export class GraphqlUnavailable extends Error {
  override readonly name = 'GraphqlUnavailable';
}

/** Commits per history query and prefixes / objects per lookup query. */
export interface GraphqlLimits {
  historyBatch: number;
  historyPage: number;
  lookupBatch: number;
}

/** A tag object the answer holds without its target: peeled with further lookups. */
interface Pending {
  name: string;
  taggerDate: Date | undefined;
  object: string;
}

export class GraphqlBackend implements HistoryBackend {
  readonly kind = 'graphql';

  constructor(private readonly ctx: BackendContext, private readonly limits: GraphqlLimits) {}

  async refs(): Promise<GitRef[]> {
    const branches: GitRef[] = [];
    const tags: GitRef[] = [];
    const pulls: PullHead[] = [];
    const pending: Pending[] = [];
    const cursor = { heads: null as string | null, tags: null as string | null, pulls: null as string | null };
    const want = { heads: true, tags: true, pulls: this.ctx.pullRequests };
    for (let page = 1; want.heads || want.tags || want.pulls; page++) {
      const answer = await this.query<RefsAnswer>(REFS_QUERY, {
        heads: want.heads, headsAfter: cursor.heads, tags: want.tags, tagsAfter: cursor.tags, pulls: want.pulls, pullsAfter: cursor.pulls,
      }, 'refs', `page ${page} of the branches, tags and pull requests`);
      const repo = answer.repository;
      if (!repo) throw this.ctx.fail(new Error('no repository in the answer'), 'refs', 'the references');
      for (const node of repo.heads?.nodes ?? []) {
        if (node?.target?.__typename === 'Commit') branches.push({ kind: 'branch', name: node.name, commit: node.target.oid, date: this.date(node.target.committedDate, `branch ${node.name}`) });
      }
      for (const node of repo.tags?.nodes ?? []) {
        if (node?.target) this.tag(node.name, node.target, undefined, tags, pending);
      }
      for (const node of repo.pulls?.nodes ?? []) {
        if (!node) continue;
        const last = node.commits.nodes?.[0]?.commit;
        pulls.push({ number: node.number, commit: node.headRefOid, ...(last?.oid === node.headRefOid ? { date: this.date(last.committedDate, `pull request #${node.number}`) } : {}) });
      }
      for (const key of ['heads', 'tags', 'pulls'] as const) {
        const info = repo[key]?.pageInfo;
        if (!want[key] || !info) continue;
        want[key] = info.hasNextPage;
        cursor[key] = info.endCursor;
      }
    }
    // Tags of tags, level by level; then pull request heads whose date the first answer did not give.
    // GitHub listing a reference it cannot show is inconsistent: fail closed rather than drop it.
    for (let depth = 0; pending.length > 0; depth++) {
      const objects = await this.objects(pending.map((p) => p.object));
      for (const p of pending.splice(0)) {
        const o = objects.get(p.object);
        if (!o || depth >= 10) throw this.missing(`tag ${p.name}`, p.object);
        this.tag(p.name, o, p.taggerDate, tags, pending);
      }
    }
    const undated = pulls.filter((p) => !p.date);
    const heads = undated.length > 0 ? await this.objects(undated.map((p) => p.commit)) : new Map<string, GqlObject>();
    const prs = pulls.map((p) => {
      const date = p.date ?? heads.get(p.commit)?.committedDate;
      if (date === undefined) throw this.missing(`pull request #${p.number}`, p.commit);
      return prRef(p, date instanceof Date ? date : this.date(date, `pull request #${p.number}`));
    });
    return [...branches, ...tags, ...prs];
  }

  /**
   * A tag reference from its target: a commit (lightweight), a tag object (annotated: its tagger date,
   * peeled to its commit), else skipped. A tag object whose target the answer does not hold is looked up.
   */
  private tag(name: string, target: GqlObject, outerDate: Date | undefined, out: GitRef[], pending: Pending[]): void {
    if (target.__typename === 'Commit') {
      out.push({ kind: 'tag', name, commit: target.oid, date: outerDate ?? this.date(target.committedDate, `tag ${name}`) });
      return;
    }
    if (target.__typename !== 'Tag') return; // a tag of a tree or a blob: not a reference to a commit
    if (!target.target) {
      pending.push({ name, taggerDate: outerDate, object: target.oid });
      return;
    }
    const taggerDate = outerDate ?? (target.tagger?.date ? this.date(target.tagger.date, `tag ${name}`) : undefined);
    this.tag(name, target.target, taggerDate, out, pending);
  }

  async history(ids: readonly string[]): Promise<void> {
    const answer = await this.aliasQuery<{ history?: { nodes: Array<HistoryNode | null> | null } }>(
      historyQuery(ids.length, this.limits.historyPage), ids, 'history', `history from ${ids.map(shortId).join(', ')}`);
    for (const page of answer) {
      for (const node of page?.history?.nodes ?? []) {
        if (!node) continue;
        const parents = (node.parents.nodes ?? []).flatMap((p) => (p ? [p.oid] : []));
        if (node.parents.totalCount > parents.length) {
          throw new IncompleteInputError(this.input('history'), `commit ${node.oid} has ${node.parents.totalCount} parents, more than regsweep reads`,
            'nothing was deleted; clean this repository with a local clone (--git-dir) instead');
        }
        this.ctx.remember({ id: node.oid, parents, date: this.date(node.committedDate, `commit ${node.oid}`, 'history') });
      }
    }
  }

  async prefixes(prefixes: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const chunks: string[][] = [];
    for (let i = 0; i < prefixes.length; i += this.limits.lookupBatch) chunks.push(prefixes.slice(i, i + this.limits.lookupBatch));
    // A few lookups at once (each costs a point whatever its size; the GraphQL budget paces them).
    await mapLimit(chunks, PREFIX_QUERIES_IN_FLIGHT, async (chunk) => {
      const answer = await this.aliasQuery<{ __typename: string; oid: string }>(prefixQuery(chunk.length), chunk, 'prefixes', `the abbreviated commit ids ${chunk.join(', ')}`);
      chunk.forEach((p, j) => {
        const o = answer[j];
        // A ref whose name looks like hex would win over the prefix: the answer must start with it.
        if (o?.__typename === 'Commit' && o.oid.startsWith(p)) found.set(p, o.oid);
      });
    });
    return found;
  }

  /** Objects by id (commits with their dates, tags with their tagger and target); unknown ids absent. */
  private async objects(ids: readonly string[]): Promise<Map<string, GqlObject>> {
    const out = new Map<string, GqlObject>();
    const asked = [...new Set(ids)].filter((id) => FULL_ID.test(id));
    for (let i = 0; i < asked.length; i += this.limits.lookupBatch) {
      const chunk = asked.slice(i, i + this.limits.lookupBatch);
      const answer = await this.aliasQuery<GqlObject>(objectsQuery(chunk.length), chunk, 'refs', `the objects ${chunk.map(shortId).join(', ')}`);
      chunk.forEach((id, j) => {
        const o = answer[j];
        if (o) out.set(id, o);
      });
    }
    return out;
  }

  /** Runs a query with one alias `a<i>` per value; a per-alias error (an unknown object) reads as null. */
  private async aliasQuery<T>(query: string, values: readonly string[], kind: ReadKind, what: string): Promise<Array<T | null>> {
    const vars: Record<string, string> = {};
    values.forEach((v, i) => (vars[`a${i}`] = v));
    const answer = await this.query<AliasAnswer<T>>(query, vars, kind, what, (e) => (e.path?.length ?? 0) >= 2);
    const repo = answer.repository;
    if (!repo) throw this.ctx.fail(new Error('no repository in the answer'), kind, what);
    return values.map((_, i) => repo[`a${i}`] ?? null);
  }

  private async query<T>(query: string, vars: Record<string, unknown>, kind: ReadKind, what: string, tolerate: (e: GraphqlError) => boolean = () => false): Promise<T> {
    this.ctx.counters.graphqlQueries += 1;
    try {
      return await this.ctx.octokit.graphql<T>(query, { owner: this.ctx.owner, name: this.ctx.repo, ...vars });
    } catch (err) {
      const gql = graphqlErrorsOf(err);
      // GitHub answers a GraphQL "not found" with 200 and `errors`: a 404 means there is no endpoint.
      if (!gql && octokitErrorStatus(err) === 404) throw new GraphqlUnavailable('no GraphQL API (404 on /graphql)', { cause: err });
      if (!gql || gql.data === undefined || gql.data === null) throw this.ctx.fail(err, kind, what);
      const fatal = fromGraphqlErrors(gql.errors, this.ctx.failure(kind, what), tolerate);
      if (fatal) throw fatal;
      return gql.data as T;
    }
  }

  private missing(what: string, object: string): IncompleteInputError {
    return new IncompleteInputError(this.input('refs'), `the object ${object} of ${what} could not be read`,
      'nothing was deleted; run again later (a reference may have changed while it was read)');
  }

  private input(kind: ReadKind): string {
    return this.ctx.failure(kind, '').input;
  }

  private date(value: unknown, what: string, kind: ReadKind = 'refs'): Date {
    return parseDate(value, what, (m) => new IncompleteInputError(this.input(kind), m));
  }
}
