/**
 * Why no keep policy kept a mapped image (cleanup-semantics.md §4): each policy's nearest miss, from
 * what the reference selection and the history walk recorded — never worked out again beside them.
 * Nearest first: a selected reference met the image beyond its limits; a matching reference is not
 * selected; no selected reference reaches the commit. Apart from the misses: the branches its tags name
 * that are gone (goneBranches).
 */
import type { Digest, GitRef } from '../ports.js';
import { formatNamePattern, matchesName } from '../policy/pattern.js';
import { formatDuration } from '../policy/duration.js';
import type { ImageNode } from '../graph/graph.js';
import type { Limit } from '../policy/types.js';
import type { LinearRegex } from '../util/linear-regex.js';
import { day, limitText, missedGroupText, ordinal, policyLabel, referenceLabel, shortCommit, spokenAge } from './decision-text.js';
import { shaFromTag, slugify, type ImageCommits } from './mapping.js';
import type { RefState } from './ref-state.js';
import type { PolicyMatch, PolicySelection } from './select-refs.js';
import type { GroupFinding, MissOutcome, PolicyMiss, StoppedReference } from './types.js';
import type { HistoryKeep, WalkResult } from './walk.js';

/** What the misses of one policy are worked out from, prepared once per plan (not once per image). */
interface PolicyFacts {
  /** The states of the references it selected. */
  states: readonly RefState[];
  /** Those that stopped at `last` or `in`, most image groups first; the sentence naming them. */
  stopped: readonly StoppedReference[];
  /** The misses every image of the policy shares when nothing is known about it in particular (one object each). */
  walkStopped: PolicyMiss | undefined;
  notReached: PolicyMiss;
  noReference: PolicyMiss;
  /** Matching references `references.limit` leaves out, by tip commit and by name (and slug). */
  unselectedByCommit: ReadonlyMap<string, PolicyMatch>;
  unselectedByName: ReadonlyMap<string, PolicyMatch>;
}

/** What every miss of one run is worked out from, prepared once. */
export interface MissContext {
  policies: readonly PolicySelection[];
  walk: WalkResult;
  now: Date;
  /** Branch and git tag names, and branch slugs, by kind. */
  names: { branch: ReadonlySet<string>; tag: ReadonlySet<string> };
  /** Per policy index. */
  facts: ReadonlyMap<number, PolicyFacts>;
  /** The policy's commit-tag patterns (a tag they match names a commit, not a branch). */
  tagPatterns: readonly LinearRegex[];
  /**
   * The misses of an image no selected reference met and no unselected one names (most deleted images):
   * the same list for all of them, made on first use and shared, with its nearest miss.
   */
  unmet?: { misses: readonly PolicyMiss[]; nearest: PolicyMiss | undefined };
  /** A matching reference left out by `references.limit` is the same miss for every image it names: one object each. */
  notSelected: Map<PolicyMatch, PolicyMiss>;
  /**
   * The tip commits and names (and slugs) of every policy's left-out references, together: an image whose
   * commits and tags are none of them has no such miss (one lookup each instead of one per policy).
   */
  unselected: { commits: ReadonlySet<string>; names: ReadonlySet<string> };
  /**
   * The end of the `why` sentence of images mapped by their revision label whose tags name no gone branch,
   * by nearest miss: ` (revision label): <the miss>`, made once and shared.
   */
  labelTails: Map<PolicyMiss | undefined, string>;
}

/** How many stopped references a miss lists (the JSON's `stoppedCount` says how many there were). */
const STOPPED_LISTED = 3;

