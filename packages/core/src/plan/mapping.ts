/**
 * Which commit(s) an image was built from (cleanup-semantics.md §3), first rule that yields wins:
 * 1. revision label/annotation; 2. SHA-shaped tags; 3. git tag and branch names (and branch slugs).
 */
import type { Digest, GitHistory, GitRef } from '../ports.js';
import type { CleanupPolicy } from '../policy/types.js';
import type { LinearRegex } from '../util/linear-regex.js';
import { imageRevisions, type ImageGraph, type ImageNode } from '../graph/graph.js';

export interface ImageCommits {
  /** Full commit ids. A commit the history does not hold is never reached ("gone"). */
  ids: string[];
  /** How the commits were found, for the report: `label org.opencontainers.image.revision`, `tag sha-1a2b3c4`. */
  via: string;
}

/** `via` of an image mapped by its revision label or annotation (rule 1). */
export const LABEL_VIA = 'revision label';

/** Whether every character is a lowercase hex digit (a loop: a regex costs several times as much per label at 100,000 images). */
function lowerHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** An abbreviated commit id: 7 to 39 lowercase hex digits. */
const PREFIX = { test: (s: string): boolean => s.length >= 7 && s.length <= 39 && lowerHex(s) };
/** A full SHA-1 or SHA-256 commit id. */
const FULL = { test: (s: string): boolean => (s.length === 40 || s.length === 64) && lowerHex(s) };

/** GitLab-style slug of a branch name: lower case, anything outside [a-z0-9._-] becomes `-`. */
export function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
}

export type TagCandidate = { full?: string; prefix?: string; bare?: string };

/** The commit a tag names by its shape (§3.2): a full SHA, a `sha-`/template prefix, or a bare hex prefix. */
export function shaFromTag(tag: string, patterns: readonly LinearRegex[]): TagCandidate | undefined {
  if (FULL.test(tag)) return { full: tag };
  if (tag.startsWith('sha-')) {
    const rest = tag.slice(4);
    if (FULL.test(rest)) return { full: rest };
    if (PREFIX.test(rest)) return { prefix: rest };
  }
  for (const p of patterns) {
    const sha = p.namedGroup(tag, 'sha')?.toLowerCase();
    if (sha && FULL.test(sha)) return { full: sha };
    if (sha && PREFIX.test(sha)) return { prefix: sha };
  }
  if (PREFIX.test(tag)) return { bare: tag };
  return undefined;
}

/**
 * The images that the git-history policy plans: listed, not attachments, not bare untagged children;
 * and those of them with a tag (the ones mapped to commits). Both in the graph's order.
 */
export function planningUnits(graph: ImageGraph): { units: ImageNode[]; tagged: ImageNode[] } {
  const units: ImageNode[] = [];
  const tagged: ImageNode[] = [];
  // Loops over every image use forEach or an index, not for-of: a plan runs each of them once, and until
  // V8 has optimized a function its for-of makes an iterator result per step (tens of ms at 100,000 images).
  graph.nodes.forEach((n) => {
    if (!isPlanningUnit(n)) return;
    units.push(n);
    if (n.tags.length > 0) tagged.push(n);
  });
  return { units, tagged };
}

export function isPlanningUnit(n: ImageNode): boolean {
  if (!n.listed || n.kind === 'attachment') return false;
  return !(n.tags.length === 0 && n.parents.length > 0);
}

/**
 * The commits of the tagged planning units, in the units' order (the graph's). Read in that order
 * (`positions`, `reader`), each lookup is one comparison, where a Map of 100,000 digests costs a cache
 * miss or two per image; by digest (`get`, `has`) through a Map made on first use.
 */
export class UnitMappings {
  private byDigest: Map<Digest, number> | undefined;
  /** How many units map to a commit. */
  readonly size: number;

  constructor(
    readonly units: readonly ImageNode[],
    /** Per unit, its commits (undefined: unmapped). */
    readonly commits: ReadonlyArray<ImageCommits | undefined>,
    /** The abbreviated ids the history resolved for the mapping, to their full ids. */
    readonly resolvedPrefixes: ReadonlyMap<string, string> = new Map(),
  ) {
    let size = 0;
    for (let i = 0; i < commits.length; i++) if (commits[i]) size += 1;
    this.size = size;
  }

  static readonly NONE = new UnitMappings([], []);

  /** The unit's position in `units`, or -1 when the digest is not a tagged unit's. */
  private positionOf(d: Digest): number {
    if (!this.byDigest) {
      this.byDigest = new Map();
      this.units.forEach((n, i) => this.byDigest?.set(n.digest, i));
    }
    return this.byDigest.get(d) ?? -1;
  }

  get(d: Digest): ImageCommits | undefined {
    return this.size === 0 ? undefined : this.commits[this.positionOf(d)];
  }

  has(d: Digest): boolean {
    return this.get(d) !== undefined;
  }

  /**
   * Positions for nodes asked in the graph's order (any subset of them): a cursor over the units, with
   * the Map behind it for a node out of that order, so that the answer is always right (-1: not a
   * tagged unit). The position is the walk's too (WalkImages).
   */
  positions(): (n: ImageNode) => number {
    let i = 0;
    return (n) => {
      if (this.units[i] === n) return i++;
      return this.units.length > 0 && isPlanningUnit(n) && n.tags.length > 0 ? this.positionOf(n.digest) : -1;
    };
  }

  /** The commits of nodes asked in the graph's order (as `positions`). */
  reader(): (n: ImageNode) => ImageCommits | undefined {
    const positionOf = this.positions();
    return (n) => {
      const i = positionOf(n);
      return i < 0 ? undefined : this.commits[i];
    };
  }
}

