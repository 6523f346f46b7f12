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
import type { BlobRef, ImageGraph, ImageNode } from '../graph/graph.js';

/** Adds the blobs `n` and (an index) its children name to `into`; `seen` guards the children only. */
function addBlobs(graph: ImageGraph, n: ImageNode, into: Map<Digest, number>, seen: Set<Digest>): void {
  for (let i = 0; i < n.blobs.length; i++) {
    const b = n.blobs[i] as BlobRef;
    into.set(b.digest, b.size);
  }
  for (let i = 0; i < n.children.length; i++) {
    const c = n.children[i] as Digest;
    const child = graph.nodes.get(c);
    if (seen.has(c) || !child) continue;
    seen.add(c);
    addBlobs(graph, child, into, seen);
  }
}

/** Removes from `from` the blobs `n` and its children name. */
function dropBlobs(graph: ImageGraph, n: ImageNode, from: Map<Digest, number>): void {
  for (const b of n.blobs) from.delete(b.digest);
  for (const c of n.children) {
    const child = graph.nodes.get(c);
    if (child) dropBlobs(graph, child, from);
  }
}

/** Bytes freed by deleting `deleted` while `kept` stay; undefined when no deleted image's manifest gave sizes. */
export function freedBytes(graph: ImageGraph, kept: readonly ImageNode[], deleted: readonly ImageNode[]): number | undefined {
  const gone = new Map<Digest, number>();
  const seen = new Set<Digest>();
  for (let i = 0; i < deleted.length; i++) addBlobs(graph, deleted[i] as ImageNode, gone, seen);
  if (gone.size === 0) return undefined;
  for (let i = 0; i < kept.length; i++) {
    dropBlobs(graph, kept[i] as ImageNode, gone);
    if (gone.size === 0) return 0;
  }
  let total = 0;
  for (const size of gone.values()) total += size;
  return total;
}

/** Unlisted children of deleted indexes that neither a kept image is nor a kept index names: left for the garbage collector. */
export function childrenLeftBehind(graph: ImageGraph, isKept: (d: Digest) => boolean, deleted: readonly ImageNode[]): number {
  const left = new Set<Digest>();
  for (let i = 0; i < deleted.length; i++) {
    const { children } = deleted[i] as ImageNode;
    for (let j = 0; j < children.length; j++) {
      const c = children[j] as Digest;
      const child = graph.nodes.get(c);
      if (child?.listed === undefined && !isKept(c) && !(child?.parents ?? []).some(isKept)) left.add(c);
    }
  }
  return left.size;
}