export function missContext(policies: readonly PolicySelection[], walk: WalkResult, refs: readonly GitRef[], now: Date, tagPatterns: readonly LinearRegex[]): MissContext {
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
  const facts = new Map<number, PolicyFacts>();
  const unselected = { commits: new Set<string>(), names: new Set<string>() };
  for (const p of policies) {
    const f = policyFacts(p, statesByPolicy.get(p.position.index) ?? []);
    facts.set(p.position.index, f);
    // The policies notSelectedMiss looks at.
    if (!p.policy.references.limit || f.unselectedByName.size === 0) continue;
    for (const c of f.unselectedByCommit.keys()) unselected.commits.add(c);
    for (const name of f.unselectedByName.keys()) unselected.names.add(name);
  }
  return { policies, walk, now, names: { branch, tag }, facts, tagPatterns, notSelected: new Map(), unselected, labelTails: new Map() };
}

function policyFacts(p: PolicySelection, states: readonly RefState[]): PolicyFacts {
  const { kind, pattern } = p.policy.references;
  const label = policyLabel(p.position);
  // A git tag looks at its own commit only: it has seen all it ever will (what it met there is a sighting).
  const stopped = kind === 'tag' ? [] : states.filter((s) => s.stoppedBy === 'last' || s.stoppedBy === 'in').map(stoppedReference).sort((a, b) => b.groups - a.groups);
  const names = stopped.slice(0, STOPPED_LISTED).map((r) => referenceLabel(r.reference)).join(', ') +
    (stopped.length > STOPPED_LISTED ? ` and ${stopped.length - STOPPED_LISTED} more` : '');
  const newest = stopped[0]?.lastKept;
  const back = stopped.length === 1 && newest ? `, back to ${shortCommit(newest.id)} of ${day(newest.date)}` : '';
  const walkStopped: PolicyMiss | undefined = stopped.length === 0 ? undefined : {
    policy: p.position, outcome: 'walk-stopped', stopped: stopped.slice(0, STOPPED_LISTED), stoppedCount: stopped.length,
    detail: `not among the image groups ${names} ${stopped.length === 1 ? 'keeps' : 'keep'} (${label}: ${limitText(p.policy.imagesPerReference)}${back})`,
  };
  const plural = kind === 'tag' ? 'git tags' : 'branches';
  const which = states.length === 1 ? referenceLabel((states[0] as RefState).selected.ref) : `none of its ${states.length} selected ${plural}`;
  const matching = p.matches.size === 1 ? `the one ${kind === 'tag' ? 'git tag' : 'branch'}` : `none of the ${p.matches.size} ${plural}`;
  const verb = kind === 'tag' ? (states.length === 1 ? 'does not point at' : 'points at') : states.length === 1 ? 'does not reach' : 'reaches';
  const notReached: PolicyMiss = { policy: p.position, outcome: 'not-reached', detail: `${label}: ${which} ${verb} its commit` };
  const noReference: PolicyMiss = {
    policy: p.position, outcome: 'no-reference',
    detail: p.matches.size === 0
      ? `${label}: no ${kind === 'tag' ? 'git tag' : 'branch'} matches ${formatNamePattern(pattern)}`
      : `${label}: ${matching} matching ${formatNamePattern(pattern)} ${p.matches.size === 1 ? 'is not' : 'is'} left to it (references.limit, or a later policy selects ${p.matches.size === 1 ? 'it' : 'them'})`,
  };
  const unselectedByCommit = new Map<string, PolicyMatch>();
  const unselectedByName = new Map<string, PolicyMatch>();
  if (p.policy.references.limit) {
    for (const match of p.matches.values()) {
      if (match.passed) continue;
      if (!unselectedByCommit.has(match.ref.commit)) unselectedByCommit.set(match.ref.commit, match);
      unselectedByName.set(match.ref.name, match);
      if (!unselectedByName.has(slugify(match.ref.name))) unselectedByName.set(slugify(match.ref.name), match);
    }
  }
  return { states, stopped, walkStopped, notReached, noReference, unselectedByCommit, unselectedByName };
}

export function groupFinding(k: HistoryKeep, kept: boolean): GroupFinding {
  const { selected } = k;
  return {
    policy: selected.position, reference: selected.reference,
    commit: { id: k.commit.id, date: k.commit.date }, rank: k.rank, limit: selected.images, inWindow: k.inWindow, kept,
  };
}

