/**
 * `GitHubHistory` over the REST API, for where GraphQL is unavailable: branches
 * (`GET /repos/{o}/{r}/branches`), tags (`GET /repos/{o}/{r}/git/matching-refs/tags`, annotated ones
 * peeled through `GET …/git/tags/{sha}` for their tagger date), open pull requests (`GET …/pulls`),
 * tip dates and history pages through `GET …/commits?sha=…&per_page=…`, prefixes through
 * `GET …/commits/{prefix}`. Every page is counted; any page that fails fails the whole read.
 */
import { IncompleteInputError, type CommitInfo, type GitRef } from '@regsweep/core';
import { mapLimit } from '@regsweep/core/internal';
import { parseDate, prRef, shortId, type BackendContext, type HistoryBackend, type PullHead, type ReadKind } from './github-backend.js';
import { octokitErrorStatus } from './octokit.js';

interface RestCommit {
  sha: string;
  commit: { committer: { date?: string } | null };
  parents: Array<{ sha: string }>;
}

/** A tag to peel: `object` is a tag object's id. */
interface Pending {
  name: string;
  taggerDate: Date | undefined;
  object: string;
}

export class RestBackend implements HistoryBackend {
  readonly kind = 'rest';

  constructor(private readonly ctx: BackendContext, private readonly pageSize = 100) {}

