/**
 * What a plan's deletions free, as an estimate from the manifests (the summary's bytes): the
 * sizes of the configs and layers that deleted images (and the children of deleted indexes) name and
 * that no kept image (or child of a kept index) names, each blob counted once. A registry stores a blob
 * once for every repository, so blobs shared with another repository are counted here although they
 * stay; and only images whose manifests were read take part. Also what deleting leaves behind on a
 * registry that does not list untagged manifests: the children of deleted indexes, which stay until
 * its garbage collector runs.
 */
import type { Digest } from '../ports.js';
import type { ImageGraph } from '../graph/graph.js';

function blobsUnder(graph: ImageGraph, roots: Iterable<Digest>): Map<Digest, number> {
  const blobs = new Map<Digest, number>();
  const seen = new Set<Digest>();
  const stack = [...roots];
  for (let d = stack.pop(); d !== undefined; d = stack.pop()) {
    if (seen.has(d)) continue;
    seen.add(d);
    const n = graph.nodes.get(d);
    if (!n) continue;
    for (const b of n.blobs) blobs.set(b.digest, b.size);
    stack.push(...n.children);
  }
  return blobs;
}

/** Bytes freed by deleting `deleted` while `kept` stay; undefined when no deleted image's manifest gave sizes. */
export function freedBytes(graph: ImageGraph, kept: Iterable<Digest>, deleted: Iterable<Digest>): number | undefined {
  const gone = blobsUnder(graph, deleted);
  if (gone.size === 0) return undefined;
  const staying = blobsUnder(graph, kept);
  let total = 0;
  for (const [digest, size] of gone) if (!staying.has(digest)) total += size;
  return total;
}

/** Unlisted children of deleted indexes that no kept image (or kept index) names: left for the garbage collector. */
export function childrenLeftBehind(graph: ImageGraph, kept: Iterable<Digest>, deleted: Iterable<Digest>): number {
  const staying = new Set<Digest>();
  for (const d of kept) {
    staying.add(d);
    for (const c of graph.nodes.get(d)?.children ?? []) staying.add(c);
  }
  const left = new Set<Digest>();
  for (const d of deleted) {
    for (const c of graph.nodes.get(d)?.children ?? []) if (!staying.has(c) && graph.nodes.get(c)?.listed === undefined) left.add(c);
  }
  return left.size;
}
