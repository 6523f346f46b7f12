/**
 * `GitHistory` over a local clone, through the `git` CLI (cleanup-semantics.md §4.1-§4.2).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { IncompleteInputError, InputError, type CommitInfo, type GitHistory, type GitRef } from '@regsweep/core';
import { CommitStream, type CommitStreamOptions, type CommitStreamStats } from './commit-stream.js';
import { CatFileBatch, firstLine, gitEnv, runGit } from './git-process.js';

const INPUT = 'git history';
const FULL_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const PREFIX = /^[0-9a-f]{7,64}$/i;
const COMMIT = new Set(['commit']);

export interface LocalGitOptions {
  /**
   * Opt-in (off by default): the history listed ahead of the walk by one `git rev-list` from the
   * references' tips (commit-stream.ts). Off until the listing reads raw commits with parseCommit: a
   * review found rev-list's parser and dates (a commit-graph keeps 34-bit dates; malformed commits) can
   * differ from cat-file's, and that can move a commit out of an `in` window.
   */
  readAhead?: CommitStreamOptions | false;
}

/** What the history read and how. */
export interface LocalGitStats {
  /** Commits read one object at a time through cat-file. */
  catFileCommits: number;
  /** The read-ahead stream, once started. */
  stream?: CommitStreamStats;
}

/** Opens the repository at `dir` (a working tree, a subdirectory of one, or a bare repository). */
export async function openLocalGit(dir: string, options: LocalGitOptions = {}): Promise<LocalGitHistory> {
  const where = path.resolve(dir);
  const notRepo = (why: string): InputError =>
    new InputError(
      `${dir} is not a git repository (${why})`,
      'point regsweep at a git clone of the project (its working tree or a bare clone), with its full history',
    );
  try {
    const s = await stat(where);
    if (!s.isDirectory()) throw notRepo('not a directory');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw notRepo('the directory does not exist');
  }
  const env = gitEnv();
  const r = await runGit(where, ['rev-parse', '--is-shallow-repository'], { env });
  if (r.code !== 0) throw notRepo(firstLine(r.stderr) || `git rev-parse exited with code ${r.code}`);
  if (r.stdout.toString('utf8').trim() === 'true') {
    throw new InputError(
      `${dir} is a shallow clone: history-based cleanup needs the full history (run \`git fetch --unshallow\`), ` +
        `or it would take the commits it cannot see for gone and delete their images`,
      'fetch the full history with `git fetch --unshallow`; in GitHub Actions set `fetch-depth: 0` on ' +
        'actions/checkout, in GitLab CI set the variable `GIT_DEPTH: 0`',
    );
  }
  return new LocalGitHistory(where, env, options);
}

// refname, objectname, objecttype, peeled objectname, peeled objecttype, committer date, peeled
// committer date, tagger date. Fields are NUL-separated (ref names cannot hold control characters).
const REF_FORMAT = [
  '%(refname)',
  '%(objectname)',
  '%(objecttype)',
  '%(*objectname)',
  '%(*objecttype)',
  '%(committerdate:unix)',
  '%(*committerdate:unix)',
  '%(taggerdate:unix)',
].join('%00');

export class LocalGitHistory implements GitHistory {
  private readonly batch: CatFileBatch;
  /** The tips of the references `refs()` answered: where the read-ahead starts. */
  private tips: string[] | undefined;
  private stream: CommitStream | undefined;
  private catFileCommits = 0;
  private closed = false;

  /** Use `openLocalGit`, which checks the directory first. */
  constructor(
    /** Absolute path of the repository directory. */
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv = gitEnv(),
    private readonly options: LocalGitOptions = {},
  ) {
    this.batch = new CatFileBatch(dir, env);
  }

  async refs(): Promise<GitRef[]> {
    const refs = await this.readRefs();
    this.tips = refs.map((r) => r.commit);
    this.readAhead(); // listing starts while the planner maps images and selects references
    return refs;
  }

