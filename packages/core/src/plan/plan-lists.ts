/**
 * The plan's two lists, in digest order: kept images with their reasons in a fixed order, deletions
 * with why nothing kept them and what must go first (docs/cleanup-semantics.md §6); and the purge plan.
 */
import type { Digest, ListedImage } from '../ports.js';
import type { ImageGraph, ImageNode } from '../graph/graph.js';
import { deletionDecision, type DecisionContext } from './deletion-decision.js';
import type { KeptReasons } from './kept-reasons.js';
import type { UnitMappings } from './mapping.js';
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
 * Splits the listed digests into kept (a reason holds) and deleted, both sorted by digest. Entries are
 * made in the graph's order (the order its nodes were made in, so reading them walks memory forwards;
 * in digest order every node is a cache miss) and then put in digest order. Each is one object literal
 * with every key (an absent platform, build time or mapping is `undefined`), so that all share one
 * shape: adding keys one by one costs several times as much at 100,000 images.
 */
export function splitKeptAndDeleted(graph: ImageGraph, reasons: KeptReasons, mapping: UnitMappings, why: DecisionContext): SplitLists {
  const listed: ImageNode[] = [];
  graph.nodes.forEach((n) => {
    if (n.listed) listed.push(n);
  });
  const deleting = (d: Digest): boolean => !reasons.has(d) && graph.nodes.get(d)?.listed !== undefined;
  const entries: Array<KeptImage | DeletionItem> = new Array(listed.length);
  const kept = new Uint8Array(listed.length);
  const mappingOf = mapping.reader(); // listed nodes come in the graph's order
  for (let i = 0; i < listed.length; i++) {
    const n = listed[i] as ImageNode;
    const m = mappingOf(n);
    const r = reasons.of(n);
    if (r) {
      kept[i] = 1;
      entries[i] = {
        digest: n.digest, tags: n.tags, kind: n.kind, listed: n.listed as ListedImage, platform: n.platform, builtAt: imageTime(n), commits: m,
        reasons: inReasonOrder(r),
      };
    } else {
      const { decision, why: sentence } = deletionDecision(n, m, graph, why);
      entries[i] = {
        digest: n.digest, tags: n.tags, kind: n.kind, listed: n.listed as ListedImage, platform: n.platform, builtAt: imageTime(n), commits: m,
        why: sentence, decision, after: n.attachments.length + n.parents.length === 0 ? NOTHING_FIRST : mustGoFirst(n, deleting),
      };
    }
  }
  // Lists made at their final length (pushing 100,000 entries copies each list as it grows).
  let keptCount = 0;
  for (let i = 0; i < kept.length; i++) keptCount += kept[i] as number;
  const out: SplitLists = {
    kept: new Array<KeptImage>(keptCount), toDelete: new Array<DeletionItem>(listed.length - keptCount),
    keptNodes: new Array<ImageNode>(keptCount), deletedNodes: new Array<ImageNode>(listed.length - keptCount),
  };
  let k = 0;
  let d = 0;
  const order = digestOrder(listed);
  for (let o = 0; o < order.length; o++) {
    const i = order[o] as number;
    if (kept[i] === 1) {
      out.kept[k] = entries[i] as KeptImage;
      out.keptNodes[k++] = listed[i] as ImageNode;
    } else {
      out.toDelete[d] = entries[i] as DeletionItem;
      out.deletedNodes[d++] = listed[i] as ImageNode;
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
 * The positions of `list` in digest (string) order. For sha256 digests each entry becomes one number,
 * the digest's leading bits above its position (53 bits in all, exact in a double), and a Float64Array
 * of those sorts natively, without a comparator; entries whose leading bits tie are then put in string
 * order among themselves. Anything else is sorted by the string.
 */
export function digestOrder(list: ReadonlyArray<{ digest: Digest }>): Uint32Array {
  const indexBits = Math.max(1, Math.ceil(Math.log2(list.length + 1)));
  const prefixBits = 53 - indexBits;
  const byString = (): Uint32Array => Uint32Array.from(list.keys()).sort((a, b) => byDigest(list[a] as { digest: Digest }, list[b] as { digest: Digest }));
  if (prefixBits < 24) return byString();
  const keys = new Float64Array(list.length);
  const drop = 2 ** (HEX_DIGITS * 4 - prefixBits);
  const shift = 2 ** indexBits;
  for (let i = 0; i < list.length; i++) {
    const k = digestKey((list[i] as { digest: Digest }).digest);
    if (k < 0) return byString();
    keys[i] = Math.floor(k / drop) * shift + i;
  }
  keys.sort();
  const order = new Uint32Array(list.length); // a loop: Uint32Array.from with a function is several times slower
  for (let i = 0; i < order.length; i++) order[i] = (keys[i] as number) % shift;
  // Runs with the same leading bits: in string order (rare: two of 100,000 random digests share 36 bits about once in 15 sorts).
  let previous = Number.NaN;
  for (let i = 0, run = 0; i <= order.length; i++) {
    const prefix = i < order.length ? Math.floor((keys[i] as number) / shift) : Number.NaN;
    if (prefix === previous) continue;
    if (i - run > 1) order.subarray(run, i).sort((a, b) => byDigest(list[a] as { digest: Digest }, list[b] as { digest: Digest }));
    run = i;
    previous = prefix;
  }
  return order;
}

const byDigest = (a: { digest: string }, b: { digest: string }): number => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);

const REASON_RANK = new Map<ReasonName, number>(REASON_ORDER.map((r, i) => [r, i]));
const rank = (r: Reason): number => REASON_RANK.get(r.reason) ?? -1;

/**
 * The list in REASON_ORDER: itself when it is in order already (the plan's lists are made for it and
 * nothing changes them after the split), else a copy, sorted stably.
 */
function inReasonOrder(list: Reason[]): Reason[] {
  for (let i = 1; i < list.length; i++) {
    if (rank(list[i - 1] as Reason) > rank(list[i] as Reason)) return list.slice().sort((a, b) => rank(a) - rank(b));
  }
  return list;
}

/** An image's plan entry without its decision (purge). */
function plannedImage(n: ImageNode, listed: ListedImage): PlannedImage {
  return { digest: n.digest, tags: n.tags, kind: n.kind, listed, platform: n.platform, builtAt: imageTime(n), commits: undefined };
}

/** Order (§6): its attachments and the indexes that list it are deleted before it. */
function mustGoFirst(n: ImageNode, deleting: (d: Digest) => boolean): Digest[] {
  const out: Digest[] = [];
  const addDeleting = (list: readonly Digest[]): void => {
    for (let i = 0; i < list.length; i++) if (deleting(list[i] as Digest)) out.push(list[i] as Digest);
  };
  addDeleting(n.attachments);
  addDeleting(n.parents);
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
