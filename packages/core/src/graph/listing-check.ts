/**
 * Listings are verified, not trusted (fail closed). Two mechanisms the adapters share:
 *
 * - `listUntilAgreed`: a listing that is cheap to repeat (GHCR's version pages, GitLab's tag pages with
 *   digests) is read twice; the two must agree on every digest and on the digest of every tag. When they
 *   differ (a page dropped a tag, pages shifted under a concurrent push or delete), it is read again and
 *   compared with the previous one, up to `attempts` reads. Cost: one extra read of the listing.
 * - `resolveBracketed`: a listing of names whose digests cost a request each (the OCI tag list and its
 *   HEADs, GitLab's REST tag details) lists the names, resolves each once, and lists the names again; the
 *   two name lists must be equal, else the whole look is repeated. A name in both lists that does not
 *   resolve is retried and then stops the run. Cost: one extra read of the name pages (no extra HEADs).
 *
 * Neither mechanism can see a tag that every read hides; `planConflicts` (execute/recheck.ts) is the
 * last check, right before deleting.
 */
import { IncompleteInputError } from '../errors.js';
import type { Digest, ListedImage } from '../ports.js';
import { mapLimit } from '../util/pool.js';

/** Default number of reads before a listing that keeps changing stops the run. */
export const LISTING_ATTEMPTS = 3;

const short = (d: Digest): string => `${d.slice(0, 19)}…`;

/** Tag → digest of a listing. */
export function tagsByName(listing: readonly ListedImage[]): Map<string, Digest> {
  const out = new Map<string, Digest>();
  for (const image of listing) for (const tag of image.tags) out.set(tag, image.digest);
  return out;
}

/**
 * The first few differences between two reads of a listing (digests that appear in one only, tags
 * missing from one or pointing elsewhere), in words; empty when they agree.
 */
export function listingDifferences(a: readonly ListedImage[], b: readonly ListedImage[], limit = 3): string[] {
  const out: string[] = [];
  const digestsA = new Set(a.map((i) => i.digest));
  const digestsB = new Set(b.map((i) => i.digest));
  const tagsA = tagsByName(a);
  const tagsB = tagsByName(b);
  for (const [tag, d] of tagsA) {
    const other = tagsB.get(tag);
    if (other === undefined) out.push(`tag ${tag} missing from one read`);
    else if (other !== d) out.push(`tag ${tag} at ${short(d)} then at ${short(other)}`);
  }
  for (const tag of tagsB.keys()) if (!tagsA.has(tag)) out.push(`tag ${tag} missing from one read`);
  for (const d of digestsA) if (!digestsB.has(d)) out.push(`${short(d)} missing from one read`);
  for (const d of digestsB) if (!digestsA.has(d)) out.push(`${short(d)} missing from one read`);
  return out.slice(0, limit);
}

export interface ListingCheckOptions {
  /** What is listed, for messages: `registry ghcr.io/acme/app`. */
  input: string;
  attempts?: number;
  /** Told when a read disagreed with the one before and the listing is read again. */
  onRetry?: (why: string) => void;
}

function changingListing(o: ListingCheckOptions, attempts: number, why: readonly string[]): IncompleteInputError {
  return new IncompleteInputError(o.input, `the listing changed between each of ${attempts} reads (${why.join('; ')})`,
    'nothing was deleted; run again when no one is pushing or deleting images here');
}

/** Reads a listing until two reads in a row agree (see the module comment); the later read is returned. */
export async function listUntilAgreed(read: () => Promise<ListedImage[]>, o: ListingCheckOptions): Promise<ListedImage[]> {
  const attempts = Math.max(2, o.attempts ?? LISTING_ATTEMPTS);
  let previous = await read();
  let why: string[] = [];
  for (let n = 2; n <= attempts; n++) {
    const next = await read();
    why = listingDifferences(previous, next);
    if (why.length === 0) return next;
    o.onRetry?.(why.join('; '));
    previous = next;
  }
  throw changingListing(o, attempts, why);
}

export interface BracketedOptions<T> extends ListingCheckOptions {
  /** Every name (tag) of the listing, all pages. */
  listNames: () => Promise<string[]>;
  /** One name's facts; undefined when the registry says it does not exist (404). */
  resolve: (name: string) => Promise<T | undefined>;
  concurrency: number;
  /** Tries of a name that does not resolve (default 3) and the wait before each retry. */
  resolveTries?: number;
  pause: (attempt: number) => Promise<void>;
}

/** Resolves `name`, retrying a "not found" `tries` times in all; undefined when it never resolved. */
async function resolveWithRetries<T>(o: BracketedOptions<T>, name: string): Promise<T | undefined> {
  const tries = Math.max(1, o.resolveTries ?? 3);
  for (let attempt = 1; ; attempt++) {
    const got = await o.resolve(name);
    if (got !== undefined || attempt >= tries) return got;
    await o.pause(attempt);
  }
}

function nameDifferences(a: readonly string[], b: readonly string[], limit = 3): string[] {
  const setA = new Set(a);
  const setB = new Set(b);
  return [
    ...a.filter((n) => !setB.has(n)).map((n) => `tag ${n} listed, then not`),
    ...b.filter((n) => !setA.has(n)).map((n) => `tag ${n} not listed, then listed`),
  ].slice(0, limit);
}

/**
 * Lists names, resolves each, lists names again (see the module comment). Returns name → facts for
 * every name both lists hold. A name both lists hold that never resolves stops the run: the registry
 * lists a tag it cannot serve, and what else it hides is unknown.
 */
export async function resolveBracketed<T>(o: BracketedOptions<T>): Promise<Map<string, T>> {
  const attempts = Math.max(1, o.attempts ?? LISTING_ATTEMPTS);
  let why: string[] = [];
  for (let n = 1; n <= attempts; n++) {
    const before = await o.listNames();
    const facts = await mapLimit(before, o.concurrency, (name) => resolveWithRetries(o, name));
    const after = await o.listNames();
    why = nameDifferences(before, after);
    if (why.length > 0) {
      if (n < attempts) o.onRetry?.(why.join('; '));
      continue;
    }
    const missing = before.filter((_, i) => facts[i] === undefined);
    if (missing.length > 0) {
      const tries = Math.max(1, o.resolveTries ?? 3);
      throw new IncompleteInputError(o.input,
        `tag ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''} is listed but not found (${tries} tries each)`,
        'nothing was deleted; the registry lists a tag it cannot serve: push the tag again or remove it, then run again');
    }
    return new Map(before.map((name, i) => [name, facts[i] as T]));
  }
  throw changingListing(o, attempts, why);
}
