/**
 * Reads by need (docs/cleanup-semantics.md §3.4): which untagged digests need their manifest read.
 * An untagged digest that no read index lists is decided by its push time and by the workloads that
 * pin it: it is deleted unless one of them keeps it. Its manifest matters only when it is kept (it may
 * be an index whose children it then keeps), when its age is unknown, or when it may be an attachment
 * the tags do not reveal (a registry with a referrers API). Pure.
 */
import type { ClusterImageUse, Digest, ListedImage, RegistryCapabilities } from '../ports.js';
import type { CleanupPolicy } from '../policy/types.js';
import { usesOfRepository } from './reasons.js';
import type { StorageRole } from './types.js';

export interface ReadRuleInput {
  capabilities: RegistryCapabilities;
  imageReference: string | undefined;
  policy: CleanupPolicy;
  clusterImages: readonly ClusterImageUse[];
  now: Date;
  role: StorageRole | undefined;
}

/** The rule as a predicate over listing entries: true = read the manifest. */
export function untaggedNeedsRead(input: ReadRuleInput): (item: ListedImage) => boolean {
  const { policy, role } = input;
  // Storage roles keep by the primary's digests or by age with closure; read as before.
  if (!input.capabilities.attachmentsByTag || role !== undefined) return () => true;
  const pinned = new Set<Digest>();
  if (!policy.disableKubernetesBasedPolicy) for (const { ref } of usesOfRepository(input.imageReference, input.clusterImages)) if (ref.digest) pinned.add(ref.digest);
  const recentMs = policy.disableBuiltWithinLastNHoursPolicy ? 0 : policy.keepImagesBuiltWithinLastNHours * 3_600_000;
  const graceMs = policy.untagged.keepFor ?? Number.POSITIVE_INFINITY;
  const window = Math.max(recentMs, graceMs);
  const nowMs = input.now.getTime();
  return (item) => {
    const pushed = item.pushedAt?.getTime();
    return pushed === undefined || Number.isNaN(pushed) || pinned.has(item.digest) || nowMs - pushed < window;
  };
}
