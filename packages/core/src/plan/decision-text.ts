/**
 * Decisions in words: the sentences the summary, `explain` and the CI logs print, made from the
 * structured findings (types.ts) so that the words and the data cannot disagree. Pure.
 */
import { formatDuration } from '../policy/duration.js';
import type { Limit } from '../policy/types.js';
import type { CommitInfo } from '../ports.js';
import type { SelectedRef } from './select-refs.js';
import type { GroupFinding, PolicyMiss, PolicyPosition, Reason, ReferenceName } from './types.js';

/** `12th`, `1st`, `22nd`. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

/** `45 days`, `3 hours`, `20 minutes`. */
export function spokenAge(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(ms / 3_600_000);
  if (hours < 48) return `${hours} hours`;
  const days = Math.round(ms / 86_400_000);
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** `cleanup.keepPolicies[2] (line 14)`, `default keepPolicies[1]`. */
export function policyLabel(p: PolicyPosition): string {
  return p.line !== undefined ? `${p.path} (line ${p.line})` : p.path;
}

export function referenceLabel(r: ReferenceName): string {
  return `${r.kind} ${r.name}`;
}

/** `last: 10`, `in: 168h`, `last: 10 or in: 168h`, `no limit`. */
export function limitText(limit: Limit): string {
  const parts: string[] = [];
  if (limit.last !== undefined) parts.push(`last: ${limit.last}`);
  if (limit.in !== undefined) parts.push(`in: ${formatDuration(limit.in)}`);
  if (parts.length === 0) return 'no limit';
  // Or needs both to mean anything: `in` alone with Or keeps every image group (cleanup-semantics.md §4.5).
  if (limit.operator === 'Or' && limit.last === undefined) return `${parts.join('')}, operator Or (no limit without last)`;
  return parts.join(limit.operator === 'Or' ? ' or ' : ' and ');
}

export const shortCommit = (id: string): string => id.slice(0, 7);
export const day = (d: Date): string => d.toISOString().slice(0, 10);

const DAY_MS = 86_400_000;

/** What a policy keeps of each reference: `keeps 10`, `keeps 2 within 168h`, `keeps 10 or any within 168h`. */
function keepsText(limit: Limit): string {
  const within = limit.in !== undefined ? formatDuration(limit.in) : undefined;
  if (limit.last === undefined) return within && limit.operator !== 'Or' ? `keeps every image group within ${within}` : 'keeps every image group';
  if (!within) return `keeps ${limit.last}`;
  return limit.operator === 'Or' ? `keeps ${limit.last} or any within ${within}` : `keeps ${limit.last} within ${within}`;
}

/**
 * The sentences of kept groups — `3rd image group of branch main; cleanup.keepPolicies[2] keeps 10 (commit
 * 1a2b3c4 of 2026-11-30)` — with what repeats made once: each selected reference's part (per policy,
 * reference and limit, in both forms), each rank's ordinal and the commit's `(commit … of …)` with its
 * `{ id, date }` (for as long as the groups asked about are the same commit's). One per walk; about
 * 100,000 kept groups in the bench's deep policy, where making each sentence from its parts was most
 * of the kept reasons' time.
 */
export class KeptGroupTexts {
  private readonly byReference = new Map<SelectedRef, { withinLast: string; beyondLast: string }>();
  private readonly ordinals: string[] = [];
  /** `2026-11-30` by UTC day number (toISOString is most of a sentence's cost otherwise). */
  private readonly days = new Map<number, string>();
  /**
   * The last commit's `{ id, date }` and ` (commit … of …)`: the walk notes every group of a commit while it
   * visits it, so one entry does what a Map of 50,000 commits did.
   */
  private last: { info: CommitInfo; commit: { id: string; date: Date }; text: string } | undefined;

  /** The git-history reason of a group the selected reference kept at the commit: its sentence and finding. */
  keptGroup(selected: SelectedRef, commit: CommitInfo, rank: number, inWindow: boolean): Reason {
    const { position: policy, reference, images: limit } = selected;
    let ref = this.byReference.get(selected);
    if (!ref) {
      const of = `image group of ${referenceLabel(reference)}; `;
      ref = {
        withinLast: `${of}${policyLabel(policy)} ${keepsText(limit)} (commit `,
        beyondLast: `${of}within in: ${formatDuration(limit.in ?? 0)} (${policyLabel(policy)}: ${limitText(limit)}) (commit `,
      };
      this.byReference.set(selected, ref);
    }
    let c = this.last;
    if (c?.info !== commit) {
      const { id, date } = commit;
      const dayNumber = Math.floor(date.getTime() / DAY_MS);
      let dayText = this.days.get(dayNumber);
      if (dayText === undefined) this.days.set(dayNumber, (dayText = day(date)));
      this.last = c = { info: commit, commit: { id, date }, text: `${shortCommit(id)} of ${dayText})` };
    }
    const ordinalText = (this.ordinals[rank] ??= `${ordinal(rank)} `);
    const beyondLast = limit.last !== undefined && rank > limit.last;
    const group: GroupFinding = { policy, reference, commit: c.commit, rank, limit, inWindow, kept: true };
    return { reason: 'git-history', rule: selected.policy, detail: ordinalText + (beyondLast ? ref.beyondLast : ref.withinLast) + c.text, group };
  }
}

/** A group met but not kept, as a miss: rank beyond `last`, or a commit outside `in`. */
export function missedGroupText(g: GroupFinding, now: Date): string {
  const where = `${ordinal(g.rank)} image group of ${referenceLabel(g.reference)}`;
  if (!g.inWindow && g.limit.in !== undefined) {
    const age = spokenAge(now.getTime() - g.commit.date.getTime());
    return `${where}: commit ${shortCommit(g.commit.id)} is ${age} old, outside in: ${formatDuration(g.limit.in)}; ${policyLabel(g.policy)} ${keepsText(g.limit)}`;
  }
  return `${where}; ${policyLabel(g.policy)} ${keepsText(g.limit)}`;
}

