/** The keep reasons other than git history (policy-semantics.md §5): in-use, recent, keep-list. */
import type { ClusterImageUse, Digest } from '../ports.js';
import type { ImageGraph, ImageNode } from '../graph/graph.js';
import { parseImageReference, repositoryKey } from '../image-ref.js';
import type { Reason } from './types.js';
import { tagGlobMatcher } from '../policy/pattern.js';

/** In-use: a reference by digest protects that digest; by tag, the digest the tag points to now. */
export function inUseReasons(graph: ImageGraph, imageReference: string | undefined, uses: readonly ClusterImageUse[]): Map<Digest, Reason[]> {
  const out = new Map<Digest, Reason[]>();
  const repo = imageReference ? parseImageReference(imageReference) : undefined;
  if (!repo) return out;
  const key = repositoryKey(repo);
  const byTag = new Map<string, Digest>();
  for (const n of graph.nodes.values()) for (const t of n.tags) byTag.set(t, n.digest);
  for (const use of uses) {
    const ref = parseImageReference(use.image);
    if (!ref || repositoryKey(ref) !== key) continue;
    const digest = ref.digest ?? byTag.get(ref.tag ?? 'latest');
    if (!digest || !graph.nodes.has(digest)) continue;
    const w = use.where;
    const list = out.get(digest) ?? [];
    list.push({ reason: 'in-use', detail: `${w.kind} ${w.namespace}/${w.name} in context ${w.context} runs ${use.image}`, where: w });
    out.set(digest, list);
  }
  return out;
}

/** The newest of the image's build time and the registry's push time. */
export function imageTime(n: ImageNode): Date | undefined {
  const times = [n.created?.getTime(), n.listed?.pushedAt?.getTime()].filter((t): t is number => t !== undefined && !Number.isNaN(t));
  return times.length > 0 ? new Date(Math.max(...times)) : undefined;
}

export function formatAge(ms: number): string {
  const h = ms / 3_600_000;
  if (h < 1) return `${Math.max(0, Math.round(ms / 60_000))}m`;
  if (h < 48) return `${Math.round(h)}h`;
  return `${Math.round(h / 24)}d`;
}

export function recentReason(n: ImageNode, now: Date, hours: number): Reason | undefined {
  const t = imageTime(n);
  if (!t || hours <= 0) return undefined;
  const age = now.getTime() - t.getTime();
  return age < hours * 3_600_000 ? { reason: 'recent', detail: `built or pushed ${formatAge(age)} ago, within ${hours}h` } : undefined;
}

export type KeepList = Array<{ glob: string; matches: (tag: string) => boolean }>;

/** Compiles keep-list globs once, with the policy module's glob options. */
export function compileKeepList(globs: readonly string[]): KeepList {
  return globs.map((glob) => ({ glob, matches: tagGlobMatcher([glob]) }));
}

export function keepListReason(n: ImageNode, keepList: KeepList): Reason | undefined {
  for (const tag of n.tags) {
    const hit = keepList.find((k) => k.matches(tag));
    if (hit) return { reason: 'keep-list', detail: `tag ${tag} matches keep-list ${hit.glob}` };
  }
  return undefined;
}
