/**
 * The reasons each planning unit is kept for (docs/cleanup-semantics.md §4-§5), before closure: in
 * use, recent, its storage role, the keep-list, untagged grace, git history, unmapped. Pure.
 */
import type { Digest } from '../ports.js';
import type { CleanupPolicy } from '../policy/types.js';
import type { ImageNode } from '../graph/graph.js';
import type { KeptReasons } from './kept-reasons.js';
import type { UnitMappings } from './mapping.js';
import { formatAge, imageTimeMs, keepListReason, recentReason, type KeepList } from './reasons.js';
import type { Reason, StorageRole } from './types.js';
import type { WalkResult } from './walk.js';

export interface UnitContext {
  policy: CleanupPolicy;
  now: Date;
  role: StorageRole | undefined;
  keepList: KeepList;
  walk: WalkResult;
  mapping: UnitMappings;
}

/** The role reason of a unit (final: follows the primary; cache: younger than keepFor), if any. */
function roleReason(n: ImageNode, role: StorageRole, nowMs: number): Reason | undefined {
  if (role.kind === 'cache') {
    const t = imageTimeMs(n);
    if (t === undefined) return { reason: 'cache-age', rule: 'cache.keepFor', detail: 'cache repository image of unknown age (kept to be safe)', windowMs: role.keepFor };
    return nowMs - t < role.keepFor
      ? { reason: 'cache-age', rule: 'cache.keepFor', detail: `cache repository image ${formatAge(nowMs - t)} old, younger than its keepFor`, ageMs: nowMs - t, windowMs: role.keepFor }
      : undefined;
  }
  const p = role.primary;
  if (p.keptDigests.has(n.digest)) return { reason: 'primary', rule: 'primary', detail: `the same digest is kept in ${p.repository}`, of: p.repository };
  const tag = n.tags.find((t) => p.keptTags.has(t));
  return tag !== undefined ? { reason: 'primary', rule: 'primary', detail: `tag ${tag} is kept in ${p.repository}`, of: p.repository, tag } : undefined;
}

/** Whether the primary repository decided about this image at all (else the unmapped rule applies). */
export function knownToPrimary(n: ImageNode, role: StorageRole | undefined): boolean {
  return role?.kind === 'final' && (role.primary.knownDigests.has(n.digest) || n.tags.some((t) => role.primary.knownTags.has(t)));
}

export const short = (id: string): string => (id.startsWith('unresolved:') ? id.slice(11) : id.slice(0, 7));

/**
 * Adds every unit's own reasons to `reasons` (which holds the in-use reasons already; `inUse` tells
 * which digests those are, so a unit's list is entered once).
 */
export function addUnitReasons(units: readonly ImageNode[], reasons: KeptReasons, inUse: ReadonlyMap<Digest, unknown>, ctx: UnitContext): void {
  const { policy, now, role, keepList } = ctx;
  const recentHours = policy.disableBuiltWithinLastNHoursPolicy ? 0 : policy.keepImagesBuiltWithinLastNHours;
  const nowMs = now.getTime();
  const { commits } = ctx.mapping;
  const positionOf = ctx.mapping.positions(); // units come in the graph's order
  for (let u = 0; u < units.length; u++) {
    const n = units[u] as ImageNode;
    const position = positionOf(n);
    // The unit's reasons, in the order they are found; entered in `reasons` once, at the end.
    const had = inUse.size > 0 && inUse.has(n.digest) ? reasons.of(n) : undefined;
    let list = had;
    const recent = recentReason(n, now, recentHours);
    if (recent) (list ??= []).push(recent);
    const byRole = role ? roleReason(n, role, nowMs) : undefined;
    if (byRole) (list ??= []).push(byRole);
    if (role?.kind === 'cache') {
      const listed = keepListReason(n, keepList);
      if (listed) (list ??= []).push(listed);
    } else if (n.tags.length === 0) {
      const grace = untaggedGrace(n, policy, nowMs);
      if (grace) (list ??= []).push(grace);
    } else {
      const listed = keepListReason(n, keepList);
      if (listed) (list ??= []).push(listed);
      const history = position >= 0 ? ctx.walk.kept[position] : undefined;
      if (history) list = list ? (list.push(...history), list) : history;
      // A final repository's image the primary never listed is treated like an unmapped one.
      const unmapped = (role?.kind === 'final' ? !knownToPrimary(n, role) : (position < 0 || commits[position] === undefined)) ? unmappedReason(n, policy, nowMs) : undefined;
      if (unmapped) (list ??= []).push(unmapped);
    }
    if (list && !had) reasons.set(n, list);
  }
}

function untaggedGrace(n: ImageNode, policy: CleanupPolicy, nowMs: number): Reason | undefined {
  const keepFor = policy.untagged.keepFor ?? Number.POSITIVE_INFINITY;
  const t = imageTimeMs(n);
  if (keepFor <= 0 || (t !== undefined && nowMs - t >= keepFor)) return undefined;
  const age = t !== undefined ? { ageMs: nowMs - t } : {};
  const window = Number.isFinite(keepFor) ? { windowMs: keepFor } : {};
  return { reason: 'untagged-grace', rule: 'cleanup.untagged.keepFor', detail: t !== undefined ? `untagged for less than untagged.keepFor (${formatAge(nowMs - t)} old)` : 'untagged, age unknown', ...age, ...window };
}

function unmappedReason(n: ImageNode, policy: CleanupPolicy, nowMs: number): Reason | undefined {
  const keepFor = policy.unmapped.keepFor;
  const t = imageTimeMs(n);
  if (keepFor !== undefined && t !== undefined && nowMs - t >= keepFor) return undefined;
  return {
    reason: 'unmapped',
    rule: 'cleanup.unmapped.keepFor',
    detail: 'no commit could be found for it (no revision label, and no tag names a commit, a branch or a git tag: docs/cleanup-semantics.md §3); ' +
      `unmapped images are kept${keepFor === undefined ? '' : ' while younger than unmapped.keepFor'}`,
    ...(t !== undefined ? { ageMs: nowMs - t } : {}),
    ...(keepFor !== undefined ? { windowMs: keepFor } : {}),
  };
}
