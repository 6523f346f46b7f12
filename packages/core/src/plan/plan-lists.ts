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

/** What splitKeptAndDeleted answers: both lists in digest order, and the graph's nodes of each. */
export interface SplitLists {
  kept: KeptImage[];
  toDelete: DeletionItem[];
  keptNodes: ImageNode[];
  deletedNodes: ImageNode[];
}

const NOTHING_FIRST: Digest[] = [];

/**
 * Splits the listed digests into kept (a reason holds) and deleted, both sorted by digest. Each entry is
 * made in one object literal with every key (an absent platform, build time or mapping is `undefined`),
 * so that all entries share one shape: adding keys one by one costs several times as much at 100,000 images.
 */
export function splitKeptAndDeleted(graph: ImageGraph, reasons: ReadonlyMap<Digest, Reason[]>, mapping: ReadonlyMap<Digest, ImageCommits>, why: DecisionContext): SplitLists {
  // One sort of the listed nodes; both lists are then filled in digest order.
  const listed: ImageNode[] = [];
  for (const n of graph.nodes.values()) if (n.listed) listed.push(n);
  sortByDigest(listed);
  const deleting = (d: Digest): boolean => !reasons.has(d) && graph.nodes.get(d)?.listed !== undefined;
  const out: SplitLists = { kept: [], toDelete: [], keptNodes: [], deletedNodes: [] };
  for (const n of listed) {
    const m = mapping.size > 0 ? mapping.get(n.digest) : undefined;
    const r = reasons.get(n.digest);
    if (r) {
      out.kept.push({
        digest: n.digest, tags: n.tags, kind: n.kind, listed: n.listed as ListedImage, platform: n.platform, builtAt: imageTime(n), commits: m,
        reasons: inReasonOrder(r),
      });
      out.keptNodes.push(n);
    } else {
      const { decision, why: sentence } = deletionDecision(n, m, graph, why);
      out.toDelete.push({
        digest: n.digest, tags: n.tags, kind: n.kind, listed: n.listed as ListedImage, platform: n.platform, builtAt: imageTime(n), commits: m,
        why: sentence, decision, after: n.attachments.length + n.parents.length === 0 ? NOTHING_FIRST : mustGoFirst(n, deleting),
      });
      out.deletedNodes.push(n);
    }
  }
  return out;
}

const HEX_DIGITS = 13; // 52 bits: exact in a double
const SHA256 = 'sha256:';

/** The first 13 hex digits of a `sha256:<64 lowercase hex>` digest as a number; -1 for anything else. */
function digestKey(d: string): number {
  if (d.length !== SHA256.length + 64 || !d.startsWith(SHA256)) return -1;
  let key = 0;
  for (let i = SHA256.length; i < SHA256.length + HEX_DIGITS; i++) {
    const c = d.charCodeAt(i);
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (v < 0) return -1;
    key = key * 16 + v;
  }
  return key;
}

/**
 * Sorts nodes by digest in string order, in place. For sha256 digests each entry becomes one number, the
 * digest's leading bits above its position (53 bits in all, exact in a double), and a Float64Array of
 * those sorts natively, without a comparator; entries whose leading bits tie are then put in string
 * order among themselves. Anything else is sorted by the string.
 */
export function sortByDigest<T extends { digest: Digest }>(list: T[]): void {
  const indexBits = Math.max(1, Math.ceil(Math.log2(list.length + 1)));
  const prefixBits = 53 - indexBits;
  if (prefixBits < 24) {
    list.sort(byDigest);
    return;
  }
  const keys = new Float64Array(list.length);
  const drop = 2 ** (HEX_DIGITS * 4 - prefixBits);
  const shift = 2 ** indexBits;
  for (let i = 0; i < list.length; i++) {
    const k = digestKey((list[i] as T).digest);
    if (k < 0) {
      list.sort(byDigest);
      return;
    }
    keys[i] = Math.floor(k / drop) * shift + i;
  }
  keys.sort();
  const sorted = Array.from(keys, (k) => list[k % shift] as T);
  // Runs with the same leading bits: in string order (rare: two of 100,000 random digests share 36 bits about once in 15 sorts).
  for (let i = 1, run = 0; i <= sorted.length; i++) {
    if (i < sorted.length && Math.floor((keys[i] as number) / shift) === Math.floor((keys[i - 1] as number) / shift)) continue;
    if (i - run > 1) {
      const tie = sorted.slice(run, i).sort(byDigest);
      for (let j = 0; j < tie.length; j++) sorted[run + j] = tie[j] as T;
    }
    run = i;
  }
  for (let i = 0; i < sorted.length; i++) list[i] = sorted[i] as T;
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

/** An image's plan entry without its decision (purge). */
function plannedImage(n: ImageNode, listed: ListedImage): PlannedImage {
  return { digest: n.digest, tags: n.tags, kind: n.kind, listed, platform: n.platform, builtAt: imageTime(n), commits: undefined };
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
    toDelete.push({ ...plannedImage(n, n.listed), why: 'purge: every image of the repository is deleted', decision: { cause: 'purge', rule: 'purge' }, after: mustGoFirst(n, (d) => deleting.has(d)) });
  }
  toDelete.sort(byDigest);
  return { registry: registry.name, now, kept: [], delete: toDelete, untag: [], warnings: [], stats: { images: deleting.size, refs: 0, selectedRefs: 0, commitsRead: 0, commitsVisited: 0 } };
}
