/**
 * Builds real git repositories with dated commits, for tests and the demo. Synchronous, and
 * independent of the machine's git configuration (no system or global config, fixed identity, no
 * signing, no hooks, no automatic gc).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gitEnv } from './git-process.js';

export type DateLike = Date | string | number;

const NAME = 'Regsweep Fixture';
const EMAIL = 'fixture@regsweep.invalid';
const CONFIG = [
  `user.name=${NAME}`,
  `user.email=${EMAIL}`,
  'init.defaultBranch=main',
  'commit.gpgSign=false',
  'tag.gpgSign=false',
  'tag.forceSignAnnotated=false',
  'gc.auto=0',
  'maintenance.auto=false',
  'core.hooksPath=' + os.devNull,
  'advice.detachedHead=false',
  'advice.nestedTag=false',
  'core.autocrlf=false',
];

/** `<unix seconds> +0000`, git's raw date format; rejects what JavaScript cannot read as a date. */
export function rawDate(date: DateLike): string {
  const d = date instanceof Date ? date : new Date(date);
  const ms = d.getTime();
  if (!Number.isFinite(ms)) throw new Error(`not a date: ${String(date)}`);
  return `${Math.floor(ms / 1000)} +0000`;
}

export class GitRepoBuilder {
  private constructor(readonly dir: string) {}

  /** Creates an empty repository (branch `main`, unborn) in `dir`, creating the directory. */
  static init(dir: string, options: { bare?: boolean } = {}): GitRepoBuilder {
    fs.mkdirSync(dir, { recursive: true });
    const repo = new GitRepoBuilder(path.resolve(dir));
    repo.git(['init', '-q', ...(options.bare ? ['--bare'] : [])]);
    return repo;
  }

  /** Wraps an existing repository. */
  static open(dir: string): GitRepoBuilder {
    return new GitRepoBuilder(path.resolve(dir));
  }

