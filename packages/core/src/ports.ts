/**
 * The ports through which the pure core talks to the world. Adapters implement them; tests pass plain
 * objects. Nothing in packages/core reads the network, the file system, process.env or the clock itself.
 */

/** A content digest, `sha256:<hex>`. */
export type Digest = string;

/** The clock and the way to wait; tests pass a fake that advances instantly. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Git

/** What a reference is: a branch (pull and merge requests count as branches `pr-<n>`, `mr-<iid>`) or a tag. */
export type RefKind = 'branch' | 'tag';

/** A candidate reference (cleanup-semantics.md §4.1) with its date (§4.2). */
export interface GitRef {
  kind: RefKind;
  /** Short name: `main`, `feature/x`, `v1.2.0`, `pr-12`. */
  name: string;
  /** Full 40-hex id of the commit the reference points at (a tag is peeled to its commit). */
  commit: string;
  /** Branch: committer date of the tip; annotated tag: tagger date; lightweight tag: committer date. */
  date: Date;
}

/** One commit of the history: its id, its parents and its committer date (what the walk needs). */
export interface CommitInfo {
  /** Full 40-hex id. */
  id: string;
  /** Parent ids, full 40-hex, in order. */
  parents: string[];
  /** Committer date. */
  date: Date;
}

/**
 * The project's history. `commits` is called lazily, frontier by frontier, so an adapter backed by a
 * forge API may prefetch ahead (for example a page of `history`) and answer later calls from memory.
 */
export interface GitHistory {
  /** Every candidate reference. Throws when the list is incomplete (fail closed). */
  refs(): Promise<GitRef[]>;
  /**
   * The commits with these full ids. Ids the history does not hold are absent from the answer;
   * any other failure throws.
   */
  commits(ids: readonly string[]): Promise<Map<string, CommitInfo>>;
  /**
   * Resolves abbreviated hex ids (7-39 characters) to full ids of commits the history holds.
   * An unknown or ambiguous prefix is absent from the answer.
   */
  resolvePrefixes(prefixes: readonly string[]): Promise<Map<string, string>>;
}

// ---------------------------------------------------------------------------------------------------
// Registry

/** One manifest digest as the registry lists it, with the tags that point at it. */
export interface ListedImage {
  digest: Digest;
  tags: string[];
  /** The manifest's media type where the listing tells it. */
  mediaType?: string;
  /** The registry's own push or creation time where it reports one. */
  pushedAt?: Date;
  /** Bytes, where the listing reports it (report only). */
  size?: number;
  /** A registry-specific handle needed to delete (a GHCR package version id, ...). */
  handle?: string;
}

/** A manifest as stored: its media type and its parsed JSON body. */
export interface RawManifest {
  mediaType: string;
  body: unknown;
}

/** What a registry can do, which changes what the planner may plan (cleanup-semantics.md §5). */
export interface RegistryCapabilities {
  /** Untagged digests appear in `list()` (GHCR versions, an OCI layout's untagged entries). */
  listsUntagged: boolean;
  /** A single tag can be removed without touching its digest. */
  deletesTagAlone: boolean;
  /**
   * Attachments reach the listing only by tag: the registry has no referrers API, so signing tools use
   * the `sha256-<hex>` tag schema (GHCR). An untagged digest that no read index lists is then never an
   * attachment, and its fate needs no manifest read (cleanup-semantics.md §3.4). Absent: false.
   */
  attachmentsByTag?: boolean;
}

/** What a delete did: `deleted`, or `gone` when the image was already absent (not an error). */
export type DeleteOutcome = 'deleted' | 'gone';

/** Thrown by adapters; `transient` failures are retried by the executor. */
export class RegistryError extends Error {
  readonly transient: boolean;
  readonly status: number | undefined;
  constructor(message: string, options: { transient?: boolean; status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'RegistryError';
    this.transient = options.transient ?? false;
    this.status = options.status;
  }
}

/** A refusal the platform gives for a reason the user can act on (GHCR's "last tagged version"). */
export class DeleteSkipped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeleteSkipped';
  }
}

/**
 * The platform's request budget would run out (GitHub's hourly primary limit, a rate-limit pause too long
 * to wait for): the executor starts no further deletions and reports the rest as not attempted, so the
 * next run continues where this one stopped. Thrown instead of sending the request (or when the platform
 * refused it for that reason).
 */
export class BudgetExhausted extends Error {
  /** When the budget is replenished, where the platform says. */
  readonly resumeAt: Date | undefined;
  constructor(message: string, resumeAt?: Date) {
    super(message);
    this.name = 'BudgetExhausted';
    this.resumeAt = resumeAt;
  }
}

/**
 * One repository of a registry, as the engine reads and writes it: list its images, read manifests and
 * configs by digest, delete by digest. Implement it for a registry regsweep has no adapter for (see
 * `examples/library/`). `list` must throw rather than answer an incomplete listing: the engine deletes
 * nothing it cannot see whole. Throw `RegistryError` (with `transient` for what a retry may fix).
 */
