/**
 * Why no keep policy kept a mapped image (cleanup-semantics.md §4): each policy's nearest miss, from
 * what the reference selection and the history walk recorded — never worked out again beside them.
 * Nearest first: a selected reference met the image beyond its limits; a reference named like the
 * image is gone; a matching reference is not selected; no selected reference reaches the commit.
 */
import type { Digest, GitRef } from '../ports.js';
import { formatNamePattern, matchesName } from '../policy/pattern.js';
import { formatDuration } from '../policy/duration.js';
import type { ImageNode } from '../graph/graph.js';
import { limitText, missedGroupText, ordinal, policyLabel, referenceLabel, spokenAge } from './decision-text.js';
import { shaFromTag, slugify, type ImageCommits } from './mapping.js';
import type { RefState } from './ref-state.js';
import type { PolicySelection } from './select-refs.js';
import type { GroupFinding, MissOutcome, PolicyMiss, StoppedReference } from './types.js';
import type { HistoryKeep, WalkResult } from './walk.js';

/** What every miss of one run is worked out from, prepared once. */
export interface MissContext {
  policies: readonly PolicySelection[];
  walk: WalkResult;
  now: Date;
  /** Branch and git tag names, and branch slugs, by kind. */
  names: { branch: ReadonlySet<string>; tag: ReadonlySet<string> };
  /** Per policy index, the states of the references it selected. */
  statesByPolicy: ReadonlyMap<number, readonly RefState[]>;
}

export function missContext(policies: readonly PolicySelection[], walk: WalkResult, refs: readonly GitRef[], now: Date): MissContext {
  const branch = new Set<string>();
  const tag = new Set<string>();
  for (const r of refs) {
    if (r.kind === 'tag') tag.add(r.name);
    else {
      branch.add(r.name);
      branch.add(slugify(r.name));
    }
  }
  const statesByPolicy = new Map<number, RefState[]>();
  for (const s of walk.refs) {
    const list = statesByPolicy.get(s.selected.position.index);
    if (list) list.push(s);
    else statesByPolicy.set(s.selected.position.index, [s]);
  }
  return { policies, walk, now, names: { branch, tag }, statesByPolicy };
}

export function groupFinding(k: HistoryKeep, kept: boolean): GroupFinding {
  const { selected } = k;
  return {
    policy: selected.position, reference: { kind: selected.ref.kind, name: selected.ref.name },
    commit: { id: k.commit.id, date: k.commit.date }, rank: k.rank, limit: selected.images, inWindow: k.inWindow, kept,
  };
}

const ORDER: readonly MissOutcome[] = ['beyond-last', 'outside-in', 'reference-gone', 'reference-not-selected', 'walk-stopped', 'not-reached', 'no-reference'];

/** The nearest of several misses (the one the summary names). */
export function nearestMiss(misses: readonly PolicyMiss[]): PolicyMiss | undefined {
  let best: PolicyMiss | undefined;
  for (const m of misses) {
    if (!best) best = m;
    else {
      const d = ORDER.indexOf(m.outcome) - ORDER.indexOf(best.outcome);
      if (d < 0 || (d === 0 && closer(m, best))) best = m;
    }
  }
  return best;
}

/** Of two misses of one outcome: the smaller rank, or the reference that walked the most groups. */
function closer(a: PolicyMiss, b: PolicyMiss): boolean {
  if (a.rank !== undefined && b.rank !== undefined) return a.rank < b.rank;
  return (a.stopped?.[0]?.groups ?? 0) > (b.stopped?.[0]?.groups ?? 0);
}

/** Each keep policy's nearest miss for a deleted image, in the policies' order. */
export function historyMisses(n: ImageNode, m: ImageCommits, ctx: MissContext): PolicyMiss[] {
  const sightings = ctx.walk.sightings.get(n.digest);
  return ctx.policies.map((p) => policyMiss(n, m, p, sightings, ctx));
}

function policyMiss(n: ImageNode, m: ImageCommits, p: PolicySelection, sightings: readonly HistoryKeep[] | undefined, ctx: MissContext): PolicyMiss {
  const met = sightings?.filter((s) => s.selected.position.index === p.position.index);
  if (met && met.length > 0) return metMiss(met, ctx.now);
  return goneMiss(n, p, ctx) ?? notSelectedMiss(n, m, p, ctx.now) ?? unreachedMiss(n.digest, m, p, ctx);
}

/** A selected reference met the image: the newest such group, beyond `last` or outside `in`. */
function metMiss(met: readonly HistoryKeep[], now: Date): PolicyMiss {
  const nearest = met.reduce((a, b) => (b.rank < a.rank ? b : a));
  const g = groupFinding(nearest, false);
  const outcome: MissOutcome = !g.inWindow && g.limit.in !== undefined ? 'outside-in' : 'beyond-last';
  return { policy: g.policy, outcome, reference: g.reference, rank: g.rank, commit: g.commit, limit: g.limit, detail: missedGroupText(g, now) };
}

