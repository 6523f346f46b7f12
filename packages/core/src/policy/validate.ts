/**
 * Validation of the policy file (cleanup-semantics.md §2): from the parsed YAML of the whole document
 * to a `CleanupPolicy`, or every problem found (it does not stop at the first).
 */
import { defaultCleanupPolicy, defaultImagesPerReference, defaultKeepPolicies } from './defaults.js';
import { DURATION_EXPECTED, parseDuration } from './duration.js';
import { checkTagGlob, parseNamePattern, parseTagCommitPattern, TAG_GLOB_EXPECTED } from './pattern.js';
import { Reader, type Obj } from './reader.js';
import { readRepositories } from './repositories.js';
import type { CleanupPolicy, KeepFor, KeepPolicy, Limit, NamePattern, PolicyProblem } from './types.js';

export type PolicyValidation =
  | { policy: CleanupPolicy; warnings: string[] }
  | { problems: PolicyProblem[] };

export interface ValidateOptions {
  /** The file the data came from; copied into problems and warnings. */
  file?: string;
}

/** Keys accepted under `cleanup:`, werf's first, then regsweep's extensions. */
export const CLEANUP_KEYS = [
  'keepPolicies',
  'keepImagesBuiltWithinLastNHours',
  'disableKubernetesBasedPolicy',
  'disableGitHistoryBasedPolicy',
  'disableBuiltWithinLastNHoursPolicy',
  'keepTags',
  'imageCommits',
  'unmapped',
  'untagged',
  'pullRequests',
  'repositories',
] as const;
const KEEP_POLICY_KEYS = ['references', 'imagesPerReference'] as const;
const REFERENCES_KEYS = ['branch', 'tag', 'limit'] as const;
const LIMIT_KEYS = ['last', 'in', 'operator'] as const;
const IMAGE_COMMITS_KEYS = ['labels', 'tagPatterns', 'branchNames', 'gitTagNames'] as const;
const KEEP_FOR_KEYS = ['keepFor'] as const;

/**
 * Validates the parsed YAML of a whole document (a regsweep policy file or a werf.yaml). The policy
 * is under the top-level `cleanup:` key; other top-level keys are ignored. No `cleanup:` = defaults.
 */
export function validatePolicy(data: unknown, options: ValidateOptions = {}): PolicyValidation {
  const r = new Reader(options.file);
  const policy = defaultCleanupPolicy();
  if (data !== undefined && data !== null) {
    const doc = r.object(data, '(document)', 'expected a YAML mapping with a top-level cleanup: key');
    if (doc && doc['cleanup'] !== undefined) readCleanup(r, doc['cleanup'], policy);
  }
  if (r.problems.length > 0) return { problems: r.problems };
  return { policy, warnings: r.warnings };
}

function readCleanup(r: Reader, value: unknown, policy: CleanupPolicy): void {
  const path = 'cleanup';
  const c = r.object(value, path, `expected a mapping with the keys ${CLEANUP_KEYS.join(', ')}`);
  if (!c) return;
  r.onlyKeys(c, path, CLEANUP_KEYS);
  if (c['keepPolicies'] !== undefined) {
    policy.defaultKeepPolicies = false;
    policy.keepPolicies = [];
    const list = r.array(c['keepPolicies'], `${path}.keepPolicies`, 'expected a list of keep policies');
    list?.forEach((item, i) => {
      const kp = readKeepPolicy(r, item, `${path}.keepPolicies[${i}]`);
      if (kp) policy.keepPolicies.push(kp);
    });
  } else {
    policy.keepPolicies = defaultKeepPolicies();
  }
  const hours = c['keepImagesBuiltWithinLastNHours'];
  if (hours !== undefined) {
    if (typeof hours === 'number' && Number.isFinite(hours) && hours >= 0) policy.keepImagesBuiltWithinLastNHours = hours;
    else r.problem(`${path}.keepImagesBuiltWithinLastNHours`, hours, 'expected a non-negative number of hours (default 2); 0 turns the window off');
  }
  policy.disableKubernetesBasedPolicy = r.bool(c, path, 'disableKubernetesBasedPolicy', false);
  policy.disableGitHistoryBasedPolicy = r.bool(c, path, 'disableGitHistoryBasedPolicy', false);
  policy.disableBuiltWithinLastNHoursPolicy = r.bool(c, path, 'disableBuiltWithinLastNHoursPolicy', false);
  policy.pullRequests = r.bool(c, path, 'pullRequests', true);
  if (c['keepTags'] !== undefined) policy.keepTags = readKeepTags(r, c['keepTags'], `${path}.keepTags`);
  if (c['imageCommits'] !== undefined) readImageCommits(r, c['imageCommits'], `${path}.imageCommits`, policy);
  if (c['unmapped'] !== undefined) policy.unmapped = readKeepFor(r, c['unmapped'], `${path}.unmapped`, true);
  if (c['untagged'] !== undefined) policy.untagged = readKeepFor(r, c['untagged'], `${path}.untagged`, false);
  if (c['repositories'] !== undefined) policy.repositories = readRepositories(r, c['repositories'], `${path}.repositories`);
}

