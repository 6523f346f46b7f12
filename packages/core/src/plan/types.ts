import type { Digest, ListedImage, Workload } from '../ports.js';
import type { NodeKind } from '../graph/graph.js';
import type { Limit } from '../policy/types.js';

/** Why an image is kept (report `reasons`). */
export type ReasonName =
  | 'git-history' | 'recent' | 'keep-list' | 'unmapped' | 'in-use' | 'closure' | 'untagged-grace'
  /** A final repository's image whose digest or tag the primary repository keeps. */
  | 'primary'
  /** A cache repository's image younger than its keepFor. */
  | 'cache-age'
  /** Host cleanup: the registry still has the local image's digest or a tag of it. */
  | 'in-registry'
  /** Host cleanup: the volume is within --allowed-volume-usage (or the threshold step freed enough first). */
  | 'space-left';

/** The order in which reasons count when an image has several (the summary counts each image by its first). */
export const REASON_ORDER: readonly ReasonName[] = ['in-use', 'git-history', 'primary', 'keep-list', 'recent', 'cache-age', 'unmapped', 'untagged-grace', 'closure', 'in-registry', 'space-left'];

/** Where a keep policy stands: its path (`cleanup.keepPolicies[2]`, `default keepPolicies[2]`), its index, its line in the file. */
export interface PolicyPosition {
  path: string;
  index: number;
  /** 1-based line of the entry in the policy file (absent for the default set). */
  line?: number;
}

/** A git reference by kind and name. */
export interface ReferenceName {
  kind: 'branch' | 'tag';
  name: string;
}

/**
 * What one selected reference made of one image group in the history walk (cleanup-semantics.md §4.5):
 * the group's rank among the reference's groups, newest first, against the policy's imagesPerReference.
 */
export interface GroupFinding {
  policy: PolicyPosition;
  reference: ReferenceName;
  /** The commit the reference reached the image at. */
  commit: { id: string; date: Date };
  /** 1 = the newest image group the reference reaches. */
  rank: number;
  /** The policy's imagesPerReference. */
  limit: Limit;
  /** Whether the commit is within `limit.in` (true when the limit has no `in`). */
  inWindow: boolean;
  kept: boolean;
}

/** One reason an image is kept, with a sentence for a person and the rule as data. */
export interface Reason {
  reason: ReasonName;
  /**
   * The policy key that keeps it: `cleanup.keepPolicies[2]`, `cleanup.keepImagesBuiltWithinLastNHours`,
   * `keep-list` (cleanup.keepTags or a --keep-list file), `cleanup.untagged.keepFor`, `cleanup.unmapped.keepFor`, `kubernetes`, `closure`,
   * `primary`, `cache.keepFor`.
   */
  rule: string;
  /** One line for a person: `branch main (cleanup.keepPolicies[2]): image group 3 of the last 10, commit 1a2b3c4 …`. */
  detail: string;
  /** git-history: the reference, its rank and the limit. */
  group?: GroupFinding;
  /** recent, untagged grace, cache age: the image's age in milliseconds. */
  ageMs?: number;
  /** The window the age is measured against, in milliseconds. */
  windowMs?: number;
  /** keep-list: the glob that matched. */
  glob?: string;
  /** closure: the kept image this one is part of; primary: the primary repository. */
  of?: string;
  /** Where a workload runs it (in-use only). */
  where?: Workload;
  /** The one tag this reason is about (keep-list, in-use by tag); absent = the whole digest. */
  tag?: string;
}

/** How close one keep policy came to keeping a deleted image. */
export type MissOutcome =
  /** A selected reference reaches it, beyond `imagesPerReference.last`. */
  | 'beyond-last'
  /** A selected reference reaches it at a commit outside `imagesPerReference.in`. */
  | 'outside-in'
  /** A matching reference points at the image's commit but `references.limit` does not select it. */
  | 'reference-not-selected'
  /** None of the policy's selected references reaches the image's commit (the whole history was walked). */
  | 'not-reached'
  /** The references stopped at their limits before the commit; `explain` walks on to rank it. */
  | 'walk-stopped'
  /** No reference matches the policy (or every match is selected by a later policy). */
  | 'no-reference';