  private async readRefs(): Promise<GitRef[]> {
    const remotes = await this.git(['remote']);
    const hasOrigin = remotes.split('\n').some((l) => l.trim() === 'origin');
    const heads = 'refs/heads/';
    const tracking = 'refs/remotes/origin/';
    const roots = hasOrigin ? [tracking, heads, 'refs/tags/'] : [heads, 'refs/tags/'];
    const out = await this.git(['for-each-ref', `--format=${REF_FORMAT}`, ...roots]);
    const local: GitRef[] = [];
    const remote: GitRef[] = [];
    const tags: GitRef[] = [];
    const nested: Array<{ ref: GitRef; tag: string; taggerDate: Date | undefined }> = [];
    for (const line of out.split('\n')) {
      if (line === '') continue;
      const [refname = '', oid = '', type = '', peeled = '', peeledType = '', cdate = '', peeledCdate = '', tdate = ''] =
        line.split('\0');
      for (const [root, list] of [[heads, local], [tracking, remote]] as const) {
        if (!refname.startsWith(root)) continue;
        const name = refname.slice(root.length);
        if (name !== 'HEAD' && type === 'commit') list.push({ kind: 'branch', name, commit: oid, date: unixDate(cdate, refname) });
      }
      if (!refname.startsWith('refs/tags/')) continue;
      const name = refname.slice('refs/tags/'.length);
      if (type === 'commit') {
        tags.push({ kind: 'tag', name, commit: oid, date: unixDate(cdate, refname) });
      } else if (type === 'tag' && peeledType === 'commit') {
        const date = tdate !== '' ? unixDate(tdate, refname) : unixDate(peeledCdate, refname);
        tags.push({ kind: 'tag', name, commit: peeled, date });
      } else if (type === 'tag' && peeledType === 'tag') {
        // A tag of a tag: for-each-ref peels one level only; cat-file peels the rest below.
        const ref: GitRef = { kind: 'tag', name, commit: '', date: new Date(0) };
        nested.push({ ref, tag: oid, taggerDate: tdate !== '' ? unixDate(tdate, refname) : undefined });
        tags.push(ref);
      }
      // Tags of trees and blobs are not references to a commit: skipped.
    }
    // With an `origin` remote its remote-tracking branches are the candidates (§4.1). A bare or mirror
    // clone keeps origin's branches as local ones and has no remote-tracking branches: then, and
    // whenever origin has none, the local branches stand in rather than no branch at all.
    const branches = hasOrigin && remote.length > 0 ? remote : local;
    if (branches === remote) await this.requireAllBranchesFetched();
    if (nested.length > 0) {
      const skip = new Set<GitRef>();
      await this.batch.request(
        nested.map((n) => `${n.tag}^{}`),
        COMMIT,
        (i, answer) => {
          const n = nested[i];
          if (!n) return;
          if (!answer || answer.type !== 'commit' || !answer.body) {
            skip.add(n.ref);
            return;
          }
          n.ref.commit = answer.oid;
          n.ref.date = n.taggerDate ?? parseCommit(answer.oid, answer.body).date;
        },
      );
      return [...branches, ...tags.filter((r) => !skip.has(r))];
    }
    return [...branches, ...tags];
  }

  /** Commits the read-ahead stream has listed come from it; the others are read by cat-file. */
  async commits(ids: readonly string[]): Promise<Map<string, CommitInfo>> {
    const asked = [...new Set(ids)].filter((id) => FULL_ID.test(id));
    const got = new Map<string, CommitInfo>();
    let rest = asked;
    const stream = this.readAhead();
    if (stream) {
      rest = [];
      for (const id of asked) {
        const c = stream.get(id.toLowerCase());
        if (c) got.set(id, c);
        else rest.push(id);
      }
    }
    if (rest.length > 0) await this.readObjects(rest, got);
    if (rest.length === asked.length) return got;
    const found = new Map<string, CommitInfo>(); // in the order asked, as cat-file alone answers
    for (const id of asked) {
      const c = got.get(id);
      if (c) found.set(id, c);
    }
    return found;
  }

  stats(): LocalGitStats {
    return { catFileCommits: this.catFileCommits, ...(this.stream ? { stream: this.stream.stats() } : {}) };
  }

  /** The read-ahead stream, started by `refs()` (it lists from their tips). */
  private readAhead(): CommitStream | undefined {
    const readAhead = this.options.readAhead;
    if (this.closed) return undefined;
    if (this.stream || readAhead === undefined || readAhead === false || !this.tips || this.tips.length === 0) return this.stream;
    this.stream = new CommitStream(this.dir, this.env, this.tips, readAhead);
    return this.stream;
  }