function readKeepPolicy(r: Reader, value: unknown, path: string): KeepPolicy | undefined {
  const kp = r.object(value, path, 'expected a keep policy: a mapping with references: and optionally imagesPerReference:');
  if (!kp) return undefined;
  r.onlyKeys(kp, path, KEEP_POLICY_KEYS);
  const references = readReferences(r, kp['references'], `${path}.references`);
  let imagesPerReference: Limit | undefined = defaultImagesPerReference();
  if (kp['imagesPerReference'] !== undefined) {
    imagesPerReference = readLimit(r, kp['imagesPerReference'], `${path}.imagesPerReference`, 'images');
  }
  if (!references || !imagesPerReference) return undefined;
  return { path, references, imagesPerReference };
}

function readReferences(r: Reader, value: unknown, path: string): KeepPolicy['references'] | undefined {
  const what = 'a mapping with exactly one of branch: or tag: (a name or /regex/), and optionally limit:';
  if (value === undefined) {
    r.problem(path, undefined, `is required: ${what}`);
    return undefined;
  }
  const refs = r.object(value, path, `expected ${what}`);
  if (!refs) return undefined;
  r.onlyKeys(refs, path, REFERENCES_KEYS);
  const hasBranch = refs['branch'] !== undefined;
  const hasTag = refs['tag'] !== undefined;
  let kind: 'branch' | 'tag' | undefined;
  let pattern: NamePattern | undefined;
  if (hasBranch && hasTag) {
    r.problem(path, refs, 'has both branch: and tag:; a keep policy selects branches or tags, write one policy for each');
  } else if (!hasBranch && !hasTag) {
    r.problem(path, refs, 'needs exactly one of branch: or tag: (a name or /regex/; /.*/ matches every name)');
  } else {
    kind = hasBranch ? 'branch' : 'tag';
    pattern = readNamePattern(r, refs[kind], `${path}.${kind}`, kind);
  }
  let limit: Limit | undefined;
  if (refs['limit'] !== undefined) {
    limit = readLimit(r, refs['limit'], `${path}.limit`, 'references');
    if (!limit) return undefined;
  }
  if (!kind || !pattern) return undefined;
  return limit ? { kind, pattern, limit } : { kind, pattern };
}

function readNamePattern(r: Reader, value: unknown, path: string, kind: 'branch' | 'tag'): NamePattern | undefined {
  const accepted = `expected a ${kind} name (matched exactly) or a regular expression written as /…/ (anchored at both ends)`;
  if (typeof value !== 'string') {
    r.problem(path, value, accepted);
    return undefined;
  }
  const result = parseNamePattern(value);
  if ('error' in result) {
    r.problem(path, value, `${result.error}; ${accepted}`);
    return undefined;
  }
  return result.pattern;
}