export async function mapImageCommits(
  units: readonly ImageNode[],
  graph: ImageGraph,
  refs: readonly GitRef[],
  history: GitHistory,
  policy: CleanupPolicy,
): Promise<UnitMappings> {
  const { found, toResolve } = commitCandidates(units, graph, policy.imageCommits.tagPatterns);
  const resolved = toResolve.size > 0 ? await history.resolvePrefixes([...toResolve]) : new Map<string, string>();
  const byName = referenceNames(refs, policy);
  return new UnitMappings(units, units.map((n, i) => commitsOf(n, found[i], resolved, byName)), resolved);
}

/** What a unit offers for rules 1 and 2: hex revision labels (already its mapping when all are full ids), or else SHA-shaped tags. */
type Candidates = { labels: string[]; prefixes: boolean } | ImageCommits | { tags: Array<{ tag: string; c: TagCandidate }> } | undefined;

/**
 * The candidates of every unit, and the hex prefixes to resolve in the history. The first rule that
 * yields wins, and a hex-shaped revision label always yields (a prefix that does not resolve becomes
 * `unresolved:…`), so tags are looked at, and their prefixes resolved, only for images without one.
 */
function commitCandidates(units: readonly ImageNode[], graph: ImageGraph, tagPatterns: CleanupPolicy['imageCommits']['tagPatterns']): { found: Candidates[]; toResolve: Set<string> } {
  const found: Candidates[] = new Array<Candidates>(units.length);
  const toResolve = new Set<string>();
  units.forEach((n, i) => {
    const raws = imageRevisions(graph, n);
    // One full lowercase id (most images): its mapping in an array of one (a list grown by push holds
    // room for 17, and every mapping lives as long as the plan).
    const only = raws.length === 1 ? (raws[0] as string) : undefined;
    if (only !== undefined && FULL.test(only)) {
      found[i] = { ids: [only], via: LABEL_VIA };
      return;
    }
    const revs: string[] = [];
    let prefixes = false;
    for (let r = 0; r < raws.length; r++) {
      const rev = (raws[r] as string).toLowerCase();
      if (FULL.test(rev)) revs.push(rev);
      else if (PREFIX.test(rev)) {
        revs.push(rev);
        toResolve.add(rev);
        prefixes = true;
      }
    }
    if (revs.length > 0) {
      // Full ids need nothing resolved: the mapping is made here (most images of a real registry).
      found[i] = prefixes ? { labels: revs, prefixes } : { ids: revs.length > 1 ? [...new Set(revs)] : revs, via: LABEL_VIA };
      return;
    }
    const list: Array<{ tag: string; c: TagCandidate }> = [];
    for (let t = 0; t < n.tags.length; t++) {
      const tag = n.tags[t] as string;
      const c = shaFromTag(tag, tagPatterns);
      if (!c) continue;
      list.push({ tag, c });
      if (c.prefix) toResolve.add(c.prefix);
      if (c.bare) toResolve.add(c.bare);
    }
    if (list.length > 0) found[i] = { tags: list };
  });
  return { found, toResolve };
}

/** Rule 3's names: git tag names, branch names and their slugs, each to the commits it names. */
function referenceNames(refs: readonly GitRef[], policy: CleanupPolicy): Map<string, string[]> {
  const { branchNames, gitTagNames } = policy.imageCommits;
  const byName = new Map<string, string[]>();
  const addName = (name: string, commit: string): void => {
    const list = byName.get(name) ?? [];
    if (!list.includes(commit)) list.push(commit);
    byName.set(name, list);
  };
  for (const r of refs) {
    if (r.kind === 'tag' && gitTagNames) addName(r.name, r.commit);
    if (r.kind === 'branch' && branchNames) {
      addName(r.name, r.commit);
      addName(slugify(r.name), r.commit);
    }
  }
  return byName;
}

/** The first of rules 1-3 that yields a commit for the unit. */
function commitsOf(n: ImageNode, f: Candidates, resolved: ReadonlyMap<string, string>, byName: ReadonlyMap<string, string[]>): ImageCommits | undefined {
  // 1. Revision label or annotation.
  if (f && 'ids' in f) return f;
  if (f && 'labels' in f) {
    const fromLabel = f.prefixes ? f.labels.map((rev) => (FULL.test(rev) ? rev : resolved.get(rev) ?? `unresolved:${rev}`)) : f.labels;
    return { ids: fromLabel.length > 1 ? [...new Set(fromLabel)] : fromLabel, via: LABEL_VIA };
  }
  // 2. SHA-shaped tags.
  const fromTags: string[] = [];
  const viaTags: string[] = [];
  for (const { tag, c } of f?.tags ?? []) {
    const commit = c.full ?? (c.prefix ? resolved.get(c.prefix) ?? `unresolved:${c.prefix}` : c.bare ? resolved.get(c.bare) : undefined);
    if (!commit) continue;
    fromTags.push(commit);
    viaTags.push(tag);
  }
  if (fromTags.length > 0) return { ids: [...new Set(fromTags)], via: `tag ${viaTags.join(', ')}` };
  // 3. Git tag names, branch names and slugs.
  const fromNames: string[] = [];
  const viaNames: string[] = [];
  for (const tag of n.tags) {
    const commits = byName.get(tag);
    if (!commits) continue;
    fromNames.push(...commits);
    viaNames.push(tag);
  }
  return fromNames.length > 0 ? { ids: [...new Set(fromNames)], via: `reference name ${viaNames.join(', ')}` } : undefined;
}