const ORDER: readonly MissOutcome[] = ['beyond-last', 'outside-in', 'reference-not-selected', 'walk-stopped', 'not-reached', 'no-reference'];

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
  // How far past its policy's `last` each group is (a policy without `last` missed by date alone).
  if (a.rank !== undefined && b.rank !== undefined) return a.rank - (a.limit?.last ?? 0) < b.rank - (b.limit?.last ?? 0);
  return (a.stopped?.[0]?.groups ?? 0) > (b.stopped?.[0]?.groups ?? 0);
}

/**
 * Each keep policy's nearest miss for a deleted image, in the policies' order, and the nearest of them.
 * An image that no reference met or names gets the list every such image shares (ctx.unmet).
 */
export function historyMisses(n: ImageNode, m: ImageCommits, ctx: MissContext): { misses: readonly PolicyMiss[]; nearest: PolicyMiss | undefined } {
  const sightings = ctx.walk.sightings.size > 0 ? ctx.walk.sightings.get(n.digest) : undefined;
  if (!sightings && (ctx.walk.watched.size === 0 || !ctx.walk.watched.has(n.digest)) && (!namesUnselected(n, m, ctx) || ctx.policies.every((p) => notSelectedMiss(n, m, p, ctx) === undefined))) {
    if (!ctx.unmet) {
      const misses = ctx.policies.map((p) => unreachedMiss(n.digest, p, ctx));
      ctx.unmet = { misses, nearest: nearestMiss(misses) };
    }
    return ctx.unmet;
  }
  const misses = ctx.policies.map((p) => policyMiss(n, m, p, sightings, ctx));
  return { misses, nearest: nearestMiss(misses) };
}

function policyMiss(n: ImageNode, m: ImageCommits, p: PolicySelection, sightings: readonly HistoryKeep[] | undefined, ctx: MissContext): PolicyMiss {
  const met = sightings?.filter((s) => s.selected.position.index === p.position.index);
  if (met && met.length > 0) return metMiss(met, ctx.now);
  return notSelectedMiss(n, m, p, ctx) ?? unreachedMiss(n.digest, p, ctx);
}

/** A selected reference met the image: the newest such group, beyond `last` or outside `in`. */
function metMiss(met: readonly HistoryKeep[], now: Date): PolicyMiss {
  const nearest = met.reduce((a, b) => (b.rank < a.rank ? b : a));
  const g = groupFinding(nearest, false);
  const base = { policy: g.policy, reference: g.reference, rank: g.rank, commit: g.commit, limit: g.limit };
  if (g.inWindow && nearest.afterStop === 'in') {
    // Met inside `in` after an older commit outside it: commit dates out of order along the history (§4.5).
    const detail = `${missedGroupText(g, now)}; ${referenceLabel(g.reference)} had already stopped at an older commit outside in: ` +
      `${formatDuration(g.limit.in ?? 0)} (commit dates out of order)`;
    return { ...base, outcome: 'outside-in', detail };
  }
  const outcome: MissOutcome = !g.inWindow && g.limit.in !== undefined ? 'outside-in' : 'beyond-last';
  return { ...base, outcome, detail: missedGroupText(g, now) };
}

/**
 * The branches the image's tags name that are gone: a tag some branch policy's pattern matches, with no
 * branch of that name or slug left. werf tags an image with the slug of the branch it was built for,
 * so such a tag is the branch's name; `latest`, SHA-shaped tags, versions and git tag names are not.
 */
export function goneBranches(n: ImageNode, ctx: MissContext): string[] | undefined {
  let out: string[] | undefined;
  for (let t = 0; t < n.tags.length; t++) {
    const tag = n.tags[t] as string;
    if (!branchLike(tag, ctx)) continue;
    if (ctx.policies.some((p) => p.policy.references.kind === 'branch' && matchesName(p.policy.references.pattern, tag))) (out ??= []).push(tag);
  }
  return out;
}

