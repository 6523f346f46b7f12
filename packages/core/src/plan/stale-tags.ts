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
import type { KeepList } from './reasons.js';
import type { KeptImage, StaleTag } from './types.js';

export async function findStaleTags(
  kept: readonly KeptImage[],
  history: GitHistory,
  tagPatterns: readonly LinearRegex[],
  keepList: KeepList,
): Promise<StaleTag[]> {
  type Candidate = { image: KeptImage; tag: string; full?: string; prefix?: string };
  const candidates: Candidate[] = [];
  for (const image of kept) {
    if (image.tags.length < 2 || image.kind === 'attachment') continue;
    const named = new Set(image.reasons.flatMap((r) => (r.tag !== undefined ? [r.tag] : [])));
    for (const tag of image.tags) {
      if (named.has(tag) || keepList.some((k) => k.matches(tag))) continue;
      const c = shaFromTag(tag, tagPatterns);
      if (c?.full) candidates.push({ image, tag, full: c.full });
      else if (c?.prefix) candidates.push({ image, tag, prefix: c.prefix });
    }
  }
  if (candidates.length === 0) return [];
  const fulls = [...new Set(candidates.flatMap((c) => (c.full ? [c.full] : [])))];
  const prefixes = [...new Set(candidates.flatMap((c) => (c.prefix ? [c.prefix] : [])))];
  const held = fulls.length > 0 ? await history.commits(fulls) : new Map();
  const resolved = prefixes.length > 0 ? await history.resolvePrefixes(prefixes) : new Map<string, string>();
  const gone = candidates.filter((c) => (c.full ? !held.has(c.full) : !resolved.has(c.prefix as string)));

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