  /** Runs git in the repository with the fixture's isolated configuration; returns trimmed stdout. */
  git(args: readonly string[], options: { date?: DateLike; input?: string } = {}): string {
    const extra: Record<string, string> = {
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: os.devNull,
      GIT_AUTHOR_NAME: NAME,
      GIT_AUTHOR_EMAIL: EMAIL,
      GIT_COMMITTER_NAME: NAME,
      GIT_COMMITTER_EMAIL: EMAIL,
    };
    if (options.date !== undefined) {
      extra['GIT_AUTHOR_DATE'] = rawDate(options.date);
      extra['GIT_COMMITTER_DATE'] = rawDate(options.date);
    }
    const config = CONFIG.flatMap((c) => ['-c', c]);
    const out = execFileSync('git', [...config, ...args], {
      cwd: this.dir,
      env: gitEnv(extra),
      input: options.input ?? '',
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return out.trim();
  }

  /** Full id of a revision. */
  revParse(rev: string): string {
    return this.git(['rev-parse', '--verify', '--quiet', `${rev}^{object}`]);
  }

  /** Full id of HEAD. */
  head(): string {
    return this.revParse('HEAD');
  }

  /** The current branch's short name (empty when HEAD is detached). */
  currentBranch(): string {
    return this.git(['symbolic-ref', '--quiet', '--short', 'HEAD']);
  }

  /**
   * An (empty) commit dated `date` (author and committer) on the current branch, or on `branch`
   * (switched to first; created from the current HEAD when it does not exist). Returns its full id.
   */
  commit(message: string, options: { date: DateLike; branch?: string }): string {
    if (options.branch !== undefined && options.branch !== this.currentBranch()) {
      if (this.hasBranch(options.branch)) this.checkout(options.branch);
      else this.git(['checkout', '-q', '-b', options.branch]);
    }
    this.git(['commit', '-q', '--allow-empty', '--no-verify', '-m', message], { date: options.date });
    return this.head();
  }

  /**
   * `count` commits in a chain on `branch` (default: the current one) through `git fast-import`,
   * fast enough for tens of thousands. Commit i is dated `start + i * stepSeconds`. Returns the ids,
   * oldest first. The working tree is not updated when the branch is checked out; nothing here needs it.
   */
  commitMany(count: number, options: { start: DateLike; stepSeconds?: number; branch?: string; message?: string }): string[] {
    const branch = options.branch ?? (this.currentBranch() || 'main');
    const start = Math.floor(new Date(options.start).getTime() / 1000);
    if (!Number.isFinite(start)) throw new Error(`not a date: ${String(options.start)}`);
    const step = options.stepSeconds ?? 60;
    const ref = `refs/heads/${branch}`;
    const parent = this.hasBranch(branch) ? this.revParse(ref) : undefined;
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      const msg = `${options.message ?? 'commit'} ${i + 1}\n`;
      const who = `${NAME} <${EMAIL}> ${start + i * step} +0000`;
      parts.push(`commit ${ref}\nmark :${i + 1}\nauthor ${who}\ncommitter ${who}\ndata ${Buffer.byteLength(msg)}\n${msg}`);
      if (i === 0 && parent) parts.push(`from ${parent}\n`);
      parts.push('\n');
    }
    const marks = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'regsweep-marks-')), 'marks');
    try {
      this.git(['fast-import', '--quiet', `--export-marks=${marks}`], { input: parts.join('') });
      const ids = new Array<string>(count);
      for (const line of fs.readFileSync(marks, 'utf8').split('\n')) {
        const m = /^:(\d+) ([0-9a-f]+)$/.exec(line);
        if (m) ids[Number(m[1]) - 1] = m[2] ?? '';
      }
      return ids;
    } finally {
      fs.rmSync(path.dirname(marks), { recursive: true, force: true });
    }
  }

  hasBranch(name: string): boolean {
    try {
      this.git(['show-ref', '--verify', '--quiet', `refs/heads/${name}`]);
      return true;
    } catch {
      return false;
    }
  }

  /** Creates branch `name` at `from` (default HEAD) without switching to it. */
  branch(name: string, from?: string): void {
    this.git(['branch', name, ...(from !== undefined ? [from] : [])]);
  }

  checkout(name: string): void {
    this.git(['checkout', '-q', name]);
  }

  /** A merge commit of `branch` into the current branch (always a real merge: parents HEAD, branch). */
  merge(branch: string, options: { date: DateLike; message?: string }): string {
    this.git(['merge', '-q', '--no-ff', '--no-edit', '--no-verify', '-m', options.message ?? `Merge ${branch}`, branch], {
      date: options.date,
    });
    return this.head();
  }

  /**
   * A tag at `target` (default HEAD). Annotated tags get `date` as their tagger date (default: now);
   * a lightweight tag has no date of its own. Returns the id of the tag object (annotated) or the target.
   */
  tag(name: string, options: { annotated?: boolean; date?: DateLike; target?: string; message?: string } = {}): string {
    const target = options.target ?? 'HEAD';
    if (options.annotated) {
      const dated = options.date !== undefined ? { date: options.date } : {};
      this.git(['tag', '-a', '-m', options.message ?? name, name, target], dated);
    } else {
      this.git(['tag', name, target]);
    }
    return this.revParse(`refs/tags/${name}`);
  }

  deleteBranch(name: string): void {
    this.git(['branch', '-q', '-D', name]);
  }

  /** `git remote add`. */
  addRemote(name: string, url: string): void {
    this.git(['remote', 'add', name, url]);
  }

  /**
   * Clones this repository into `dir`: the clone has an `origin` remote with remote-tracking branches
   * for every branch here. `shallow` clones with `--depth 1` through a `file://` URL (a plain path
   * would ignore the depth).
   */
  cloneTo(dir: string, options: { shallow?: boolean; bare?: boolean } = {}): GitRepoBuilder {
    const target = path.resolve(dir);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const source = options.shallow ? pathToFileURL(this.dir).href : this.dir;
    this.git(['clone', '-q', ...(options.shallow ? ['--depth', '1'] : []), ...(options.bare ? ['--bare'] : []), source, target]);
    return new GitRepoBuilder(target);
  }
}
