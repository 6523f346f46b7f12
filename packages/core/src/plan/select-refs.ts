/** Reference selection (cleanup-semantics.md §4.3): policies in file order, limit, last policy wins. */
import type { GitRef } from '../ports.js';
import type { KeepPolicy, Limit } from '../policy/types.js';
import { matchesName } from '../policy/pattern.js';
import type { PolicyPosition, ReferenceName } from './types.js';

export interface SelectedRef {
  ref: GitRef;
  /** The imagesPerReference of the last policy that selected the reference. */
  images: Limit;
  /** Path of that policy (`cleanup.keepPolicies[2]`). */
  policy: string;
  /** Where that policy stands. */
  position: PolicyPosition;
  /** The reference's kind and name, as decisions name it (one object for all of them). */
  reference: ReferenceName;
}

/** One reference a policy's pattern matches: its rank among the matches and what became of it. */
export interface PolicyMatch {
  ref: GitRef;
  /** 1 = the newest matching reference. */
  rank: number;
  /** Whether `references.limit` selects it. */
  passed: boolean;
}

/** What one policy's reference selection came to, for explaining the images nothing kept. */
export interface PolicySelection {
  policy: KeepPolicy;
  position: PolicyPosition;
  /** The matching references by name. */
  matches: Map<string, PolicyMatch>;
  /** How many references this policy selected and kept (not taken by a later policy). */
  selected: number;
}

export interface ReferenceSelection {
  selected: Map<string, SelectedRef>;
  policies: PolicySelection[];
}

/** Newest first; ties by name so that the result is deterministic. */
export function byDateDesc(a: GitRef, b: GitRef): number {
  return b.date.getTime() - a.date.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Whether a rank (0 = newest) and a date pass a limit (§4.3; `Or` without `in` passes everything). */
export function passesLimit(limit: Limit, rank: number, date: Date, now: Date): boolean {
  const passLast = limit.last === undefined || rank < limit.last;
  const passIn = limit.in === undefined || date.getTime() > now.getTime() - limit.in;
  return limit.operator === 'Or' ? passLast || passIn : passLast && passIn;
}

export function policyPosition(policy: KeepPolicy, index: number): PolicyPosition {
  return { path: policy.path, index, ...(policy.line !== undefined ? { line: policy.line } : {}) };
}

export function selectReferences(refs: readonly GitRef[], policies: readonly KeepPolicy[], now: Date): ReferenceSelection {
  const selected = new Map<string, SelectedRef>();
  const facts: PolicySelection[] = [];
  policies.forEach((policy, index) => {
    const { kind, pattern, limit } = policy.references;
    const position = policyPosition(policy, index);
    const matches = new Map<string, PolicyMatch>();
    const matching = refs.filter((r) => r.kind === kind && matchesName(pattern, r.name)).sort(byDateDesc);
    matching.forEach((ref, rank) => {
      const passed = !limit || passesLimit(limit, rank, ref.date, now);
      matches.set(ref.name, { ref, rank: rank + 1, passed });
      if (!passed) return;
      selected.set(`${ref.kind}:${ref.name}`, { ref, images: policy.imagesPerReference, policy: policy.path, position, reference: { kind: ref.kind, name: ref.name } });
    });
    facts.push({ policy, position, matches, selected: 0 });
  });
  for (const s of selected.values()) (facts[s.position.index] as PolicySelection).selected += 1;
  return { selected, policies: facts };
}
