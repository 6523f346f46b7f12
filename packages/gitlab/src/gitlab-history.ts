/**
 * `GitHistory` of a GitLab project through REST v4 (cleanup-semantics.md §4.1-§4.2), without a clone:
 * - `refs()`: branches and tags with their tip commits' dates (an annotated tag: its `created_at`,
 *   the tagger date), plus each open merge request's head as a branch-like `mr-<iid>` reference
 *   (option `mergeRequests`, on by default; a fork's merge request too: the project holds its head);
 * - `commits(ids)`: lazily, one page (100) of `repository/commits?ref_name=<id>` from each asked
 *   commit not read yet; everything read is kept, so the next frontiers are mostly answered from memory;
 * - `resolvePrefixes`: `repository/commits/<prefix>`, a few at a time.
 * Fails closed: any read that fails throws; `CI_JOB_TOKEN` (which GitLab does not accept for
 * commits) gets an error that says which token to give instead.
 */
import { type CommitInfo, type GitHistory, type GitRef } from '@regsweep/core';
import { commitsFromPages, mapLimit } from '@regsweep/core/internal';
import { field, stringField, type GitLabApi, type ProjectId } from './gitlab-api.js';
import { readFailure, unknownObject, type GitLabFailure } from './gitlab-errors.js';

export interface GitLabHistoryOptions {
  api: GitLabApi;
  project: ProjectId;
  /** `group/project`, for messages. */
  projectPath: string;
  /** Open merge requests' heads as `mr-<iid>` references (default true). */
  mergeRequests?: boolean;
  /** The token is `CI_JOB_TOKEN` (for the messages). */
  jobToken: boolean;
  /** Commits per history page (default and GitLab's maximum: 100). */
  pageSize?: number;
  /** Parallel requests (default 4). */
  concurrency?: number;
}

export interface GitLabHistoryStats {
  historyPages: number;
  prefixLookups: number;
  commitsCached: number;
}

const FULL_ID = /^[0-9a-f]{40}$/;
const PREFIX = /^[0-9a-f]{7,39}$/;

export class GitLabHistory implements GitHistory {
  private readonly store = { cache: new Map<string, CommitInfo>(), unknown: new Set<string>() };
  private readonly counters = { historyPages: 0, prefixLookups: 0 };
  private readonly pageSize: number;
  private readonly concurrency: number;

  constructor(private readonly o: GitLabHistoryOptions) {
    this.pageSize = Math.min(100, Math.max(1, o.pageSize ?? 100));
    this.concurrency = Math.max(1, o.concurrency ?? 4);
  }

  private failure(kind: 'refs' | 'history', what: string): GitLabFailure {
    const input = kind === 'refs' ? `git references of ${this.o.projectPath} (GitLab)` : `git history of ${this.o.projectPath} (GitLab)`;
    return { input, what, project: this.o.projectPath, jobToken: this.o.jobToken };
  }