/** `limit` (of references) or `imagesPerReference` (of images). */
function readLimit(r: Reader, value: unknown, path: string, counted: 'references' | 'images'): Limit | undefined {
  const o = r.object(value, path, 'expected a mapping with the keys last, in and operator (each optional)');
  if (!o) return undefined;
  r.onlyKeys(o, path, LIMIT_KEYS);
  let ok = true;
  const limit: Limit = { operator: 'And' };
  const last = o['last'];
  if (last !== undefined) {
    if (typeof last === 'number' && Number.isInteger(last) && last >= 0) limit.last = last;
    else {
      ok = false;
      const unit = counted === 'references' ? 'references to keep' : 'images each reference keeps';
      r.problem(`${path}.last`, last, `expected a non-negative integer: the number of ${unit} (omit it for no limit)`);
    }
  }
  if (o['in'] !== undefined) {
    const ms = r.duration(o['in'], `${path}.in`);
    if (ms === undefined) ok = false;
    else limit.in = ms;
  }
  const op = o['operator'];
  if (op === 'And' || op === 'Or') limit.operator = op;
  else if (op !== undefined) {
    ok = false;
    r.problem(`${path}.operator`, op, 'expected And or Or (exactly so, with a capital letter); the default is And');
  }
  if (ok && limit.operator === 'Or' && limit.in === undefined) {
    r.warn(
      `${path}.operator`,
      counted === 'references'
        ? 'operator Or without in selects every reference the pattern matches (last has no effect); did you mean And, or to add in?'
        : 'operator Or without in has no effect: last alone decides how many images each reference keeps',
    );
  }
  return ok ? limit : undefined;
}

function readKeepTags(r: Reader, value: unknown, path: string): string[] {
  const list = r.array(value, path, 'expected a list of tag globs (tags matching any of them are always kept)');
  const out: string[] = [];
  list?.forEach((glob, i) => {
    const problem = typeof glob === 'string' ? checkTagGlob(glob) : 'not a string';
    if (problem === undefined && typeof glob === 'string') out.push(glob);
    else r.problem(`${path}[${i}]`, glob, `${problem}; ${TAG_GLOB_EXPECTED}`);
  });
  return out;
}

function readImageCommits(r: Reader, value: unknown, path: string, policy: CleanupPolicy): void {
  const o = r.object(value, path, `expected a mapping with the keys ${IMAGE_COMMITS_KEYS.join(', ')}`);
  if (!o) return;
  r.onlyKeys(o, path, IMAGE_COMMITS_KEYS);
  const ic = policy.imageCommits;
  if (o['labels'] !== undefined) {
    ic.labels = [];
    r.array(o['labels'], `${path}.labels`, 'expected a list of label / annotation keys')?.forEach((label, i) => {
      if (typeof label === 'string' && label.length > 0) ic.labels.push(label);
      else r.problem(`${path}.labels[${i}]`, label, 'expected a label or annotation key such as org.opencontainers.image.revision');
    });
  }
  if (o['tagPatterns'] !== undefined) {
    r.array(o['tagPatterns'], `${path}.tagPatterns`, 'expected a list of /regex/ with a named group (?<sha>…)')?.forEach(
      (text, i) => {
        const result = typeof text === 'string' ? parseTagCommitPattern(text) : { error: 'expected a string' };
        if ('regex' in result) ic.tagPatterns.push(result.regex);
        else r.problem(`${path}.tagPatterns[${i}]`, text, `${result.error}, e.g. /build-(?<sha>[0-9a-f]{40})/`);
      },
    );
  }
  ic.branchNames = r.bool(o, path, 'branchNames', true);
  ic.gitTagNames = r.bool(o, path, 'gitTagNames', true);
}

function readKeepFor(r: Reader, value: unknown, path: string, forever: boolean): KeepFor {
  const o: Obj | undefined = r.object(value, path, 'expected a mapping with the key keepFor');
  if (!o) return {};
  r.onlyKeys(o, path, KEEP_FOR_KEYS);
  const keepFor = o['keepFor'];
  if (keepFor === undefined) return forever ? {} : { keepFor: 0 };
  if (forever && keepFor === 'forever') return {};
  const ms = typeof keepFor === 'string' ? parseDuration(keepFor) : undefined;
  if (ms === undefined) {
    r.problem(`${path}.keepFor`, keepFor, forever ? `${DURATION_EXPECTED}, or forever` : DURATION_EXPECTED);
    return {};
  }
  return { keepFor: ms };
}