export interface Registry {
  /** Human name for messages and reports: `oci:/tmp/layout`, `ghcr.io/acme/app`. */
  readonly name: string;
  /**
   * Image reference prefix workloads use to pull from here (`ghcr.io/acme/app`); none for a layout.
   * Without it nothing the clusters run can be matched to this registry's images, so in-use protection
   * is off for it (the run warns when it read clusters).
   */
  readonly imageReference?: string;
  readonly capabilities: RegistryCapabilities;
  /**
   * Manifest and config reads in flight this registry takes (its read path, not the write path the
   * run's concurrency paces). Absent: the run's concurrency.
   */
  readonly readConcurrency?: number;
  /**
   * Said after a run deleted something here, when the registry frees the space only later: what to
   * run (a CNCF distribution registry's garbage collector). Absent: nothing to say.
   */
  readonly afterDeleting?: string;
  /** Manifest and config reads answered from a cache so far (for progress lines); absent: no cache. */
  readsFromCache?(): number;
  /** Every tagged digest, and the untagged ones where the registry lists them. Throws when incomplete. */
  list(): Promise<ListedImage[]>;
  /** Reads a manifest by digest. */
  getManifest(digest: Digest): Promise<RawManifest>;
  /** Reads a JSON blob (an image config) by digest. */
  getBlobJson(digest: Digest): Promise<unknown>;
  /** Deletes a digest (and with it every tag pointing at it). 'gone' when it was already absent. */
  deleteImage(image: ListedImage): Promise<DeleteOutcome>;
  /** Removes one tag and leaves its digest and other tags alone; present where `capabilities.deletesTagAlone`. */
  deleteTag?(tag: string): Promise<DeleteOutcome>;
  /**
   * Proves deletes are possible before the first one (a registry with deletion disabled answers 405).
   * Throws a clear, non-transient error when they are not. Never called in a dry run.
   */
  checkDeletable?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes

/** A Kubernetes workload: where an image in use runs. */
export interface Workload {
  context: string;
  namespace: string;
  kind: string;
  name: string;
}

/** An image reference a workload uses, as written in its spec (`ghcr.io/acme/app:tag@sha256:…`). */
export interface ClusterImageUse {
  image: string;
  where: Workload;
}

/** What the clusters run: every image reference their workloads use, so none of those is deleted. */
export interface ClusterImages {
  /** Every image reference in use. Throws when any context or kind could not be read (fail closed). */
  list(): Promise<ClusterImageUse[]>;
}

// ---------------------------------------------------------------------------------------------------
// A build host's Docker Engine (`regsweep host cleanup`)

/** An image on a build host, as the Docker Engine lists it. */
export interface HostImage {
  /** The image id (`sha256:…` of its config). */
  id: string;
  /** `host/name:tag`; empty for a dangling image. */
  repoTags: string[];
  /** `host/name@sha256:…`: the registry digests it was pulled or pushed as. */
  repoDigests: string[];
  /** When it was built. */
  created: Date;
  /** Bytes, shared layers included. */
  size: number;
  /** Bytes it shares with other images, where the engine says (absent: unknown). */
  sharedSize?: number;
  labels: Record<string, string>;
  /** Containers (running or not) that use it, where the engine says. */
  containers?: number;
  /** The image it was built on top of (the classic builder's parent chain); absent or empty: none known. */
  parentId?: string;
  /** When it was last tagged or pulled, where the engine keeps it (Docker does; podman answers none). */
  lastTagTime?: Date;
}

/** A container on a build host, running or not. */
export interface HostContainer {
  id: string;
  name: string;
  /** The image id it runs. */
  imageId: string;
  /** The image as the container was created from (`host/name:tag`, or an id). */
  image: string;
  /** `created`, `running`, `exited`, … */
  state: string;
  created: Date;
  labels: Record<string, string>;
}

/** What removing did: `removed`, `gone` (already absent), or `in-use` (the engine refused: a container uses it). */
export type HostRemoveOutcome = 'removed' | 'gone' | 'in-use';

/**
 * A Docker Engine, as host cleanup reads and writes it. Listing fails closed: an engine that cannot be
 * reached, or answers an error, throws (nothing is removed). Removing never forces.
 */
export interface HostEngine {
  readonly name: string;
  images(): Promise<HostImage[]>;
  containers(): Promise<HostContainer[]>;
  /** The image as it is now, for the re-check right before removing it; undefined when it is gone. */
  image(id: string): Promise<HostImage | undefined>;
  /** Removes one image reference (a tag, or an image id), never forced. */
  removeImage(ref: string): Promise<HostRemoveOutcome>;
  /** Removes a container that is not running. */
  removeContainer(id: string): Promise<Exclude<HostRemoveOutcome, 'in-use'>>;
  /**
   * The bytes of every image layer the engine stores, each shared layer once (Docker's `system df`
   * LayersSize); undefined when the engine does not say.
   */
  layersSize?(): Promise<number | undefined>;
  /** Puts a tag (`repo:tag`) back on an image (after a refused removal took some of its tags). */
  tagImage?(id: string, ref: string): Promise<void>;
  /** Where the engine keeps its data (`/var/lib/docker`), for the volume's usage; undefined when it does not say. */
  dataRoot?(): Promise<string | undefined>;
}
