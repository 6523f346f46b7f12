import type { Digest, ListedImage, Workload } from '../ports.js';
import type { NodeKind } from '../graph/graph.js';

/** Why an image is kept (report `reasons`). */
export type ReasonName =
  | 'git-history' | 'recent' | 'keep-list' | 'unmapped' | 'in-use' | 'closure' | 'untagged-grace'
  /** A final repository's image whose digest or tag the primary repository keeps. */
  | 'primary'
  /** A cache repository's image younger than its keepFor. */
  | 'cache-age';

/** The order in which reasons count when an image has several (the summary counts each image by its first). */
export const REASON_ORDER: readonly ReasonName[] = ['in-use', 'git-history', 'primary', 'keep-list', 'recent', 'cache-age', 'unmapped', 'untagged-grace', 'closure'];

/** One reason an image is kept, with a sentence for a person. */
export interface Reason {
  reason: ReasonName;
  /** One line for a person: `branch main (cleanup.keepPolicies[2]) reaches commit 1a2b3c4`. */
  detail: string;
  /** Where a workload runs it (in-use only). */
  where?: Workload;
  /** The one tag this reason is about (keep-list, in-use by tag); absent = the whole digest. */
  tag?: string;
}

/** A tag of a kept digest that no longer means anything: removed alone where the registry can. */
export interface StaleTag {
  digest: Digest;
  tag: string;
  why: string;
  listed: ListedImage;
}

/** An image in a plan: its digest, tags, kind and the commits it was built from. */
export interface PlannedImage {
  digest: Digest;
  tags: string[];
  kind: NodeKind;
  platform?: string;
  /** The listing entry the registry adapter needs to delete it. */
  listed: ListedImage;
  /** The newest of its build time and the registry's push time, where known. */
  builtAt?: Date;
  /** Commits the image maps to and how (§3); absent when unmapped. */
  commits?: { ids: string[]; via: string };
}

/** An image the plan keeps, with every reason that holds. */
export interface KeptImage extends PlannedImage {
  reasons: Reason[];
}

/** An image the plan deletes: why nothing keeps it and what must go first. */
export interface DeletionItem extends PlannedImage {
  /** Why nothing kept it. */
  why: string;
  /** Digests in the same plan that must be deleted first (its attachments, indexes that list it). */
  after: Digest[];
}

/** How big the planning was: images, references, commits read and visited, manifest and config reads. */
export interface PlanStats {
  images: number;
  refs: number;
  selectedRefs: number;
  commitsRead: number;
  commitsVisited: number;
  /** Manifest and config reads the inventory made (set by planRepository). */
  manifestReads?: number;
  configReads?: number;
  /** Bytes the deletions free, estimated from the manifests (plan/freed.ts); absent when they give no sizes. */
  freedBytes?: number;
  /** Unlisted children of deleted indexes no kept image names: they stay until the registry's garbage collector runs. */
  childrenLeft?: number;
}

/** The decisions for one repository: what is kept and why, what is deleted in which order, stale tags. */
export interface Plan {
  registry: string;
  now: Date;
  kept: KeptImage[];
  delete: DeletionItem[];
  /** Stale tags of kept digests (§5 closure: removed alone only where the registry can). */
  untag: StaleTag[];
  warnings: string[];
  stats: PlanStats;
}

/** What a final repository follows: the primary repository's plan, as sets. */
export interface PrimaryDecisions {
  repository: string;
  keptDigests: ReadonlySet<Digest>;
  keptTags: ReadonlySet<string>;
  /** Every digest and tag the primary listed, kept or not. */
  knownDigests: ReadonlySet<Digest>;
  knownTags: ReadonlySet<string>;
}

/**
 * werf's storage roles (cleanup-semantics.md §7): a `final` repository follows the primary repository's decisions;
 * a `cache` repository is cleaned by age only.
 */
export type StorageRole = { kind: 'final'; primary: PrimaryDecisions } | { kind: 'cache'; keepFor: number };
