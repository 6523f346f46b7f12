/** The validated cleanup policy (cleanup-semantics.md §2). Durations are milliseconds. */
import type { LinearRegex } from '../util/linear-regex.js';

/** How a limit's `last` and `in` combine (docs/cleanup-semantics.md §2): `And` (the default) or `Or`. */
export type Operator = 'And' | 'Or';

/** `/re/` in the file is a regular expression anchored at both ends; any other string a literal name. */
export type NamePattern =
  | { kind: 'regex'; source: string; regex: LinearRegex }
  | { kind: 'literal'; value: string };

/** A keep policy's limit on references or on images per reference: the last N, within a duration, or both. */
export interface Limit {
  /** Undefined = unlimited. */
  last?: number;
  /** Milliseconds; undefined = no time bound. */
  in?: number;
  operator: Operator;
}

/** One entry of `cleanup.keepPolicies`: which references it selects and how many images of each it keeps. */
export interface KeepPolicy {
  /** Where the policy stands in the file, for messages: `cleanup.keepPolicies[1]`, or `default keepPolicies[1]` for the default set. */
  path: string;
  /** 1-based line of the entry in the policy file, when it was read from one. */
  line?: number;
  references: {
    kind: 'branch' | 'tag';
    pattern: NamePattern;
    /** Undefined = every matching reference is selected. */
    limit?: Limit;
  };
  /** Absent in the file = `{ last: 1 }`. */
  imagesPerReference: Limit;
}

/** How long a class of images stays; `undefined` keepFor = forever. */
export interface KeepFor {
  keepFor?: number;
}

/** A whole validated policy: what `policyFromText` answers and what the planner applies. */
export interface CleanupPolicy {
  keepPolicies: KeepPolicy[];
  /** True when the file had no `keepPolicies` and the default set applies. */
  defaultKeepPolicies: boolean;
  /** Hours; 0 turns the window off. */
  keepImagesBuiltWithinLastNHours: number;
  disableKubernetesBasedPolicy: boolean;
  disableGitHistoryBasedPolicy: boolean;
  disableBuiltWithinLastNHoursPolicy: boolean;
  // regsweep extensions (beside werf's keys under `cleanup:`)
  /** Tag globs (minimatch) whose tags are always kept. */
  keepTags: string[];
  /** How images map to commits (§3). */
  imageCommits: {
    /** Label / annotation keys read for a revision, in order. Default `org.opencontainers.image.revision`. */
    labels: string[];
    /** Extra tag forms: regular expressions with a named group `sha` (7-40 hex). */
    tagPatterns: LinearRegex[];
    /** Map tags equal to a branch name or its slug (§3.3). Default true. */
    branchNames: boolean;
    /** Map tags equal to a git tag name (§3.3). Default true. */
    gitTagNames: boolean;
  };
  /** Images no commit could be found for (§5). Default: kept forever. */
  unmapped: KeepFor;
  /** Untagged images (§5). Default keepFor 0: deleted unless in-use or recent keeps them. */
  untagged: KeepFor;
  /** Open pull / merge requests count as references `pr-<n>` / `mr-<iid>` (forge adapters). Default true. */
  pullRequests: boolean;
  /**
   * The repositories one run cleans (werf's storage layout, cleanup-semantics.md §7), in the file's order. Default
   * none (an empty list): the front end's own flags name them (`--registry`).
   */
  repositories: RepositorySpec[];
}

/**
 * werf's storage roles: `--repo` (primary), `--final-repo` (final), `--cache-repo` (cache) and
 * `--secondary-repo` (secondary: werf reads images from it and never writes; regsweep neither).
 */
export type RepositoryRole = 'primary' | 'final' | 'cache' | 'secondary';

/**
 * One entry of `cleanup.repositories`, validated. `ref` is what the front end opens (`oci:DIR` or
 * `HOST[:PORT]/NAME`), as written; `path` is where the entry stands in the file, for messages.
 */
export type RepositorySpec =
  /** Cleaned by the policy. */
  | { ref: string; path: string; role: 'primary' }
  /** Kept where its primary keeps the same digest or tag. `follows`: that primary's ref (default the first primary). */
  | { ref: string; path: string; role: 'final'; follows: string }
  /** Cleaned by age only: images younger than `keepFor` (milliseconds) stay. */
  | { ref: string; path: string; role: 'cache'; keepFor: number }
  /** Read-only for werf: never opened, listed or written; the report names it untouched. */
  | { ref: string; path: string; role: 'secondary' };

/** One validation problem, with everything a user needs to fix it. */
export interface PolicyProblem {
  /** The file the policy came from, when known. */
  file?: string;
  /** `cleanup.keepPolicies[1].references.limit.in` */
  path: string;
  /** The offending value, rendered for a message (JSON); undefined when a key is missing. */
  value?: string;
  /** What is wrong and what is accepted. */
  message: string;
}