/**
 * A branch policy whose pattern matches one of the image's tags while no branch of that name (or slug)
 * exists: the image was built for a branch that is gone. Only branches: werf tags images by branch
 * slug, not by git tag; `latest`, SHA-shaped tags and git tag names are not taken for branch names.
 */
function goneMiss(n: ImageNode, p: PolicySelection, ctx: MissContext): PolicyMiss | undefined {
  const { kind, pattern } = p.policy.references;
  if (kind !== 'branch') return undefined;
  for (const tag of n.tags) {
    if (tag === 'latest' || ctx.names.branch.has(tag) || ctx.names.tag.has(tag) || shaFromTag(tag, []) !== undefined || !matchesName(pattern, tag)) continue;
    const detail = `branch ${tag} no longer exists (no branch of that name or slug; ${policyLabel(p.position)} selects branches ${formatNamePattern(pattern)})`;
    return { policy: p.position, outcome: 'reference-gone', reference: { kind, name: tag }, detail };
  }
  return undefined;
}

/** A matching reference at the image's commit, or named like the image, that `references.limit` leaves out. */
function notSelectedMiss(n: ImageNode, m: ImageCommits, p: PolicySelection, now: Date): PolicyMiss | undefined {
  const limit = p.policy.references.limit;
  if (!limit) return undefined;
  for (const match of p.matches.values()) {
    if (match.passed) continue;
    const { ref } = match;
    if (!m.commits.includes(ref.commit) && !n.tags.includes(ref.name) && !n.tags.includes(slugify(ref.name))) continue;
    const age = now.getTime() - ref.date.getTime();
    const outside = limit.in !== undefined && age >= limit.in;
    const why = outside
      ? `last commit ${spokenAge(age)} ago, outside in: ${formatDuration(limit.in ?? 0)}`
      : `the ${ordinal(match.rank)} newest matching ${ref.kind}, beyond last: ${limit.last ?? '∞'}`;
    const detail = `${referenceLabel(ref)} is not selected: ${why} (references.limit of ${policyLabel(p.position)}: ${limitText(limit)})`;
    return { policy: p.position, outcome: 'reference-not-selected', reference: { kind: ref.kind, name: ref.name }, referenceRank: match.rank, limit, detail };
  }
  return undefined;
}

/** No selected reference of the policy met the image: none reaches it, or they stopped at their limits first. */
function unreachedMiss(digest: Digest, m: ImageCommits, p: PolicySelection, ctx: MissContext): PolicyMiss {
  const { kind, pattern } = p.policy.references;
  const plural = kind === 'tag' ? 'git tags' : 'branches';
  const commit = m.commits.map((c) => c.replace(/^unresolved:/, '').slice(0, 7)).join(', ');
  if (p.selected === 0) {
    const detail = p.matches.size === 0
      ? `${policyLabel(p.position)}: no ${kind === 'tag' ? 'git tag' : 'branch'} matches ${formatNamePattern(pattern)}`
      : `${policyLabel(p.position)}: none of the ${p.matches.size} ${plural} matching ${formatNamePattern(pattern)} is left to it (references.limit, or a later policy selects them)`;
    return { policy: p.position, outcome: 'no-reference', detail };
  }
  const states = ctx.statesByPolicy.get(p.position.index) ?? [];
  const stopped = ctx.walk.watched.has(digest) || kind === 'tag' ? [] : states.filter((s) => s.stoppedBy === 'last' || s.stoppedBy === 'in');
  if (stopped.length === 0) {
    const which = states.length === 1 ? referenceLabel(states[0]!.selected.ref) : `none of its ${states.length} selected ${plural}`;
    const verb = kind === 'tag' ? (states.length === 1 ? 'does not point at' : 'points at') : states.length === 1 ? 'does not reach' : 'reaches';
    return { policy: p.position, outcome: 'not-reached', detail: `${policyLabel(p.position)}: ${which} ${verb} commit ${commit}` };
  }
  const list = stopped.map(stoppedReference).sort((a, b) => b.groups - a.groups);
  const names = list.slice(0, 3).map((r) => referenceLabel(r.reference)).join(', ') + (list.length > 3 ? ` and ${list.length - 3} more` : '');
  const newest = list[0]?.lastKept;
  const back = list.length === 1 && newest ? `, back to ${newest.id.slice(0, 7)} of ${newest.date.toISOString().slice(0, 10)}` : '';
  const detail = `not among the image groups ${names} ${list.length === 1 ? 'keeps' : 'keep'} (${policyLabel(p.position)}: ` +
    `${limitText((stopped[0] as RefState).selected.images)}${back})`;
  return { policy: p.position, outcome: 'walk-stopped', stopped: list, detail };
}

function stoppedReference(s: RefState): StoppedReference {
  const { ref } = s.selected;
  const last = s.lastKept;
  return {
    reference: { kind: ref.kind, name: ref.name }, groups: s.taken, stoppedBy: s.stoppedBy === 'in' ? 'in' : 'last',
    ...(last ? { lastKept: { id: last.id, date: last.date } } : {}),
  };
}
