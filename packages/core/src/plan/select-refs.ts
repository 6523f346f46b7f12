/** Reference selection (cleanup-semantics.md §4.3): policies in file order, limit, last policy wins. */
import type { GitRef } from '../ports.js';
import type { KeepPolicy, Limit } from '../policy/types.js';
import { matchesName } from '../policy/pattern.js';

export interface SelectedRef {
  ref: GitRef;
  /** The imagesPerReference of the last policy that selected the reference. */
  images: Limit;
  /** Path of that policy (`cleanup.keepPolicies[2]`). */
  policy: string;
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

export function selectReferences(refs: readonly GitRef[], policies: readonly KeepPolicy[], now: Date): Map<string, SelectedRef> {
  const selected = new Map<string, SelectedRef>();
  for (const policy of policies) {
    const { kind, pattern, limit } = policy.references;
    const matching = refs.filter((r) => r.kind === kind && matchesName(pattern, r.name)).sort(byDateDesc);
    matching.forEach((ref, rank) => {
      if (limit && !passesLimit(limit, rank, ref.date, now)) return;
      selected.set(`${ref.kind}:${ref.name}`, { ref, images: policy.imagesPerReference, policy: policy.path });
    });
  }
  return selected;
}