/** Versions (`1.2.3`, `v2`, `2024.01`) are release tags, not branch names. */
const VERSION_LIKE = /^v?\d+([._-]\d+)*([-+.][0-9A-Za-z.-]*)?$/;

/** Whether a tag reads as a branch name that is gone: not a reference now, not `latest`, not a commit or a version. */
function branchLike(tag: string, ctx: MissContext): boolean {
  // SHA-shaped first: most tags of a registry that tags by commit are, and they need no lookup.
  return tag !== 'latest' && shaFromTag(tag, ctx.tagPatterns) === undefined && !ctx.names.branch.has(tag) && !ctx.names.tag.has(tag) && !VERSION_LIKE.test(tag);
}

/** Whether one of the image's commits or tags is a left-out reference's tip or name, for some policy. */
function namesUnselected(n: ImageNode, m: ImageCommits, ctx: MissContext): boolean {
  const { commits, names } = ctx.unselected;
  if (names.size === 0) return false;
  for (let i = 0; i < m.ids.length; i++) if (commits.has(m.ids[i] as string)) return true;
  for (let i = 0; i < n.tags.length; i++) if (names.has(n.tags[i] as string)) return true;
  return false;
}

/** A matching reference at the image's commit, or named like the image, that `references.limit` leaves out. */
function notSelectedMiss(n: ImageNode, m: ImageCommits, p: PolicySelection, ctx: MissContext): PolicyMiss | undefined {
  const limit = p.policy.references.limit;
  const facts = ctx.facts.get(p.position.index);
  if (!limit || !facts || facts.unselectedByName.size === 0) return undefined;
  let match: PolicyMatch | undefined;
  for (const c of m.ids) if ((match = facts.unselectedByCommit.get(c))) break;
  if (!match) for (const t of n.tags) if ((match = facts.unselectedByName.get(t))) break;
  if (!match) return undefined;
  let miss = ctx.notSelected.get(match);
  if (!miss) ctx.notSelected.set(match, (miss = notSelectedText(match, limit, p, ctx.now)));
  return miss;
}

function notSelectedText(match: PolicyMatch, limit: Limit, p: PolicySelection, now: Date): PolicyMiss {
  const { ref } = match;
  const age = now.getTime() - ref.date.getTime();
  const outside = limit.in !== undefined && age >= limit.in;
  const why = outside
    ? `${ref.kind === 'tag' ? 'tagged' : 'last commit'} ${spokenAge(age)} ago, outside in: ${formatDuration(limit.in ?? 0)}`
    : `the ${ordinal(match.rank)} newest matching ${ref.kind}, beyond last: ${limit.last ?? '∞'}`;
  const detail = `${referenceLabel(ref)} is not selected: ${why} (references.limit of ${policyLabel(p.position)}: ${limitText(limit)})`;
  return { policy: p.position, outcome: 'reference-not-selected', reference: { kind: ref.kind, name: ref.name }, referenceRank: match.rank, limit, detail };
}

/**
 * No selected reference of the policy met the image: none reaches it, or they stopped at their limits
 * first. The same for every such image of the policy, so one object serves them all.
 */
function unreachedMiss(digest: Digest, p: PolicySelection, ctx: MissContext): PolicyMiss {
  const facts = ctx.facts.get(p.position.index) as PolicyFacts;
  if (p.selected === 0) return facts.noReference;
  // A reference that stopped at its limit has not seen what lies behind it; explain walks on for the images it watches.
  return facts.walkStopped && !ctx.walk.watched.has(digest) ? facts.walkStopped : facts.notReached;
}

function stoppedReference(s: RefState): StoppedReference {
  const { ref } = s.selected;
  const last = s.lastKept;
  return {
    reference: { kind: ref.kind, name: ref.name }, groups: s.taken, stoppedBy: s.stoppedBy === 'in' ? 'in' : 'last',
    ...(last ? { lastKept: { id: last.id, date: last.date } } : {}),
  };
}