  async refs(): Promise<GitRef[]> {
    const { octokit } = this.ctx;
    const repo = { owner: this.ctx.owner, repo: this.ctx.repo };
    const branches = await this.pages(octokit.paginate.iterator(octokit.rest.repos.listBranches, { ...repo, per_page: 100 }), 'the branches');
    // An empty repository answers 409 here.
    const tagRefs = await this.pages(octokit.paginate.iterator(octokit.rest.git.listMatchingRefs, { ...repo, ref: 'tags', per_page: 100 }), 'the tags', [409]);
    const pullList = this.ctx.pullRequests
      ? await this.pages(octokit.paginate.iterator(octokit.rest.pulls.list, { ...repo, state: 'open', per_page: 100 }), 'the open pull requests')
      : [];

    const tips: Array<{ kind: GitRef['kind']; name: string; commit: string; date?: Date }> = branches.map((b) => ({ kind: 'branch', name: b.name, commit: b.commit.sha }));
    let pending: Pending[] = [];
    for (const t of tagRefs) {
      const name = t.ref.replace(/^refs\/tags\//, '');
      if (t.object.type === 'commit') tips.push({ kind: 'tag', name, commit: t.object.sha });
      else if (t.object.type === 'tag') pending.push({ name, taggerDate: undefined, object: t.object.sha });
      // Tags of trees and blobs are not references to a commit: skipped.
    }
    for (let depth = 0; pending.length > 0; depth++) {
      if (depth >= 10) throw this.missing(`tag ${pending[0]?.name ?? ''}`, pending[0]?.object ?? '');
      const objects = await mapLimit(pending, this.ctx.concurrency, (p) =>
        this.get(() => octokit.rest.git.getTag({ ...repo, tag_sha: p.object }), 'refs', `tag object ${shortId(p.object)} of tag ${p.name}`, [404]));
      const next: Pending[] = [];
      pending.forEach((p, i) => {
        const o = objects[i];
        if (!o) throw this.missing(`tag ${p.name}`, p.object);
        const taggerDate = p.taggerDate ?? (o.tagger.date ? this.date(o.tagger.date, `tag ${p.name}`) : undefined);
        if (o.object.type === 'commit') tips.push({ kind: 'tag', name: p.name, commit: o.object.sha, ...(taggerDate ? { date: taggerDate } : {}) });
        else if (o.object.type === 'tag') next.push({ name: p.name, taggerDate, object: o.object.sha });
      });
      pending = next;
    }
    const pulls: PullHead[] = pullList.map((p) => ({ number: p.number, commit: p.head.sha }));

    // Commit dates, once per commit, only where neither a tagger date nor an earlier read gave one.
    const undated = [...new Set([...tips.filter((t) => !t.date).map((t) => t.commit), ...pulls.map((p) => p.commit)])].filter((id) => !this.ctx.known(id));
    await mapLimit(undated, this.ctx.concurrency, (id) => this.read(id, 1, 'refs', `the date of commit ${shortId(id)}`));
    const refs: GitRef[] = [];
    for (const t of tips) {
      const date = t.date ?? this.ctx.known(t.commit)?.date;
      if (!date) throw this.missing(`${t.kind} ${t.name}`, t.commit);
      refs.push({ kind: t.kind, name: t.name, commit: t.commit, date });
    }
    for (const p of pulls) {
      const date = this.ctx.known(p.commit)?.date;
      if (!date) throw this.missing(`pull request #${p.number}`, p.commit);
      refs.push(prRef(p, date));
    }
    return refs;
  }

  async history(ids: readonly string[]): Promise<void> {
    await mapLimit(ids, this.ctx.concurrency, (id) => this.read(id, this.pageSize, 'history', `history from ${shortId(id)}`));
  }

  async prefixes(prefixes: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const repo = { owner: this.ctx.owner, repo: this.ctx.repo };
    await mapLimit(prefixes, this.ctx.concurrency, async (p) => {
      // per_page limits the listed files of the commit; unknown and ambiguous prefixes answer 404/422.
      const c = await this.get(() => this.ctx.octokit.rest.repos.getCommit({ ...repo, ref: p, per_page: 1 }), 'prefixes', `the abbreviated commit id ${p}`, [404, 409, 422]);
      if (c && c.sha.startsWith(p)) found.set(p, c.sha);
    });
    return found;
  }

  /** One page of history starting at `id`, remembered; an unknown id reads as nothing. */
  private async read(id: string, perPage: number, kind: ReadKind, what: string): Promise<void> {
    const page = await this.get(() => this.ctx.octokit.rest.repos.listCommits({ owner: this.ctx.owner, repo: this.ctx.repo, sha: id, per_page: perPage }),
      kind, what, [404, 409, 422]);
    for (const c of page ?? []) this.ctx.remember(this.commit(c, kind));
  }

  private commit(c: RestCommit, kind: ReadKind): CommitInfo {
    const date = parseDate(c.commit.committer?.date, `commit ${c.sha}`, (m) => new IncompleteInputError(this.ctx.failure(kind, '').input, m));
    return { id: c.sha, parents: c.parents.map((p) => p.sha), date };
  }

  /** GitHub listing a reference it cannot show is inconsistent: fail closed rather than drop it. */
  private missing(what: string, object: string): IncompleteInputError {
    return new IncompleteInputError(this.ctx.failure('refs', '').input, `the object ${object} of ${what} could not be read`,
      'nothing was deleted; run again later (a reference may have changed while it was read)');
  }

  private date(value: string, what: string): Date {
    return parseDate(value, what, (m) => new IncompleteInputError(this.ctx.failure('refs', '').input, m));
  }

  private async get<T>(call: () => Promise<{ data: T }>, kind: ReadKind, what: string, absentOn: number[] = []): Promise<T | undefined> {
    this.ctx.counters.restRequests += 1;
    try {
      return (await call()).data;
    } catch (err) {
      const status = octokitErrorStatus(err);
      if (status !== undefined && absentOn.includes(status)) return undefined;
      throw this.ctx.fail(err, kind, what);
    }
  }

  /** Every item of a paginated listing; `emptyOn` statuses read as an empty list. */
  private async pages<T>(pages: AsyncIterable<{ data: T[] }>, what: string, emptyOn: number[] = []): Promise<T[]> {
    const items: T[] = [];
    let page = 1;
    try {
      for await (const answer of pages) {
        this.ctx.counters.restRequests += 1;
        items.push(...answer.data);
        page += 1;
      }
    } catch (err) {
      this.ctx.counters.restRequests += 1;
      const status = octokitErrorStatus(err);
      if (page === 1 && status !== undefined && emptyOn.includes(status)) return [];
      throw this.ctx.fail(err, 'refs', `page ${page} of ${what}`);
    }
    return items;
  }
}
