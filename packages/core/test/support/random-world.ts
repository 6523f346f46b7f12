/**
 * Small random worlds for property tests of the planner: a commit DAG with merges, branches and tags,
 * images mapped by label, tag or reference name, indexes with (shared) children, signatures and
 * referrers, untagged and unmapped images, workloads using tags and digests, and a random valid
 * policy written as YAML. Everything follows from the seed.
 */
import type { ImageGraph } from '../../src/graph/graph.js';
import type { ClusterImageUse, Digest } from '../../src/ports.js';
import { FakeHistory, idOf } from './fake-history.js';
import { digestOf, GraphBuilder } from '@regsweep/test-kit/image-graph';
import { NOW } from './plan.js';
import { Rng } from './prng.js';

export const REPO = 'registry.test/acme/app';
const DAY = 86_400_000;

export interface WorldOptions {
  /** Parents strictly older than their children and all commit dates distinct. */
  monotonic: boolean;
  /** Only full commit ids and reference names map images (no prefixes), for the brute force. */
  simpleMapping: boolean;
  /** Few images, most built on two neighbouring commits: stresses grouping by newest reached commit. */
  sparse?: boolean;
}

export interface LimitSpec {
  last?: number;
  in?: string;
  operator?: 'And' | 'Or';
}

export interface KeepPolicySpec {
  kind: 'branch' | 'tag';
  pattern: string;
  limit?: LimitSpec;
  images?: LimitSpec;
}

export interface PolicySpec {
  /** Undefined: no `keepPolicies` key, so the default set. */
  keepPolicies?: KeepPolicySpec[];
  keepHours: number;
  keepTags: string[];
  unmappedKeepFor?: string;
  untaggedKeepFor?: string;
  disableGit: boolean;
  disableKube: boolean;
  disableRecent: boolean;
}

export interface World {
  seed: number;
  history: FakeHistory;
  graph: ImageGraph;
  policy: PolicySpec;
  clusterImages: ClusterImageUse[];
  /** Digests that some workload pins, by digest or through a tag of this repository. */
  pinned: Digest[];
}

const BRANCHES = ['main', 'develop', 'feature/login', 'Feature/UI', 'release-1.0', 'fix/bug_2', 'pr-12', 'staging'];
const TAGS = ['v1.0.0', 'v1.1.0', 'v2.0.0-rc.1', 'nightly-tag'];
const DURATIONS = ['90m', '24h', '72h', '7d', '2w', '720h'];

function limit(r: Rng): LimitSpec {
  const l: LimitSpec = {};
  if (r.chance(0.7)) l.last = r.int(0, 4);
  if (r.chance(0.5)) l.in = r.pick(DURATIONS);
  if (r.chance(0.5)) l.operator = r.pick(['And', 'Or'] as const);
  return l;
}

export function randomPolicy(r: Rng): PolicySpec {
  const p: PolicySpec = {
    keepHours: r.pick([0, 0, 2, 48]),
    keepTags: r.chance(0.2) ? ['stable', 'v*'] : [],
    disableGit: r.chance(0.05),
    disableKube: r.chance(0.1),
    disableRecent: r.chance(0.1),
  };
  if (r.chance(0.2)) p.unmappedKeepFor = r.pick(DURATIONS);
  if (r.chance(0.2)) p.untaggedKeepFor = r.pick(DURATIONS);
  if (r.chance(0.85)) {
    p.keepPolicies = [];
    for (let i = r.int(0, 3); i > 0; i--) {
      const kind = r.chance(0.7) ? 'branch' : 'tag';
      const pattern = kind === 'branch'
        ? r.pick(['/.*/', 'main', '/feature\\/.*/', '/(main|develop|staging)/', 'nope', 'Feature/UI'])
        : r.pick(['/.*/', 'v1.0.0', '/v1\\..*/']);
      const kp: KeepPolicySpec = { kind, pattern };
      if (r.chance(0.5)) kp.limit = limit(r);
      if (r.chance(0.7)) kp.images = limit(r);
      p.keepPolicies.push(kp);
    }
  }
  return p;
}

const yamlLimit = (l: LimitSpec, indent: string): string =>
  Object.keys(l).length === 0 ? ' {}\n'
    : '\n' + (l.last !== undefined ? `${indent}last: ${l.last}\n` : '') + (l.in ? `${indent}in: '${l.in}'\n` : '') + (l.operator ? `${indent}operator: ${l.operator}\n` : '');

