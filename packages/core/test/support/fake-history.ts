/** An in-memory `GitHistory` for planner tests: commits named by a label, ids derived from it. */
import { createHash } from 'node:crypto';
import type { CommitInfo, GitHistory, GitRef } from '../../src/ports.js';

export const idOf = (name: string): string => createHash('sha1').update(name).digest('hex');

export class FakeHistory implements GitHistory {
  readonly commitsById = new Map<string, CommitInfo>();
  readonly refList: GitRef[] = [];
  /** Every id asked for through `commits`, in order (to check laziness). */
  readonly asked: string[] = [];
  calls = 0;

  commit(name: string, date: string, parents: string[] = []): string {
    const id = idOf(name);
    this.commitsById.set(id, { id, parents: parents.map(idOf), date: new Date(date) });
    return id;
  }

  /** A straight line of commits `prefix1..prefixN`, one a day ending at `end`, on top of `base`. */
  line(prefix: string, n: number, end: string, base?: string): string[] {
    const names: string[] = [];
    const endMs = new Date(end).getTime();
    let parent = base;
    for (let i = 1; i <= n; i++) {
      const name = `${prefix}${i}`;
      this.commit(name, new Date(endMs - (n - i) * 86_400_000).toISOString(), parent ? [parent] : []);
      names.push(name);
      parent = name;
    }
    return names;
  }

  branch(name: string, commit: string): this {
    const c = this.commitsById.get(idOf(commit));
    if (!c) throw new Error(`no commit ${commit}`);
    this.refList.push({ kind: 'branch', name, commit: c.id, date: c.date });
    return this;
  }

  tag(name: string, commit: string, date?: string): this {
    const c = this.commitsById.get(idOf(commit));
    if (!c) throw new Error(`no commit ${commit}`);
    this.refList.push({ kind: 'tag', name, commit: c.id, date: date ? new Date(date) : c.date });
    return this;
  }

  async refs(): Promise<GitRef[]> {
    return [...this.refList];
  }

  async commits(ids: readonly string[]): Promise<Map<string, CommitInfo>> {
    this.calls += 1;
    this.asked.push(...ids);
    const out = new Map<string, CommitInfo>();
    for (const id of ids) {
      const c = this.commitsById.get(id);
      if (c) out.set(id, c);
    }
    return out;
  }

  async resolvePrefixes(prefixes: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const p of prefixes) {
      const hits = [...this.commitsById.keys()].filter((id) => id.startsWith(p));
      if (hits.length === 1) out.set(p, hits[0] as string);
    }
    return out;
  }
}