/** A reference whose walk stopped at its limit before reaching an image. */
export interface StoppedReference {
  reference: ReferenceName;
  /** How many image groups it met. */
  groups: number;
  stoppedBy: 'last' | 'in';
  /** The last commit it kept an image at. */
  lastKept?: { id: string; date: Date };
}

/** One keep policy's nearest miss for a deleted image. */
export interface PolicyMiss {
  policy: PolicyPosition;
  outcome: MissOutcome;
  reference?: ReferenceName;
  rank?: number;
  commit?: { id: string; date: Date };
  /** imagesPerReference, or references.limit for `reference-not-selected`. */
  limit?: Limit;
  /** reference-not-selected: the reference's rank among the matching ones (1 = newest). */
  referenceRank?: number;
  /** walk-stopped: the references that stopped at their limit, most image groups first (the first 3). */
  stopped?: StoppedReference[];
  /** walk-stopped: how many references stopped at their limit in all. */
  stoppedCount?: number;
  detail: string;
}

/** Why an image is deleted: the rule that let it go. */
export type DeletionCause =
  | 'git-history' | 'git-history-disabled' | 'untagged' | 'unmapped' | 'attachment' | 'child'
  | 'cache-age' | 'not-kept-in-primary' | 'unknown-to-primary' | 'purge'
  /** Host cleanup's steps (docs/host-cleanup.md). */
  | 'registry-sync' | 'leftover' | 'over-threshold' | 'host-purge';

/** A deleted image's decision as data (the `why` sentence is made from it). */
export interface DeletionDecision {
  cause: DeletionCause;
  /** The policy key that decided: `cleanup.keepPolicies`, `cleanup.untagged.keepFor`, … */
  rule: string;
  /** The image's age (newest of build and push time), where known. */
  ageMs?: number;
  /** The window it is older than (untagged, unmapped, cache keepFor), in milliseconds. */
  windowMs?: number;
  /** attachment: its subject; child: the indexes that list it; primary: the primary repository. */
  of?: string[];
  /** git-history: each keep policy's nearest miss, in file order. */
  misses?: readonly PolicyMiss[];
  /**
   * git-history: the branches the image's tags name that no longer exist (the branch's fate): a tag
   * a branch policy's pattern matches, with no branch of that name or slug left.
   */
  goneBranches?: string[];
}

/** A tag of a kept digest that no longer means anything: removed alone where the registry can. */
export interface StaleTag {
  digest: Digest;
  tag: string;
  why: string;
  listed: ListedImage;
}

/**
 * An image in a plan: its digest, tags, kind and the commits it was built from. The optional keys of
 * plan entries and decisions are present with the value `undefined` where nothing is known (one shape
 * for every entry; JSON leaves them out). Entries share objects with the graph and with each other
 * (dates, commit mappings, misses, findings): read them, do not change them.
 */
export interface PlannedImage {
  digest: Digest;
  tags: string[];
  kind: NodeKind;
  platform?: string;
  /** The listing entry the registry adapter needs to delete it. */
  listed: ListedImage;
  /** The newest of its build time and the registry's push time, where known. */
  builtAt?: Date;
  /** Commits the image maps to and how (§3); undefined when unmapped. */
  commits?: { ids: string[]; via: string };
}

/** An image the plan keeps, with every reason that holds. */
export interface KeptImage extends PlannedImage {
  reasons: Reason[];
}

/** An image the plan deletes: why nothing keeps it and what must go first. */
export interface DeletionItem extends PlannedImage {
  /** Why nothing kept it, in one sentence (made from `decision`). */
  why: string;
  decision: DeletionDecision;
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