/** The policy as a werf-style YAML file, to go through `parsePolicyText` like a user's file. */
export function policyYaml(p: PolicySpec, extraKeepTags: readonly string[] = []): string {
  let y = 'cleanup:\n';
  y += `  keepImagesBuiltWithinLastNHours: ${p.keepHours}\n`;
  y += `  disableGitHistoryBasedPolicy: ${p.disableGit}\n  disableKubernetesBasedPolicy: ${p.disableKube}\n  disableBuiltWithinLastNHoursPolicy: ${p.disableRecent}\n`;
  const keepTags = [...p.keepTags, ...extraKeepTags];
  if (keepTags.length > 0) y += `  keepTags: [${keepTags.map((t) => `'${t}'`).join(', ')}]\n`;
  if (p.unmappedKeepFor) y += `  unmapped:\n    keepFor: '${p.unmappedKeepFor}'\n`;
  if (p.untaggedKeepFor) y += `  untagged:\n    keepFor: '${p.untaggedKeepFor}'\n`;
  if (p.keepPolicies) {
    y += p.keepPolicies.length === 0 ? '  keepPolicies: []\n' : '  keepPolicies:\n';
    for (const kp of p.keepPolicies) {
      y += `    - references:\n        ${kp.kind}: '${kp.pattern}'\n`;
      if (kp.limit) y += `        limit:${yamlLimit(kp.limit, '          ')}`;
      if (kp.images) y += `      imagesPerReference:${yamlLimit(kp.images, '        ')}`;
    }
  }
  return y;
}

