/**
 * Running the `git` CLI: one-shot commands and a long-lived `git cat-file --batch` process that answers
 * many object requests through one pipe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { IncompleteInputError } from '@regsweep/core';

/**
 * Environment for git: the caller's, minus the variables that would point git at another repository
 * than the directory we name (a parent git hook sets them), and with lazy fetching of missing objects
 * in partial clones turned off (a read must never touch the network).
 */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'GIT_DIR',
    'GIT_WORK_TREE',
    'GIT_COMMON_DIR',
    'GIT_INDEX_FILE',
    'GIT_OBJECT_DIRECTORY',
    'GIT_ALTERNATE_OBJECT_DIRECTORIES',
    'GIT_NAMESPACE',
    'GIT_PREFIX',
  ]) {
    delete env[name];
  }
  env['GIT_NO_LAZY_FETCH'] = '1';
  env['GIT_TERMINAL_PROMPT'] = '0';
  return { ...env, ...extra };
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs `git args` in `cwd` and collects its output; rejects only when git cannot be started. */
export function runGit(
  cwd: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string | Buffer } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: options.env ?? gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => reject(gitSpawnError(e)));
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.end(options.input ?? '');
  });
}

export function gitSpawnError(e: Error): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new Error('the git CLI was not found on PATH; install git to read a local history', { cause: e });
  return e;
}

/** First meaningful line of git's stderr, for messages. */
export function firstLine(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.trim() !== '' && !l.startsWith('hint:'));
  return (line ?? '').trim();
}

/** One answer of `git cat-file --batch`. */
export interface BatchAnswer {
  oid: string;
  type: string;
  /** The object's content; only for the types the request asked to keep. */
  body: Buffer | undefined;
}

interface Group {
  remaining: number;
  failure: unknown;
  resolve(): void;
  reject(e: unknown): void;
}

interface Entry {
  group: Group;
  index: number;
  onAnswer(index: number, answer: BatchAnswer | undefined): void;
  keep: ReadonlySet<string>;
}

interface Body {
  answer: BatchAnswer;
  remaining: number;
  keep: boolean;
  chunks: Buffer[];
}

type Refable = { ref(): unknown; unref(): unknown };
function isRefable(x: unknown): x is Refable {
  return typeof x === 'object' && x !== null && 'ref' in x && 'unref' in x && typeof x.unref === 'function';
}

/** Whether a long-lived git process (and its pipes) keeps node alive: only while something waits for it. */
export function keepsNodeAlive(child: ChildProcess, active: boolean): void {
  for (const handle of [child, child.stdin, child.stdout, child.stderr]) {
    // A closed pipe has no handle left, and ref() on one would wait for a 'connect' that never comes.
    if (!isRefable(handle) || ('destroyed' in handle && handle.destroyed === true)) continue;
    if (active) handle.ref();
    else handle.unref();
  }
}

const EMPTY = Buffer.alloc(0);
const INPUT = 'git history';

/**
 * A long-lived `git cat-file --batch`, started on first use. Requests are pipelined: all lines are
 * written at once and the answers are read back in order, object by object, by the sizes in their
 * headers (so binary content is safe). The process does not keep node alive while no request waits.
 */
export class CatFileBatch {
  private child: ChildProcess | undefined;
  private queue: Entry[] = [];
  private head = 0;
  private pending: Buffer = EMPTY;
  private body: Body | undefined;
  private stderrTail = '';
  private closed = false;

  constructor(
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /**
   * Asks for the objects named by `specs` (object names cat-file understands; no newlines). Calls
   * `onAnswer(i, answer)` for each, in order; `undefined` when git reports the name missing or ambiguous.
   * The content of objects whose type is in `keep` is read into `answer.body`.
   */
  request(
    specs: readonly string[],
    keep: ReadonlySet<string>,
    onAnswer: (index: number, answer: BatchAnswer | undefined) => void,
  ): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the local git history is closed'));
    if (specs.length === 0) return Promise.resolve();
    for (const s of specs) if (/[\n\r]/.test(s)) return Promise.reject(new Error(`bad object name ${JSON.stringify(s)}`));
    const child = this.start();
    return new Promise<void>((resolve, reject) => {
      const group: Group = { remaining: specs.length, failure: undefined, resolve, reject };
      for (let i = 0; i < specs.length; i++) this.queue.push({ group, index: i, onAnswer, keep });
      this.setActive(true);
      child.stdin?.write(specs.join('\n') + '\n');
    });
  }

