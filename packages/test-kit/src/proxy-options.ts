/** What the fault proxy (proxy.ts) can be told to do. */
export interface ProxyOptions {
  /** Answer this many requests with `failStatus` before forwarding. */
  failFirst?: number;
  failStatus?: number;
  retryAfter?: string;
  /** Paginate `tags/list`; Link targets are 'relative' (`/v2/…`) or 'absolute' (`http://…`). */
  paginate?: 'relative' | 'absolute';
  /** With `paginate`: pages of at most this many tags, whatever `n` the client asks for. */
  pageSize?: number;
  /**
   * Act as a token-auth registry: requests need `Authorization: Bearer <token>` issued by `/token`,
   * which checks these Basic credentials when given. A token is valid for the one scope it was issued
   * for (pull or delete); the answer says `expires_in: expiresIn` (default 300).
   */
  bearer?: { username?: string; password?: string; expiresIn?: number };
  /**
   * `DELETE /v2/<name>/manifests/<tag>` as an OCI 1.1 registry does ('oci': the tag goes, its digest
   * stays; emulated upstream by the throw-away method) or as a careless one ('destructive': the
   * manifest the tag points at is deleted with all its tags).
   */
  tagDelete?: 'oci' | 'destructive';
  /** Answer the OCI 1.1 referrers API: subject digest → referrer descriptors (others: an empty index). */
  referrers?: Record<string, object[]>;
  /** Inject failures (see FaultOptions). */
  faults?: FaultOptions;
  /**
   * Point upstream `Location` headers (blob upload sessions) at the proxy, so uploads go through it
   * too (distribution answers absolute URLs naming its own address).
   */
  rewriteLocation?: boolean;
  /** Listing faults: an inconsistent registry (see ListingFaults). */
  listing?: ListingFaults;
}

/**
 * A registry whose listing cannot be trusted. Listings are counted from 1: a `tags/list` request
 * without `last` starts the next one; pages are counted from 1 within it.
 */
export interface ListingFaults {
  /** `HEAD …/manifests/<tag>` answers 404 for this tag, the first `times` times (default: always). */
  headNotFound?: { tag: string; times?: number };
  /** The tag is left out of the page that holds it, in the listings numbered here. */
  dropTag?: { tag: string; listings: readonly number[] };
  /** Runs before the proxy answers a page (it may push, move or delete tags upstream). */
  beforePage?: (listing: number, page: number) => Promise<void>;
}

export interface FaultOptions {
  /**
   * The first attempt of every `every`-th distinct request of each method (counted by method and URL)
   * fails. DELETEs in turn: the connection dropped after the registry answered (the delete happened;
   * the retry finds it gone), a 500, the connection dropped before the request reaches the registry;
   * other methods alternate a 500 and a drop. A retry of the same request goes through, so a client
   * that retries recovers. DELETEs failed by `failDeletes` are not counted.
   */
  every?: number;
  /** `DELETE …/manifests/<digest>` of these digests always answers 500 (nothing reaches the registry). */
  failDeletes?: readonly string[];
}