  private async read<T>(kind: 'refs' | 'history', what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw readFailure(err, this.failure(kind, what));
    }
  }

  async refs(): Promise<GitRef[]> {
    const { api, project } = this.o;
    const branches = await this.read('refs', 'the branches', () => api.branches(project));
    const tags = await this.read('refs', 'the tags', () => api.tags(project));
    const merges = this.o.mergeRequests === false ? [] : await this.read('refs', 'the open merge requests', () => api.openMergeRequests(project));
    const refs: GitRef[] = [];
    for (const b of branches) {
      const name = this.text(b, 'the branches', 'name');
      refs.push({ kind: 'branch', name, commit: this.id(b, `branch ${name}`, 'commit', 'id'), date: this.date(b, `branch ${name}`, 'commit', 'committed_date') });
    }
    for (const t of tags) {
      const name = this.text(t, 'the tags', 'name');
      const commit = this.id(t, `tag ${name}`, 'commit', 'id');
      // created_at is the tagger date of an annotated tag, null for a lightweight one.
      const tagged = stringField(t, 'created_at');
      refs.push({ kind: 'tag', name, commit, date: tagged !== undefined ? this.date(t, `tag ${name}`, 'created_at') : this.date(t, `tag ${name}`, 'commit', 'committed_date') });
    }
    const heads = merges.map((m) => ({ iid: this.number(m, 'the open merge requests', 'iid'), sha: this.id(m, 'an open merge request', 'sha') }));
    const dated = await this.commits(heads.map((h) => h.sha));
    for (const h of heads) {
      const c = dated.get(h.sha);
      if (c === undefined) throw readFailure(new Error(`its head commit ${h.sha.slice(0, 12)} is not in the project`), this.failure('refs', `merge request !${h.iid}`));
      refs.push({ kind: 'branch', name: `mr-${h.iid}`, commit: h.sha, date: c.date });
    }
    return refs;
  }

  commits(ids: readonly string[]): Promise<Map<string, CommitInfo>> {
    return commitsFromPages(ids, this.store, () => this.concurrency, async (batch) => {
      await mapLimit(batch, this.concurrency, (id) => this.page(id));
    });
  }

  private async page(id: string): Promise<void> {
    this.counters.historyPages += 1;
    const what = `history from ${id.slice(0, 12)}`;
    let list: unknown[];
    try {
      list = await this.o.api.commitsFrom(this.o.project, id, this.pageSize);
    } catch (err) {
      // An unknown commit: GitLab answers 404 for a ref_name it cannot resolve. "Project Not Found" is
      // a refusal instead: the project's references were listed, so the token may not read commits.
      if (unknownObject(err)) return;
      throw readFailure(err, this.failure('history', what));
    }
    for (const c of list) this.remember(c, what);
  }

  private remember(c: unknown, what: string): void {
    const id = this.id(c, what, 'id');
    const parents = field(c, 'parent_ids');
    if (!Array.isArray(parents) || !parents.every((p) => typeof p === 'string' && FULL_ID.test(p))) throw this.bad(what, `commit ${id.slice(0, 12)} has no parent_ids list`);
    this.store.cache.set(id, { id, parents: parents as string[], date: this.date(c, `commit ${id.slice(0, 12)}`, 'committed_date') });
    this.store.unknown.delete(id);
  }

  async resolvePrefixes(prefixes: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(prefixes.map((p) => p.toLowerCase()).filter((p) => PREFIX.test(p)))];
    const resolved = new Map<string, string>();
    await mapLimit(unique, this.concurrency, async (prefix) => {
      for (const id of this.store.cache.keys()) if (id.startsWith(prefix)) return void resolved.set(prefix, id);
      this.counters.prefixLookups += 1;
      try {
        const c = await this.o.api.commit(this.o.project, prefix);
        const id = stringField(c, 'id');
        if (id !== undefined && FULL_ID.test(id) && id.startsWith(prefix)) resolved.set(prefix, id);
      } catch (err) {
        // Unknown or ambiguous: GitLab answers 404.
        if (unknownObject(err)) return;
        throw readFailure(err, this.failure('history', `commit ${prefix}`));
      }
    });
    const found = new Map<string, string>();
    for (const p of new Set(prefixes)) {
      const id = resolved.get(p.toLowerCase());
      if (id) found.set(p, id);
    }
    return found;
  }

  stats(): GitLabHistoryStats {
    return { ...this.counters, commitsCached: this.store.cache.size };
  }

  private bad(what: string, why: string): Error {
    return readFailure(new Error(`GitLab's answer is not what regsweep expects: ${why}`), this.failure('history', what));
  }

  private text(v: unknown, what: string, ...path: string[]): string {
    const s = stringField(v, ...path);
    if (s === undefined) throw this.bad(what, `${path.join('.')} is missing`);
    return s;
  }

  private id(v: unknown, what: string, ...path: string[]): string {
    const s = this.text(v, what, ...path).toLowerCase();
    if (!FULL_ID.test(s)) throw this.bad(what, `${path.join('.')} is not a commit id (${s})`);
    return s;
  }

  private number(v: unknown, what: string, ...path: string[]): number {
    const n = field(v, ...path);
    if (typeof n !== 'number' || !Number.isInteger(n)) throw this.bad(what, `${path.join('.')} is not a number`);
    return n;
  }

  private date(v: unknown, what: string, ...path: string[]): Date {
    const s = this.text(v, what, ...path);
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) throw this.bad(what, `${path.join('.')} is not a date (${s})`);
    return d;
  }
}