  /** Reads the commits through cat-file into `found`; ids that are not commits are left out. */
  private async readObjects(asked: readonly string[], found: Map<string, CommitInfo>): Promise<void> {
    this.catFileCommits += asked.length;
    await this.batch.request(
      asked.map((id) => id.toLowerCase()),
      COMMIT,
      (i, answer) => {
        const id = asked[i];
        if (id === undefined || !answer || answer.type !== 'commit' || !answer.body) return;
        found.set(id, parseCommit(answer.oid, answer.body));
      },
    );
  }

  async resolvePrefixes(prefixes: readonly string[]): Promise<Map<string, string>> {
    const asked = [...new Set(prefixes)].filter((p) => PREFIX.test(p));
    const found = new Map<string, string>();
    // `<prefix>^{commit}` lets git disambiguate among commit-ish objects only; the answer must still
    // start with the prefix (a tag object's prefix peels to a commit with another id, and a ref whose
    // name looks like hex would win over the prefix).
    await this.batch.request(
      asked.map((p) => `${p.toLowerCase()}^{commit}`),
      new Set<string>(),
      (i, answer) => {
        const prefix = asked[i];
        if (prefix === undefined || !answer || answer.type !== 'commit') return;
        if (answer.oid.startsWith(prefix.toLowerCase())) found.set(prefix, answer.oid);
      },
    );
    return found;
  }

  /**
   * Fail closed (§6): a clone that fetches only some of origin's branches (`clone --single-branch`,
   * GitLab CI's default fetch) would make every other branch look deleted and its images go.
   */
  private async requireAllBranchesFetched(): Promise<void> {
    const r = await runGit(this.dir, ['config', '--get-all', 'remote.origin.fetch'], { env: this.env });
    const specs = r.stdout.toString('utf8').split('\n').map((l) => l.trim().replace(/^\+/, '')).filter((l) => l !== '');
    if (specs.some((spec) => spec.startsWith('refs/heads/*:'))) return;
    throw new InputError(
      `${this.dir}: origin fetches only ${specs.length > 0 ? specs.join(', ') : 'no branches'}, so the other branches would look deleted and their images would go`,
      "fetch every branch first: git config remote.origin.fetch '+refs/heads/*:refs/remotes/origin/*' && git fetch origin (in GitLab CI, also set GIT_DEPTH: 0)",
    );
  }

  /** Ends the git processes. Forgetting it does not keep node alive. */
  close(): Promise<void> {
    this.closed = true;
    this.stream?.close();
    return this.batch.close();
  }

  private async git(args: string[]): Promise<string> {
    const r = await runGit(this.dir, args, { env: this.env });
    if (r.code !== 0) {
      throw new IncompleteInputError(
        INPUT,
        `git ${args[0] ?? ''} failed in ${this.dir}: ${firstLine(r.stderr) || `exit code ${r.code}`}`,
      );
    }
    return r.stdout.toString('utf8');
  }
}

function unixDate(value: string, what: string): Date {
  const seconds = Number(value);
  if (value === '' || !Number.isFinite(seconds)) {
    throw new IncompleteInputError(INPUT, `no date could be read for ${what} (got ${JSON.stringify(value)})`);
  }
  return new Date(seconds * 1000);
}

/** Parses a raw commit object: its `parent` lines and the time of its `committer` line. */
export function parseCommit(id: string, body: Buffer): CommitInfo {
  const end = body.indexOf('\n\n');
  const header = body.toString('latin1', 0, end < 0 ? body.length : end);
  const parents: string[] = [];
  let date: Date | undefined;
  for (const line of header.split('\n')) {
    if (line.startsWith('parent ')) parents.push(line.slice(7).trim());
    else if (line.startsWith('committer ')) {
      const m = /> *(-?\d+)(?: +[+-]\d+)?\s*$/.exec(line);
      if (m) date = new Date(Number(m[1]) * 1000);
    }
  }
  if (!date) throw new IncompleteInputError(INPUT, `commit ${id} has no readable committer date`);
  return { id, parents, date };
}
