/**
 * The history listed ahead of the planner's walk: one `git rev-list --parents --timestamp` from every
 * reference's tip, read as the walk goes. The walk asks for about one commit at a time (it cannot name a
 * parent before it has read the child), and through `git cat-file --batch` each question is a round
 * trip (about 55-80 µs here: some 4 s for the 53,000 commits of the planner bench's deep policy). rev-list
 * lists commits newest first, the order the walk visits them in, and several times faster than the walk
 * reads them one by one, so once it has run ahead the commit asked for next is almost always listed.
 *
 * A cache and nothing more: a commit the stream has not listed (not reachable from a tip, past its bound,
 * or the stream failed) is read by cat-file as before, and only cat-file says that a commit is not there.
 * Both see the same history: replace refs count for both; grafts (which cat-file's raw objects do not
 * show) are turned off for rev-list; a line that does not parse, or a date rev-list gives as 0, is left
 * to cat-file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { CommitInfo } from '@regsweep/core';
import { keepsNodeAlive } from './git-process.js';

export interface CommitStreamOptions {
  /** How far listing runs ahead of the walk before it pauses, in commits (default 4,096). */
  ahead?: number;
  /** Commits listed at most; later ones are read by cat-file (default 250,000, some 60 MB held). */
  max?: number;
}

export interface CommitStreamStats {
  /** Commits the stream listed. */
  listed: number;
  /** Asked commits it answered. */
  answered: number;
  /** Whether rev-list ended (listed everything, reached `max`, failed or was closed). */
  ended: boolean;
}

const ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A graft file that cannot exist: rev-list then sees the parents cat-file's raw objects name. */
const NO_GRAFTS = '/dev/null/regsweep-no-grafts';

export class CommitStream {
  private readonly known = new Map<string, CommitInfo>();
  private child: ChildProcess | undefined;
  private partial = '';
  private listed = 0;
  private answered = 0;
  private asked = 0;
  /** Listing goes on while fewer than this many commits are listed (then it pauses). */
  private limit: number;
  private paused = false;
  private ended = false;
  private readonly ahead: number;
  private readonly max: number;

  constructor(dir: string, env: NodeJS.ProcessEnv, tips: readonly string[], options: CommitStreamOptions = {}) {
    this.ahead = Math.max(1, options.ahead ?? 4096);
    this.max = Math.max(1, options.max ?? 250_000);
    this.limit = this.ahead;
    // No commit-graph: it keeps dates in 34 bits and answers for commits whose objects are gone.
    const child = spawn('git', ['-c', 'core.commitGraph=false', 'rev-list', '--parents', '--timestamp', '--stdin'], {
      cwd: dir, env: { ...env, GIT_GRAFT_FILE: NO_GRAFTS }, stdio: ['pipe', 'pipe', 'ignore'],
    });
    this.child = child;
    child.stdin?.on('error', () => undefined);
    child.stdout?.on('data', (chunk: Buffer) => this.onData(chunk));
    child.on('error', () => this.end());
    child.on('close', () => this.end());
    child.stdin?.end(`${tips.join('\n')}\n`);
    keepsNodeAlive(child, false);
  }

  /**
   * The commit (lowercase id) when the stream has listed it. Nothing waits for the listing: a commit not
   * listed yet is cat-file's to read (a round trip), and the listing, behind the walk then, may run
   * `ahead` past what it has listed; while the walk finds what it asks for, listing stays at most
   * `ahead` commits beyond the number asked for.
   */
  get(id: string): CommitInfo | undefined {
    const c = this.known.get(id);
    this.asked += 1;
    if (c) this.answered += 1;
    this.allow(c ? this.asked + this.ahead : this.listed + this.ahead);
    return c;
  }

  stats(): CommitStreamStats {
    return { listed: this.listed, answered: this.answered, ended: this.ended };
  }

  /** Stops rev-list; what it listed stays known. */
  close(): void {
    const child = this.child;
    this.end();
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
  }

  /** Listing may go on until `limit` commits are listed. */
  private allow(limit: number): void {
    if (limit <= this.limit) return;
    this.limit = limit;
    if (this.paused && this.listed < limit) this.resume();
  }

  private resume(): void {
    if (!this.paused || !this.child) return;
    this.paused = false;
    this.child.stdout?.resume();
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    const text = this.partial + chunk.toString('latin1');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0 && this.listed < this.max; nl = text.indexOf('\n', start)) {
      this.add(text.slice(start, nl));
      start = nl + 1;
    }
    this.partial = text.slice(start);
    if (this.listed >= this.max) this.close();
    else if (this.listed >= this.limit && this.child) {
      this.paused = true;
      this.child.stdout?.pause();
    }
  }

  /** `<committer time> <id> <parent>...` */
  private add(line: string): void {
    const fields = line.split(' ');
    const seconds = Number(fields[0]);
    const id = fields[1] ?? '';
    if (!ID.test(id) || !Number.isSafeInteger(seconds) || seconds <= 0) return;
    const parents = fields.slice(2);
    for (const p of parents) if (!ID.test(p)) return;
    this.known.set(id, { id, parents, date: new Date(seconds * 1000) });
    this.listed += 1;
  }

  private end(): void {
    this.ended = true;
    this.child = undefined;
  }
}
