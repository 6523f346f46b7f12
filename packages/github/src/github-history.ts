/**
 * `GitHistory` of a GitHub repository through its API (cleanup-semantics.md §4.1-§4.2), without a clone:
 * - `refs()`: branches and tags with their dates (annotated tag = tagger date), plus each open pull
 *   request's head as a branch-like `pr-<number>` reference (option `pullRequests`, on by default);
 * - `commits(ids)`: lazily, a history page (100 commits) from each asked commit not read yet, several
 *   in one GraphQL query; everything read is kept, so the planner's next frontiers (the parents) are
 *   mostly answered from memory;
 * - `resolvePrefixes`: batched `object(expression:)` lookups.
 * GraphQL is used where available; a 404 on `/graphql` (or `api: 'rest'`) switches to the REST API.
 * Fails closed: a read that fails after the Octokit's retries throws (`IncompleteInputError`, or
 * `InputError` for a refused token or a missing repository) instead of answering with less.
 */
import { InputError, type CommitInfo, type GitHistory, type GitRef } from '@regsweep/core';
import { commitsFromPages } from '@regsweep/core/internal';

/** GraphQL history queries sent at once: fewer round trips, far below GitHub's 100 concurrent requests. */
const HISTORY_QUERIES_IN_FLIGHT = 4;
import { FULL_ID, PREFIX, type BackendContext, type HistoryBackend, type ReadKind } from './github-backend.js';
import { toRegsweepError, type FailureContext } from './github-errors.js';
import { GraphqlBackend, GraphqlUnavailable } from './github-graphql.js';
import { RestBackend } from './github-rest.js';
import { silentLog, type GitHubLog, type GitHubOctokit } from './octokit.js';

export interface GitHubHistoryOptions {
  octokit: GitHubOctokit;
  owner: string;
  repo: string;
  /** Open pull requests' heads as `pr-<number>` references (default true). */
  pullRequests?: boolean;
  /** `auto` (default): GraphQL, and REST once GraphQL answers 404. */
  api?: 'auto' | 'graphql' | 'rest';
  /** Whether the Octokit sends a token (for the messages; default true). */
  hasToken?: boolean;
  log?: GitHubLog;
  /** Start commits per GraphQL history query (default 10). */
  historyBatch?: number;
  /** Commits per history page (default and GitHub's maximum: 100). */
  historyPage?: number;
  /**
   * Prefixes or objects per GraphQL lookup query (default 100). A lookup asks for no connection, so a
   * query costs one point whatever its size; at 100 a query resolves as many as a page of refs lists.
   */
  lookupBatch?: number;
  /** Parallel REST requests (default 4). */
  concurrency?: number;
}

export interface GitHubHistoryStats {
  /** GraphQL queries sent (each may have been retried by the Octokit). */
  graphqlQueries: number;
  /** REST requests sent, one per page. */
  restRequests: number;
  /** Commits held in memory. */
  commitsCached: number;
  /** The API in use now. */
  api: 'graphql' | 'rest';
}

export class GitHubHistory implements GitHistory {
  readonly repository: string;
  /** Commits read so far, and ids asked for that GitHub does not know. */
  private readonly store = { cache: new Map<string, CommitInfo>(), unknown: new Set<string>() };
  private readonly counters = { graphqlQueries: 0, restRequests: 0 };
  private readonly ctx: BackendContext;
  private readonly historyBatch: number;
  private backend: HistoryBackend;
  private readonly rest: RestBackend;

  constructor(private readonly options: GitHubHistoryOptions) {
    this.repository = `${options.owner}/${options.repo}`;
    const log = options.log ?? silentLog;
    const failure = (kind: ReadKind, what: string): FailureContext => ({
      repository: this.repository,
      input: kind === 'refs' ? `git references of ${this.repository} (GitHub)` : `git history of ${this.repository} (GitHub)`,
      what,
      hasToken: options.hasToken ?? true,
    });
    this.ctx = {
      octokit: options.octokit,
      owner: options.owner,
      repo: options.repo,
      log,
      pullRequests: options.pullRequests ?? true,
      counters: this.counters,
      concurrency: options.concurrency ?? 4,
      failure,
      fail: (err, kind, what) => toRegsweepError(err, failure(kind, what)),
      known: (id) => this.store.cache.get(id),
      remember: (c) => {
        this.store.cache.set(c.id, c);
        this.store.unknown.delete(c.id);
      },
    };
    const page = Math.min(100, Math.max(1, options.historyPage ?? 100));
    this.historyBatch = Math.max(1, options.historyBatch ?? 10);
    this.rest = new RestBackend(this.ctx, page);
    this.backend = options.api === 'rest' ? this.rest
      : new GraphqlBackend(this.ctx, { historyBatch: this.historyBatch, historyPage: page, lookupBatch: Math.max(1, options.lookupBatch ?? 100) });
  }

  refs(): Promise<GitRef[]> {
    return this.withFallback((b) => b.refs());
  }

  commits(ids: readonly string[]): Promise<Map<string, CommitInfo>> {
    // GraphQL: a few queries at once (GitHub's GraphQL budget paces them, graphql-budget.ts); REST reads a batch's pages concurrently itself.
    const graphql = this.backend.kind === 'graphql';
    return commitsFromPages(ids, this.store, () => (graphql ? this.historyBatch : this.ctx.concurrency),
      (batch) => this.withFallback((b) => b.history(batch)), graphql ? HISTORY_QUERIES_IN_FLIGHT : 1);
  }

  async resolvePrefixes(prefixes: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const ask: string[] = [];
    for (const p of new Set(prefixes)) {
      const lower = p.toLowerCase();
      if (!PREFIX.test(lower)) continue;
      ask.push(lower);
    }
    const unique = [...new Set(ask)];
    const resolved = unique.length > 0 ? await this.withFallback((b) => b.prefixes(unique)) : new Map<string, string>();
    for (const p of new Set(prefixes)) {
      const id = resolved.get(p.toLowerCase());
      if (id) found.set(p, id);
    }
    return found;
  }

  stats(): GitHubHistoryStats {
    return { ...this.counters, commitsCached: this.store.cache.size, api: this.backend.kind };
  }

  /** Runs a read; when GraphQL turns out to be missing (404 on /graphql), switches to REST for good. */
  private async withFallback<T>(read: (b: HistoryBackend) => Promise<T>): Promise<T> {
    const backend = this.backend;
    try {
      return await read(backend);
    } catch (err) {
      if (!(err instanceof GraphqlUnavailable)) throw err;
      if (this.options.api === 'graphql') {
        throw new InputError(`GitHub's GraphQL API is not available here (404 on /graphql) to read ${this.repository}`,
          'let regsweep use the REST API (api: auto or rest)');
      }
      this.ctx.log.info(`GitHub: no GraphQL API here (404 on /graphql); reading ${this.repository} through the REST API`);
      this.backend = this.rest;
      return read(this.rest);
    }
  }
}
