/**
 * The in-memory GitHub repository the fake GraphQL and REST endpoints serve (fake-graphql.ts,
 * fake-repo-rest.ts): commits with parents and dates, branches, tags (lightweight and annotated), open
 * pull requests, and the builder tests use to make one.
 */
import { createHash } from 'node:crypto';

export const oidOf = (label: string): string => createHash('sha1').update(label).digest('hex');

export interface ModelCommit {
  oid: string;
  parents: string[];
  date: Date;
}

export interface ModelTagObject {
  oid: string;
  name: string;
  taggerDate: Date | null;
  /** The id of a commit, another tag object or a tree. */
  target: string;
}

export interface ModelPull {
  number: number;
  head: string;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
}

export type ObjectKind = 'commit' | 'tag' | 'tree';

/** An in-memory repository. Commits are named by labels; their ids are the labels' sha1. */
export class RepoModel {
  readonly commits = new Map<string, ModelCommit>();
  readonly branches = new Map<string, string>();
  /** Tag name → the id of a commit (lightweight), a tag object (annotated) or a tree. */
  readonly tags = new Map<string, string>();
  readonly tagObjects = new Map<string, ModelTagObject>();
  readonly trees = new Set<string>();
  readonly pulls: ModelPull[] = [];

  constructor(readonly owner = 'acme', readonly name = 'app') {}

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  commit(label: string, date: string | Date, parents: string[] = []): string {
    const oid = oidOf(label);
    this.commits.set(oid, { oid, parents: parents.map(oidOf), date: new Date(date) });
    return oid;
  }

  /** A commit with a chosen id (to make ambiguous prefixes); parents are ids. */
  commitWithId(oid: string, date: string, parents: string[] = []): string {
    this.commits.set(oid, { oid, parents, date: new Date(date) });
    return oid;
  }

  /** Commits `prefix1..prefixN`, `stepMs` apart (default a day), the last at `end`, on top of `base`. */
  line(prefix: string, n: number, end: string, base?: string, stepMs = 86_400_000): string[] {
    const labels: string[] = [];
    let parent = base;
    for (let i = 1; i <= n; i++) {
      const label = `${prefix}${i}`;
      this.commit(label, new Date(new Date(end).getTime() - (n - i) * stepMs), parent ? [parent] : []);
      labels.push(label);
      parent = label;
    }
    return labels;
  }

  branch(name: string, label: string): this {
    this.branches.set(name, this.known(label));
    return this;
  }

  tag(name: string, label: string): this {
    this.tags.set(name, this.known(label));
    return this;
  }

  /** An annotated tag object (`taggerDate` null = a tag without a tagger) pointing at a commit. */
  annotatedTag(name: string, label: string, taggerDate: string | null): this {
    return this.tagObject(name, this.known(label), taggerDate);
  }

  /** An annotated tag of the annotated tag `inner`. */
  tagOfTag(name: string, inner: string, taggerDate: string | null): this {
    const target = this.tags.get(inner);
    if (!target || !this.tagObjects.has(target)) throw new Error(`no annotated tag ${inner}`);
    return this.tagObject(name, target, taggerDate);
  }

  /** An annotated tag of a tree (not a reference to a commit). */
  treeTag(name: string): this {
    const tree = oidOf(`tree-${name}`);
    this.trees.add(tree);
    return this.tagObject(name, tree, '2026-01-01T00:00:00Z');
  }

  pr(number: number, label: string, state: ModelPull['state'] = 'OPEN'): this {
    this.pulls.push({ number, head: this.known(label), state });
    return this;
  }

  kindOf(oid: string): ObjectKind | undefined {
    if (this.commits.has(oid)) return 'commit';
    if (this.tagObjects.has(oid)) return 'tag';
    return this.trees.has(oid) ? 'tree' : undefined;
  }

  /** `git log <oid>`: the commit and its ancestors over all parents, newest committer date first. */
  log(oid: string): ModelCommit[] {
    const out: ModelCommit[] = [];
    const seen = new Set<string>([oid]);
    const queue: ModelCommit[] = [];
    const start = this.commits.get(oid);
    if (start) queue.push(start);
    while (queue.length > 0) {
      queue.sort((a, b) => b.date.getTime() - a.date.getTime() || (a.oid < b.oid ? -1 : 1));
      const c = queue.shift() as ModelCommit;
      out.push(c);
      for (const p of c.parents) {
        const pc = this.commits.get(p);
        if (pc && !seen.has(p)) {
          seen.add(p);
          queue.push(pc);
        }
      }
    }
    return out;
  }

  /** What `git rev-parse` would make of an expression: a ref name, else a unique id prefix. */
  resolve(expression: string): string | undefined {
    const ref = this.branches.get(expression) ?? this.tags.get(expression);
    if (ref) return ref;
    if (!/^[0-9a-f]{4,40}$/.test(expression)) return undefined;
    const hits = [...this.commits.keys(), ...this.tagObjects.keys(), ...this.trees].filter((id) => id.startsWith(expression));
    return hits.length === 1 ? hits[0] : undefined;
  }

  private tagObject(name: string, target: string, taggerDate: string | null): this {
    const oid = oidOf(`tag-object-${name}`);
    this.tagObjects.set(oid, { oid, name, taggerDate: taggerDate === null ? null : new Date(taggerDate), target });
    this.tags.set(name, oid);
    return this;
  }

  private known(label: string): string {
    const oid = oidOf(label);
    if (!this.commits.has(oid)) throw new Error(`no commit ${label}`);
    return oid;
  }
}
