/**
 * Which repositories a CLI cleanup or explain covers (werf's storage layout, cleanup-semantics.md §7): every
 * --registry, else the policy's cleanup.repositories. The core pipeline plans them in werf's order.
 */
import { InputError, type RepositorySpec } from '@regsweep/core';

/** A repository to clean, with how messages name where its ref came from. */
export interface Repository {
  spec: RepositorySpec;
  /** `--registry`, or `FILE: cleanup.repositories[1].ref`. */
  origin: string;
}

export const REGISTRY_HINT =
  'pass --registry oci:DIR for an image layout or --registry HOST[:PORT]/NAME for a registry repository, ' +
  'or list the repositories under cleanup.repositories in the policy file';

/**
 * Every `--registry` (each a primary repository) when given; else the policy's `repositories:`; else
 * an InputError. `--registry` wins over the file's list, with a warning that the list was ignored.
 */
export function chooseRepositories(
  verb: string,
  registries: readonly string[],
  policy: { repositories: readonly RepositorySpec[]; source: string },
): { repositories: Repository[]; warnings: string[] } {
  const warnings: string[] = [];
  if (registries.length > 0) {
    if (policy.repositories.length > 0) {
      warnings.push(`${policy.source}: cleanup.repositories (${policy.repositories.length} repositories) was ignored because --registry was given; every --registry is cleaned as a primary repository`);
    }
    return { repositories: registries.map((ref) => ({ spec: { ref, path: '--registry', role: 'primary' }, origin: '--registry' })), warnings };
  }
  if (policy.repositories.length === 0) throw new InputError(`${verb}: --registry is required`, REGISTRY_HINT);
  return { repositories: policy.repositories.map((spec) => ({ spec, origin: `${policy.source}: ${spec.path}.ref` })), warnings };
}
