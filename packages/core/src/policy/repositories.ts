/**
 * `cleanup.repositories` (regsweep extension): the repositories one run cleans, in werf's storage
 * layout (cleanup-semantics.md §7): primary repositories (`--repo`) cleaned by the policy, final ones
 * (`--final-repo`) that follow a primary's decisions, cache ones (`--cache-repo`) cleaned by age.
 */
import { DURATION_EXPECTED } from './duration.js';
import type { Reader } from './reader.js';
import type { RepositoryRole, RepositorySpec } from './types.js';
import { maskedUserinfo } from '../util/redact.js';

/** `HOST[:PORT]/NAME`: a repository of a registry reached over the network. */
export const REGISTRY_REPOSITORY_PATTERN = '^[A-Za-z0-9.-]+(?::[0-9]+)?/[A-Za-z0-9._/-]+$';

/** What a repository ref may be: `oci:DIR` (an OCI image layout) or `HOST[:PORT]/NAME`. */
export const REPOSITORY_REF_PATTERN = '^(?:oci:.+|[A-Za-z0-9.-]+(?::[0-9]+)?/[A-Za-z0-9._/-]+)$';

export const REPOSITORY_REF_EXPECTED = 'expected oci:DIR (an OCI image layout) or HOST[:PORT]/NAME (a registry repository)';

export const REPOSITORY_KEYS = ['ref', 'role', 'follows', 'keepFor'] as const;
export const REPOSITORY_ROLES: readonly RepositoryRole[] = ['primary', 'final', 'cache', 'secondary'];

const REF = new RegExp(REPOSITORY_REF_PATTERN);
/** A ref with `user:password@` is refused and shown masked: a policy file is no place for a secret. */
const CREDENTIALS_IN_REF = 'holds credentials (user:password@), which are not accepted in a policy file: write HOST[:PORT]/NAME ' +
  'and pass them with --username and --password-stdin, REGSWEEP_REGISTRY_USERNAME and REGSWEEP_REGISTRY_PASSWORD, or docker login';
const ENTRY_EXPECTED =
  'expected a mapping with ref: (oci:DIR or HOST[:PORT]/NAME) and optionally role: (primary, final, cache or secondary), ' +
  'follows: (final only) and keepFor: (cache only)';

/** One entry as read, before the checks across entries. */
interface Entry {
  path: string;
  ref?: string;
  /** Undefined when the role was not valid (already reported). */
  role?: RepositoryRole;
  follows?: string;
  keepFor?: number;
}

function readEntry(r: Reader, value: unknown, path: string): Entry | undefined {
  const o = r.object(value, path, ENTRY_EXPECTED);
  if (!o) return undefined;
  r.onlyKeys(o, path, REPOSITORY_KEYS);
  const entry: Entry = { path };
  const ref = o['ref'];
  if (ref === undefined) r.problem(`${path}.ref`, undefined, `is required: ${REPOSITORY_REF_EXPECTED.replace(/^expected /, '')}`);
  else if (typeof ref === 'string' && maskedUserinfo(ref) !== undefined) r.problem(`${path}.ref`, maskedUserinfo(ref), CREDENTIALS_IN_REF);
  else if (typeof ref === 'string' && REF.test(ref)) entry.ref = ref;
  else r.problem(`${path}.ref`, ref, REPOSITORY_REF_EXPECTED);

  const role = o['role'] ?? 'primary';
  if (typeof role === 'string' && (REPOSITORY_ROLES as readonly string[]).includes(role)) entry.role = role as RepositoryRole;
  else r.problem(`${path}.role`, role, "expected primary, final, cache or secondary (werf's --repo, --final-repo, --cache-repo, --secondary-repo); the default is primary");

  const follows = o['follows'];
  if (follows !== undefined) {
    if (typeof follows === 'string' && maskedUserinfo(follows) !== undefined) {
      r.problem(`${path}.follows`, maskedUserinfo(follows), CREDENTIALS_IN_REF);
    } else if (entry.role !== undefined && entry.role !== 'final') {
      r.problem(`${path}.follows`, follows, `applies to role final only (this entry's role is ${entry.role})`);
    } else if (typeof follows === 'string' && follows !== '') entry.follows = follows;
    else r.problem(`${path}.follows`, follows, 'expected the ref of a primary repository of this list');
  }

  const keepFor = o['keepFor'];
  if (keepFor !== undefined && entry.role !== undefined && entry.role !== 'cache') {
    r.problem(`${path}.keepFor`, keepFor, `applies to role cache only (this entry's role is ${entry.role}); primary and final repositories follow the policy`);
  } else if (keepFor !== undefined) {
    const ms = r.duration(keepFor, `${path}.keepFor`);
    if (ms !== undefined) entry.keepFor = ms;
  } else if (entry.role === 'cache') {
    r.problem(`${path}.keepFor`, undefined, `is required for role cache: how long its images stay; ${DURATION_EXPECTED}`);
  }
  return entry;
}