export function randomWorld(seed: number, options: WorldOptions): World {
  const r = new Rng(seed);
  const h = new FakeHistory();
  const start = NOW.getTime() - 30 * DAY;

  // Commits c0..c(n-1); parents are always earlier commits, so the graph is a DAG.
  const n = r.int(1, 30);
  const step = (30 * DAY) / (n + 1);
  const names: string[] = [];
  const dates: number[] = [];
  for (let i = 0; i < n; i++) {
    const parents: string[] = [];
    if (i > 0 && !r.chance(0.08)) {
      parents.push(names[r.int(Math.max(0, i - 5), i - 1)] as string);
      if (i >= 2 && r.chance(0.22)) {
        const other = names[r.int(0, i - 1)] as string;
        if (!parents.includes(other)) parents.push(other);
      }
      if (i >= 3 && r.chance(0.04)) {
        const third = names[r.int(0, i - 1)] as string;
        if (!parents.includes(third)) parents.push(third);
      }
    }
    let t: number;
    if (options.monotonic) t = start + Math.floor((i + 0.1 + 0.8 * r.next()) * step / 1000) * 1000;
    else {
      t = start + Math.floor(r.next() * 30 * DAY);
      if (r.chance(0.3)) t -= t % DAY; // coarse dates: ties
    }
    const name = `c${i}`;
    h.commit(name, new Date(t).toISOString(), parents);
    names.push(name);
    dates.push(t);
  }
  const anyCommit = (): string => names[r.chance(0.6) ? r.int(Math.floor(n / 2), n - 1) : r.int(0, n - 1)] as string;

  const branches = r.subset(BRANCHES, 0.5);
  for (const b of branches) h.branch(b, anyCommit());
  const gitTags = r.subset(TAGS, 0.35);
  for (const t of gitTags) {
    const c = anyCommit();
    const tagged = dates[names.indexOf(c)] as number;
    h.tag(t, c, r.chance(0.5) ? new Date(tagged + r.int(0, 48) * 3_600_000).toISOString() : undefined);
  }
  // Tags equal to a reference name or a branch slug (§3.3); a registry tag cannot hold `/`.
  const refNames = [...branches, ...branches.map((b) => b.toLowerCase().replace(/[^a-z0-9._-]/g, '-')), ...gitTags]
    .filter((t) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(t));

  // Images.
  const g = new GraphBuilder();
  const used = new Set<string>();
  const tag = (t: string): string[] => (used.has(t) ? [] : (used.add(t), [t]));
  const tagsOf = new Map<string, Digest>();
  const when = (): string | undefined => (r.chance(0.8) ? new Date(NOW.getTime() - r.next() * 30 * DAY).toISOString() : undefined);
  const commitId = (): string => (r.chance(0.1) ? idOf(`gone-${seed}-${r.int(0, 9)}`) : idOf(anyCommit()));
  // Images built on several commits (a reproducible build tagged twice, an index whose children come
  // from different builds) mostly span neighbouring commits.
  const nearId = (id: string): string => {
    const i = names.findIndex((c) => idOf(c) === id);
    return i < 0 || r.chance(0.2) ? commitId() : idOf(names[Math.max(0, i - r.int(1, 3))] as string);
  };
  const children: Digest[] = [];
  const m = options.sparse ? r.int(1, 8) : r.int(0, 30);
  for (let j = 0; j < m; j++) {
    const form = options.sparse ? 'sha' : r.pick(options.simpleMapping ? ['label', 'label', 'sha', 'sha', 'name', 'none'] : ['label', 'label', 'sha', 'name', 'none', 'prefix']);
    const untagged = r.chance(0.15);
    const tags: string[] = [];
    const built = commitId();
    let revision: string | undefined;
    if (form === 'label') revision = built;
    if (form === 'prefix') {
      const k = r.int(7, 12);
      const which = r.int(0, 2);
      if (which === 0) revision = built.slice(0, k);
      else tags.push(...tag(which === 1 ? `sha-${built.slice(0, k)}` : built.slice(0, k)));
    }
    if (form === 'sha') tags.push(...tag(r.chance(0.5) ? `sha-${built}` : built));
    if (form === 'sha' && r.chance(options.sparse ? 0.9 : 0.6)) tags.push(...tag(`sha-${nearId(built)}`)); // two commits
    if (form === 'name' && refNames.length > 0) tags.push(...tag(r.pick(refNames)));
    if (untagged) tags.length = 0;
    else if (tags.length === 0 || r.chance(0.4)) tags.push(...tag(r.chance(0.2) ? r.pick(['latest', 'stable', 'v9']) : `app-${j}`));
    const created = when();
    const pushedAt = r.chance(0.3) ? when() : undefined;
    let d: Digest;
    if (r.chance(0.25)) {
      const kids: Digest[] = [];
      for (let k = r.int(1, 3); k > 0; k--) {
        if (children.length > 0 && r.chance(0.15)) {
          kids.push(r.pick(children)); // shared with another index
          continue;
        }
        const kidTags = r.chance(0.1) ? tag(`child-${j}-${k}`) : [];
        const kid = g.image({ name: `s${seed}-i${j}-k${k}`, tags: kidTags, unlisted: r.chance(0.4) && kidTags.length === 0, ...(form === 'label' || r.chance(0.5) ? { revision: nearId(built) } : {}), ...(created ? { created } : {}) });
        kids.push(kid);
        children.push(kid);
      }
      d = g.index({ name: `s${seed}-i${j}`, tags, children: [...new Set(kids)], ...(revision && r.chance(0.3) ? { revision } : {}), ...(pushedAt ? { pushedAt } : {}) });
    } else {
      d = g.image({ name: `s${seed}-i${j}`, tags, ...(revision ? { revision } : {}), ...(created ? { created } : {}), ...(pushedAt ? { pushedAt } : {}) });
    }
    for (const t of tags) tagsOf.set(t, d);
    if (r.chance(0.2)) g.signature(d, r.pick(['sig', 'att', 'sbom']));
    if (r.chance(0.1)) g.referrer(d, `s${seed}-ref${j}`);
  }
  if (r.chance(0.2)) g.signature(digestOf(`s${seed}-missing-subject`)); // its subject is not in the repository
  const graph = g.build();

  // Workloads.
  const clusterImages: ClusterImageUse[] = [];
  const pinned: Digest[] = [];
  const allTags = [...tagsOf.keys()];
  const allDigests = [...graph.nodes.keys()];
  for (let k = r.int(0, 4); k > 0; k--) {
    const where = { context: 'ctx', namespace: 'ns', kind: 'Deployment', name: `w${k}` };
    const form = r.int(0, 4);
    if (form === 0 && allTags.length > 0) {
      const t = r.pick(allTags);
      clusterImages.push({ image: `${REPO}:${t}`, where });
      pinned.push(tagsOf.get(t) as Digest);
    } else if ((form === 1 || form === 2) && allDigests.length > 0) {
      const d = r.pick(allDigests);
      clusterImages.push({ image: form === 1 ? `${REPO}@${d}` : `${REPO}:${allTags.length > 0 ? r.pick(allTags) : 'whatever'}@${d}`, where }); // the digest wins
      pinned.push(d);
    } else if (form === 3 && allTags.length > 0) {
      clusterImages.push({ image: `other.test/acme/app:${r.pick(allTags)}`, where }); // another repository
    } else {
      clusterImages.push({ image: `${REPO}:no-such-tag-${k}`, where });
    }
  }
  return { seed, history: h, graph, policy: randomPolicy(r), clusterImages, pinned };
}
