/**
 * The plan's two lists, in digest order: kept images with their reasons in a fixed order, deletions
 * with why nothing kept them and what must go first (docs/cleanup-semantics.md §6); and the purge plan.
 */
import type { Digest, ListedImage } from '../ports.js';
import type { ImageGraph, ImageNode } from '../graph/graph.js';
import { deletionDecision, type DecisionContext } from './deletion-decision.js';
import type { ImageCommits } from './mapping.js';
import { imageTime } from './reasons.js';
import { REASON_ORDER, type DeletionItem, type KeptImage, type Plan, type PlannedImage, type Reason, type ReasonName } from './types.js';

/** Splits the listed digests into kept (a reason holds) and deleted, both sorted by digest. */
export function splitKeptAndDeleted(graph: ImageGraph, reasons: ReadonlyMap<Digest, Reason[]>, mapping: ReadonlyMap<Digest, ImageCommits>, why: DecisionContext): { kept: KeptImage[]; toDelete: DeletionItem[] } {
  // One sort of the listed digests; both lists are then filled in digest order.
  const listedDigests: Digest[] = [];
  for (const n of graph.nodes.values()) if (n.listed) listedDigests.push(n.digest);
  listedDigests.sort();
  const deleting = (d: Digest): boolean => !reasons.has(d) && graph.nodes.get(d)?.listed !== undefined;
  const kept: KeptImage[] = [];
  const toDelete: DeletionItem[] = [];
  for (const d of listedDigests) {
    const n = graph.nodes.get(d) as ImageNode;
    const m = mapping.get(d);
    const base = plannedImage(n, n.listed as ListedImage, m);
    const r = reasons.get(d);
    if (r) {
      const k = base as KeptImage;
      k.reasons = inReasonOrder(r);
      kept.push(k);
    } else {
      const del = base as DeletionItem;
      const { decision, why: sentence } = deletionDecision(n, m, graph, why);
      del.why = sentence;
      del.decision = decision;
      del.after = mustGoFirst(n, deleting);
      toDelete.push(del);
    }
  }
  return { kept, toDelete };
}

const byDigest = (a: { digest: string }, b: { digest: string }): number => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);

const REASON_RANK = new Map<ReasonName, number>(REASON_ORDER.map((r, i) => [r, i]));
const rank = (r: Reason): number => REASON_RANK.get(r.reason) ?? -1;

/** A copy in REASON_ORDER (a stable sort, skipped when the list is in order already). */
function inReasonOrder(list: readonly Reason[]): Reason[] {
  for (let i = 1; i < list.length; i++) {
    if (rank(list[i - 1] as Reason) > rank(list[i] as Reason)) return list.slice().sort((a, b) => rank(a) - rank(b));
  }
  return list.slice();
}

/** Keys in a fixed order (digest, tags, kind, listed, platform, builtAt, commits), as reports serialise them. */
function plannedImage(n: ImageNode, listed: ListedImage, m: ImageCommits | undefined): PlannedImage {
  const p: PlannedImage = { digest: n.digest, tags: n.tags.slice(), kind: n.kind, listed };
  if (n.platform) p.platform = n.platform;
  const built = imageTime(n);
  if (built) p.builtAt = built;
  if (m) p.commits = { ids: m.commits, via: m.via };
  return p;
}

/** Order (§6): its attachments and the indexes that list it are deleted before it. */
function mustGoFirst(n: ImageNode, deleting: (d: Digest) => boolean): Digest[] {
  const out: Digest[] = [];
  for (const d of n.attachments) if (deleting(d)) out.push(d);
  for (const d of n.parents) if (deleting(d)) out.push(d);
  return out;
}

/** Purge (§6): every listed digest is deleted, in the safe order. */
export function planPurge(registry: { name: string }, graph: ImageGraph, now: Date): Plan {
  const deleting = new Set<Digest>();
  for (const n of graph.nodes.values()) if (n.listed) deleting.add(n.digest);
  const toDelete: DeletionItem[] = [];
  for (const n of graph.nodes.values()) {
    if (!n.listed) continue;
    toDelete.push({ ...plannedImage(n, n.listed, undefined), why: 'purge: every image of the repository is deleted', decision: { cause: 'purge', rule: 'purge' }, after: mustGoFirst(n, (d) => deleting.has(d)) });
  }
  toDelete.sort(byDigest);
  return { registry: registry.name, now, kept: [], delete: toDelete, untag: [], warnings: [], stats: { images: deleting.size, refs: 0, selectedRefs: 0, commitsRead: 0, commitsVisited: 0 } };
}
