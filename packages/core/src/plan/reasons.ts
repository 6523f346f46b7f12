/** The keep reasons other than git history (cleanup-semantics.md §5): in-use, recent, keep-list. */
import type { ClusterImageUse, Digest } from '../ports.js';
import type { ImageGraph, ImageNode } from '../graph/graph.js';
import { parseImageReference, repositoryKey, type ImageReference } from '../image-ref.js';
import type { Reason } from './types.js';
import { tagGlobMatcher } from '../policy/pattern.js';

/** The workload uses whose image is in this repository (`imageReference`), each with its parsed reference. */
export function usesOfRepository(imageReference: string | undefined, uses: readonly ClusterImageUse[]): Array<{ use: ClusterImageUse; ref: ImageReference }> {
  const repo = imageReference ? parseImageReference(imageReference) : undefined;
  if (!repo) return [];
  const key = repositoryKey(repo);
  const ours: Array<{ use: ClusterImageUse; ref: ImageReference }> = [];
  for (const use of uses) {
    const ref = parseImageReference(use.image);
    if (ref && repositoryKey(ref) === key) ours.push({ use, ref });
  }
  return ours;
}

/** In-use: a reference by digest protects that digest; by tag, the digest the tag points to now. */
export function inUseReasons(graph: ImageGraph, imageReference: string | undefined, uses: readonly ClusterImageUse[]): Map<Digest, Reason[]> {
  const out = new Map<Digest, Reason[]>();
  const ours = usesOfRepository(imageReference, uses);
  if (ours.length === 0) return out;
  // Only the tags some workload names; the last node holding a tag wins, as in a full index.
  const wanted = new Set<string>();
  for (const { ref } of ours) if (!ref.digest) wanted.add(ref.tag ?? 'latest');
  const byTag = new Map<string, Digest>();
  if (wanted.size > 0) {
    graph.nodes.forEach((n) => {
      for (let i = 0; i < n.tags.length; i++) if (wanted.has(n.tags[i] as string)) byTag.set(n.tags[i] as string, n.digest);
    });
  }
  for (const { use, ref } of ours) {
    const digest = ref.digest ?? byTag.get(ref.tag ?? 'latest');
    if (!digest || !graph.nodes.has(digest)) continue;
    const w = use.where;
    const list = out.get(digest) ?? [];
    const r: Reason = { reason: 'in-use', rule: 'kubernetes', detail: `${w.kind} ${w.namespace}/${w.name} in context ${w.context} runs ${use.image}`, where: w };
    if (!ref.digest) r.tag = ref.tag ?? 'latest';
    list.push(r);
    out.set(digest, list);
  }
  return out;
}

/** The newest of the image's build time and the registry's push time, in epoch milliseconds. */
export function imageTimeMs(n: ImageNode): number | undefined {
  return imageTime(n)?.getTime();
}

const validDate = (d: Date | undefined): Date | undefined => (d === undefined || Number.isNaN(d.getTime()) ? undefined : d);

/** The newest of the image's build time and the registry's push time: one of those two Date objects, not a copy. */
export function imageTime(n: ImageNode): Date | undefined {
  const created = validDate(n.created);
  const pushed = validDate(n.listed?.pushedAt);
  if (created === undefined) return pushed;
  return pushed !== undefined && pushed.getTime() > created.getTime() ? pushed : created;
}

export function formatAge(ms: number): string {
  const h = ms / 3_600_000;
  if (h < 1) return `${Math.max(0, Math.round(ms / 60_000))}m`;
  if (h < 48) return `${Math.round(h)}h`;
  return `${Math.round(h / 24)}d`;
}

export function recentReason(n: ImageNode, now: Date, hours: number): Reason | undefined {
  if (hours <= 0) return undefined;
  const t = imageTimeMs(n);
  if (t === undefined) return undefined;
  const age = now.getTime() - t;
  return age < hours * 3_600_000
    ? { reason: 'recent', rule: 'cleanup.keepImagesBuiltWithinLastNHours', detail: `built or pushed ${formatAge(age)} ago, within keepImagesBuiltWithinLastNHours: ${hours}`, ageMs: age, windowMs: hours * 3_600_000 }
    : undefined;
}

export type KeepList = Array<{ glob: string; matches: (tag: string) => boolean }>;

/** Compiles keep-list globs once, with the policy module's glob options. */
export function compileKeepList(globs: readonly string[]): KeepList {
  return globs.map((glob) => ({ glob, matches: tagGlobMatcher([glob]) }));
}

/** The first keep-list entry the tag matches (a loop, no closure per tag: this runs for tags of every image). */
export function keepListHit(keepList: KeepList, tag: string): KeepList[number] | undefined {
  for (let k = 0; k < keepList.length; k++) if ((keepList[k] as KeepList[number]).matches(tag)) return keepList[k];
  return undefined;
}

export function keepListReason(n: ImageNode, keepList: KeepList): Reason | undefined {
  for (let t = 0; t < n.tags.length && keepList.length > 0; t++) {
    const tag = n.tags[t] as string;
    const hit = keepListHit(keepList, tag);
    if (hit) return { reason: 'keep-list', rule: 'keep-list', detail: `tag ${tag} matches keep-list ${hit.glob}`, glob: hit.glob, tag };
  }
  return undefined;
}
