/**
 * Defaults of the cleanup policy (cleanup-semantics.md §2). Functions, not constants, so that every
 * caller gets its own objects (a caller that mutates its policy cannot change another's).
 */
import { compileLinearRegex, isLinearRegex } from '../util/linear-regex.js';
import type { CleanupPolicy, KeepPolicy, NamePattern } from './types.js';

const HOUR_MS = 3_600_000;

function regex(source: string): NamePattern {
  const compiled = compileLinearRegex(source, 'whole');
  if (!isLinearRegex(compiled)) throw new Error(`default pattern /${source}/: ${compiled.error}`);
  return { kind: 'regex', source, regex: compiled };
}

/** The label / annotation read for an image's commit (§3.1). */
export const REVISION_LABEL = 'org.opencontainers.image.revision';

/** Default `keepImagesBuiltWithinLastNHours`. */
export const DEFAULT_KEEP_BUILT_WITHIN_HOURS = 2;

// werf's default keep policies, used when the file has no `keepPolicies` key:
// 1. references: { tag: /.*/, limit: { last: 10 } }
// 2. references: { branch: /.*/, limit: { last: 10, in: 168h, operator: And } },
//    imagesPerReference: { last: 2, in: 168h, operator: And }
// 3. references: { branch: /^(main|master|staging|production)$/ }, imagesPerReference: { last: 10 }
// `imagesPerReference` absent = { last: 1 }; `operator` absent = And.
export function defaultKeepPolicies(): KeepPolicy[] {
  return [
    {
      path: 'default keepPolicies[0]',
      references: { kind: 'tag', pattern: regex('.*'), limit: { last: 10, operator: 'And' } },
      imagesPerReference: { last: 1, operator: 'And' },
    },
    {
      path: 'default keepPolicies[1]',
      references: { kind: 'branch', pattern: regex('.*'), limit: { last: 10, in: 168 * HOUR_MS, operator: 'And' } },
      imagesPerReference: { last: 2, in: 168 * HOUR_MS, operator: 'And' },
    },
    {
      path: 'default keepPolicies[2]',
      references: { kind: 'branch', pattern: regex('^(main|master|staging|production)$') },
      imagesPerReference: { last: 10, operator: 'And' },
    },
  ];
}

/** `imagesPerReference` when a keep policy does not have the key: one image per reference. */
export function defaultImagesPerReference(): KeepPolicy['imagesPerReference'] {
  return { last: 1, operator: 'And' };
}

/** The policy of a file without a `cleanup:` key (or with an empty one). */
export function defaultCleanupPolicy(): CleanupPolicy {
  return {
    keepPolicies: defaultKeepPolicies(),
    defaultKeepPolicies: true,
    keepImagesBuiltWithinLastNHours: DEFAULT_KEEP_BUILT_WITHIN_HOURS,
    disableKubernetesBasedPolicy: false,
    disableGitHistoryBasedPolicy: false,
    disableBuiltWithinLastNHoursPolicy: false,
    keepTags: [],
    imageCommits: { labels: [REVISION_LABEL], tagPatterns: [], branchNames: true, gitTagNames: true },
    unmapped: {},
    untagged: { keepFor: 0 },
    pullRequests: true,
    repositories: [],
  };
}
