/**
 * The fresh look right before deleting (fail closed): the registry is listed again and must agree with
 * the plan for every tag that matters to a deletion. Conflicts:
 *
 * - a tag now points at a digest about to be deleted, and the plan did not see it there (a tag pushed
 *   since, or a kept tag moved onto it): deleting the digest would take that tag with it;
 * - a tag the plan saw on a digest about to be deleted now points at another digest (registries that
 *   delete tag by tag, as GitLab does, would remove it from its new image);
 * - a stale tag about to be removed alone now points at another digest.
 *
 * Any conflict means nothing is deleted in that repository: the plan was made on a listing that is no
 * longer true, and a new run plans afresh. Cost: one more listing, only when something is to be deleted.
 */
import { IncompleteInputError } from '../errors.js';
import { tagsByName } from '../graph/listing-check.js';
import type { Plan } from '../plan/types.js';
import type { Digest, ListedImage } from '../ports.js';

export interface PlanConflict {
  tag: string;
  /** Where the plan saw the tag (absent: it did not see it). */
  planned?: Digest;
  /** Where the fresh listing has it. */
  now: Digest;
  message: string;
}

const short = (d: Digest): string => `${d.slice(0, 19)}…`;

/** What in `fresh` contradicts the plan's deletions and tag removals (see the module comment). */
export function planConflicts(plan: Plan, fresh: readonly ListedImage[]): PlanConflict[] {
  const planned = new Map<string, Digest>();
  for (const image of [...plan.kept, ...plan.delete]) for (const tag of image.tags) planned.set(tag, image.digest);
  const now = tagsByName(fresh);
  const going = new Set(plan.delete.map((d) => d.digest));
  const out: PlanConflict[] = [];
  for (const [tag, digest] of now) {
    if (!going.has(digest) || planned.get(tag) === digest) continue;
    const was = planned.get(tag);
    out.push({
      tag, now: digest, ...(was !== undefined ? { planned: was } : {}),
      message: was === undefined
        ? `tag ${tag}, which the plan did not see, now points at ${short(digest)}, which was to be deleted`
        : `tag ${tag} moved from ${short(was)} onto ${short(digest)}, which was to be deleted`,
    });
  }
  for (const item of plan.delete) {
    for (const tag of item.tags) {
      const at = now.get(tag);
      if (at !== undefined && at !== item.digest) out.push({ tag, planned: item.digest, now: at, message: `tag ${tag} of ${short(item.digest)}, which was to be deleted, moved to ${short(at)}` });
    }
  }
  for (const stale of plan.untag) {
    const at = now.get(stale.tag);
    if (at !== undefined && at !== stale.digest) out.push({ tag: stale.tag, planned: stale.digest, now: at, message: `stale tag ${stale.tag}, which was to be removed, moved to ${short(at)}` });
  }
  return out;
}

/** The error that stops a repository's deletions when the fresh look contradicts the plan. */
export function planConflictError(registry: string, conflicts: readonly PlanConflict[]): IncompleteInputError {
  const shown = conflicts.slice(0, 5).map((c) => c.message).join('; ');
  const more = conflicts.length > 5 ? `; and ${conflicts.length - 5} more` : '';
  return new IncompleteInputError(`registry ${registry}`, `changed since it was planned: ${shown}${more}`,
    'nothing was deleted here; run again: the next run plans on what the registry holds then');
}