  /** Ends the process (after it has answered what was asked) and waits for it to exit. */
  close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('close', () => resolve());
      this.setActive(true);
      child.stdin?.end();
    });
  }

  private start(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn('git', ['cat-file', '--batch'], { cwd: this.cwd, env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.pending = EMPTY;
    this.body = undefined;
    this.stderrTail = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (this.child === child) this.onData(chunk);
    });
    // Always drain stderr (ambiguity hints can be long) and keep its end for messages.
    child.stderr?.on('data', (chunk: Buffer) => {
      if (this.child === child) this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
    });
    child.stdin?.on('error', () => undefined);
    child.on('error', (e) => this.fail(child, gitSpawnError(e)));
    child.on('close', (code, signal) => {
      const detail = firstLine(this.stderrTail);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`;
      this.fail(child, new IncompleteInputError(INPUT, `git cat-file ${how} in ${this.cwd}${detail ? `: ${detail}` : ''}`));
    });
    this.setActive(false);
    return child;
  }

  private setActive(active: boolean): void {
    if (this.child) keepsNodeAlive(this.child, active);
  }

  /** The process ended or broke: every waiting request fails; the next request starts a new process. */
  private fail(child: ChildProcess, error: unknown): void {
    if (this.child !== child) return;
    this.child = undefined;
    const waiting = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    for (const entry of waiting) {
      if (entry.group.failure === undefined) {
        entry.group.failure = error;
        entry.group.reject(error);
      }
    }
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }

  private onData(chunk: Buffer): void {
    const child = this.child;
    if (!child) return;
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let pos = 0;
    while (pos < buf.length) {
      const body = this.body;
      if (body) {
        const take = Math.min(body.remaining, buf.length - pos);
        if (body.keep) body.chunks.push(buf.subarray(pos, pos + take));
        pos += take;
        body.remaining -= take;
        if (body.remaining === 0) {
          this.body = undefined;
          if (body.keep) {
            const all = body.chunks.length === 1 ? (body.chunks[0] ?? EMPTY) : Buffer.concat(body.chunks);
            body.answer.body = all.subarray(0, all.length - 1); // drop the LF after the content
          }
          this.deliver(body.answer);
        }
        continue;
      }
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      const header = buf.toString('latin1', pos, nl);
      pos = nl + 1;
      const entry = this.queue[this.head];
      if (!entry) {
        this.fail(child, new IncompleteInputError(INPUT, `unexpected output from git cat-file: ${header}`));
        return;
      }
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.deliver(undefined);
        continue;
      }
      const m = /^([0-9a-f]+) ([a-z]+) (\d+)$/.exec(header);
      if (!m) {
        this.fail(child, new IncompleteInputError(INPUT, `unexpected output from git cat-file: ${header}`));
        return;
      }
      const type = m[2] ?? '';
      const answer: BatchAnswer = { oid: m[1] ?? '', type, body: undefined };
      this.body = { answer, remaining: Number(m[3]) + 1, keep: entry.keep.has(type), chunks: [] };
    }
    this.pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : EMPTY;
  }

  private deliver(answer: BatchAnswer | undefined): void {
    const entry = this.queue[this.head++];
    if (!entry) return;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.setActive(false);
    }
    const group = entry.group;
    if (group.failure === undefined) {
      try {
        entry.onAnswer(entry.index, answer);
      } catch (e) {
        group.failure = e;
        group.reject(e);
      }
    }
    if (--group.remaining === 0 && group.failure === undefined) group.resolve();
  }
}