/**
 * Reads `cleanup.repositories`. Besides each entry's own keys it checks the list as a whole: a ref
 * listed twice, a final repository without any primary, `follows` naming no primary of the list.
 * Returns the entries only when all of them are valid (the caller drops the result on problems).
 */
export function readRepositories(r: Reader, value: unknown, path: string): RepositorySpec[] {
  const list = r.array(value, path, `expected a list of repositories, each ${ENTRY_EXPECTED.replace(/^expected /, '')}`);
  if (!list) return [];
  const entries: Array<Entry | undefined> = list.map((item, i) => readEntry(r, item, `${path}[${i}]`));

  const firstPath = new Map<string, string>();
  for (const e of entries) {
    if (e?.ref === undefined) continue;
    const seen = firstPath.get(e.ref);
    if (seen === undefined) firstPath.set(e.ref, e.path);
    else r.problem(`${e.path}.ref`, e.ref, `is already listed as ${seen}; each repository is listed once`);
  }

  const primaries = entries.filter((e): e is Entry & { ref: string } => e?.role === 'primary' && e.ref !== undefined);
  const primaryRefs = primaries.map((e) => e.ref);
  const accepted = primaryRefs.length > 0
    ? `expected the ref of a primary repository of this list: ${primaryRefs.join(', ')}`
    : 'expected the ref of a primary repository, and this list has none';
  const byRef = new Map(entries.flatMap((e) => (e?.ref !== undefined ? [[e.ref, e] as const] : [])));
  const out: RepositorySpec[] = [];
  for (const e of entries) {
    if (!e || e.ref === undefined || e.role === undefined) continue;
    if (e.role === 'primary') out.push({ ref: e.ref, path: e.path, role: 'primary' });
    else if (e.role === 'secondary') out.push({ ref: e.ref, path: e.path, role: 'secondary' });
    else if (e.role === 'cache') {
      if (e.keepFor !== undefined) out.push({ ref: e.ref, path: e.path, role: 'cache', keepFor: e.keepFor });
    } else if (e.follows !== undefined) {
      const target = byRef.get(e.follows);
      if (target === undefined) r.problem(`${e.path}.follows`, e.follows, `names no repository of this list; ${accepted}`);
      else if (target.role !== undefined && target.role !== 'primary') {
        r.problem(`${e.path}.follows`, e.follows, `names a ${target.role} repository (${target.path}), but a final repository follows a primary one; ${accepted}`);
      } else out.push({ ref: e.ref, path: e.path, role: 'final', follows: e.follows });
    } else if (primaries[0] !== undefined) out.push({ ref: e.ref, path: e.path, role: 'final', follows: primaries[0].ref });
    else if (!entries.some((p) => p?.role === 'primary')) {
      // (A primary whose ref is not valid has its own problem; this one would only confuse.)
      r.problem(`${e.path}.role`, 'final', 'a final repository follows the decisions of a primary one, and this list has none; add the primary repository (role primary, the default)');
    }
  }
  return out;
}
