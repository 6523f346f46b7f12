/**
 * Stale tags of kept digests (cleanup-semantics.md §5.1): a SHA-shaped tag (§3.2) naming a
 * commit the history no longer holds, on a digest that is kept for other reasons and keeps at least
 * one other tag. Such a tag may be removed alone where the registry can remove a tag without its
 * digest; elsewhere it stays and the report says why. A tag the keep-list or a workload names is
 * never stale. A bare hex tag that resolves to nothing is an ordinary name, never stale.
 */
import type { GitHistory } from '../ports.js';
import type { LinearRegex } from '../util/linear-regex.js';
import { shaFromTag } from './mapping.js';
import { keepListHit, type KeepList } from './reasons.js';
import type { KeptImage, Reason, StaleTag } from './types.js';

/**
 * What this plan learnt of the history already (the same history, moments before): commits the walk
 * read, and abbreviated ids the mapping had resolved. Only the rest is asked again. Only what is held
 * is taken as known: an answer that would make a tag stale (a commit or prefix not found) is always the
 * history's own, asked now (a history may answer a prefix once it has read more of itself).
 */
export interface KnownHistory {
  /** True when the history is known to hold the commit; false: not known. */
  holds(id: string): boolean;
  /** The full id the prefix is known to resolve to; undefined: not known. */
  resolves(prefix: string): string | undefined;
}

const NOTHING_KNOWN: KnownHistory = { holds: () => false, resolves: () => undefined };

export async function findStaleTags(
  kept: readonly KeptImage[],
  history: GitHistory,
  tagPatterns: readonly LinearRegex[],
  keepList: KeepList,
  known: KnownHistory = NOTHING_KNOWN,
): Promise<StaleTag[]> {
  // The SHA tags that may be stale, in the images' and tags' order: those whose commit is known to be held are
  // left out at once; for the others the history is asked below.
  type Candidate = { image: KeptImage; tag: string; full?: string; prefix?: string };
  const candidates: Candidate[] = [];
  for (let i = 0; i < kept.length; i++) {
    const image = kept[i] as KeptImage;
    if (image.tags.length < 2 || image.kind === 'attachment') continue;
    for (let t = 0; t < image.tags.length; t++) {
      const tag = image.tags[t] as string;
      const c = shaFromTag(tag, tagPatterns);
      if (!c?.full && !c?.prefix) continue;
      if (namedByReason(image.reasons, tag) || keepListHit(keepList, tag)) continue;
      if (c.full) {
        if (!known.holds(c.full)) candidates.push({ image, tag, full: c.full });
      } else if (known.resolves(c.prefix as string) === undefined) candidates.push({ image, tag, prefix: c.prefix });
    }
  }
  if (candidates.length === 0) return [];
  const fulls = new Set<string>();
  const prefixes = new Set<string>();
  for (const c of candidates) {
    if (c.full !== undefined) fulls.add(c.full);
    else if (c.prefix !== undefined) prefixes.add(c.prefix);
  }
  const held = fulls.size > 0 ? await history.commits([...fulls]) : new Map();
  const resolved = prefixes.size > 0 ? await history.resolvePrefixes([...prefixes]) : new Map<string, string>();
  const gone = candidates.filter((c) => (c.full !== undefined ? !held.has(c.full) : !resolved.has(c.prefix as string)));

  const out: StaleTag[] = [];
  const byImage = new Map<KeptImage, Candidate[]>();
  for (const c of gone) byImage.set(c.image, [...(byImage.get(c.image) ?? []), c]);
  for (const [image, list] of byImage) {
    // A digest keeps at least one tag: stale tags are removed only beside a tag that stays.
    if (list.length >= image.tags.length) continue;
    for (const c of list) {
      out.push({ digest: image.digest, tag: c.tag, listed: image.listed, why: `names commit ${(c.full ?? c.prefix ?? '').slice(0, 12)}, which the history no longer holds; the digest stays for its other tags` });
    }
  }
  return out;
}

/** Whether a reason names the tag (in use by it, on the keep list by it); a loop, no closure per tag. */
function namedByReason(reasons: readonly Reason[], tag: string): boolean {
  for (let i = 0; i < reasons.length; i++) if ((reasons[i] as Reason).tag === tag) return true;
  return false;
}
