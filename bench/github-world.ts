// The world of `npm run bench:github` (bench/github.ts): a git repository in the fake GraphQL endpoint's
// model and a GHCR package in the fake Packages API and the fake ghcr.io, deterministic from a seed.
// Sizes scale with `scale` (1 = the 10,000 versions, 500 branches, 1,000 to delete).
import { createHash } from 'node:crypto';
import { oidOf, RepoModel } from '@regsweep/test-kit/fake-graphql';
import { OCI_INDEX, OCI_MANIFEST, type FakeGhcrOci } from '@regsweep/test-kit/fake-ghcr-oci';
import type { FakeVersion } from '@regsweep/test-kit/fake-packages';

export const REV = 'org.opencontainers.image.revision';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const COSIGN = 'application/vnd.dev.cosign.simplesigning.v1+json';

/**
 * The stated policy: every git tag keeps its image, every branch (and open pull request) its last 10
 * images, main every image of a year; untagged versions stay a week.
 */
export const POLICY_YAML = `cleanup:
  keepPolicies:
    - references: { tag: /.*/ }
    - references: { branch: /.*/ }
      imagesPerReference: { last: 10 }
    - references: { branch: main }
      imagesPerReference: { in: 8760h }
  untagged: { keepFor: 168h }
`;

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (t: number): string => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The fake registry's stores (private fields of FakeGhcrOci, which has no index or signature helper). */
interface OciStores {
  manifests: Map<string, { mediaType: string; bytes: Buffer }>;
  blobs: Map<string, Buffer>;
}

interface PushedVersion {
  digest: string;
  tags: string[];
  at: number;
}

export interface World {
  model: RepoModel;
  versions: FakeVersion[];
  refs: { branches: number; tags: number; pulls: number };
  /** Digests the policy should delete (the bench checks the plan against it). */
  expectedDeletes: Set<string>;
  /** Listed digests whose tags decide their fate (cosign signatures): never to be read. */
  attachments: Set<string>;
  /** Listed untagged digests that are index children (their index decides their fate). */
  children: number;
  indexes: number;
  /** Untagged rebuilds younger than untagged.keepFor (read: they are kept) and older (decided unread by push time). */
  untaggedRecent: number;
  untaggedOld: number;
  composition: string;
  commits: number;
}

export function buildWorld(o: { scale: number; seed: number; now: Date; oci: FakeGhcrOci; repo: string }): World {
  const rnd = random(o.seed);
  const n = (full: number): number => Math.max(1, Math.round(full * o.scale));
  const NOW = o.now.getTime();
  const stores = o.oci as unknown as OciStores;
  const put = (mediaType: string, body: object): { digest: string; size: number } => {
    const bytes = Buffer.from(JSON.stringify(body));
    const digest = sha256(bytes);
    stores.manifests.set(`${o.repo}@${digest}`, { mediaType, bytes });
    return { digest, size: bytes.length };
  };
  const sizeOf = (digest: string): number => stores.manifests.get(`${o.repo}@${digest}`)?.bytes.length ?? 0;

  /** A single-arch image: its config has the revision label (unless `label` is false) and the build time. */
  const image = (commit: string, created: number, extra: { label?: boolean; arch?: string; build?: string } = {}): string => {
    const labels: Record<string, string> = extra.label === false ? { 'bench.commit': commit } : { [REV]: commit };
    if (extra.build !== undefined) labels['bench.build'] = extra.build;
    return o.oci.addImage(o.repo, {
      created: iso(created), architecture: extra.arch ?? 'amd64', os: 'linux',
      config: { Labels: labels }, rootfs: { type: 'layers', diff_ids: [] },
    });
  };
  /** A multi-arch image: an index annotated with the revision, two children (amd64, arm64). */
  const multiArch = (commit: string, created: number): { index: string; children: string[] } => {
    const children = ['amd64', 'arm64'].map((arch) => image(commit, created, { arch }));
    const { digest } = put(OCI_INDEX, {
      schemaVersion: 2, mediaType: OCI_INDEX,
      manifests: children.map((d, i) => ({ mediaType: OCI_MANIFEST, digest: d, size: sizeOf(d), platform: { architecture: i === 0 ? 'amd64' : 'arm64', os: 'linux' } })),
      annotations: { [REV]: commit, 'org.opencontainers.image.created': iso(created) },
    });
    return { index: digest, children };
  };
  /** A cosign signature of `subject`, tagged `sha256-<hex>.sig`. */
  const signature = (subject: string): string => {
    const payload = Buffer.from(JSON.stringify({ critical: { image: { 'docker-manifest-digest': subject } } }));
    const layer = sha256(payload);
    stores.blobs.set(`${o.repo}@${layer}`, payload);
    const config = Buffer.from('{}');
    stores.blobs.set(`${o.repo}@${sha256(config)}`, config);
    return put(OCI_MANIFEST, {
      schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: { mediaType: COSIGN, digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: layer, size: payload.length, annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ…' } }],
    }).digest;
  };

  const model = new RepoModel('acme', 'app');
  const pushed: PushedVersion[] = [];
  const expectedDeletes = new Set<string>();
  const attachments = new Set<string>();
  let children = 0;
  let indexes = 0;
  const push = (digest: string, tags: string[], at: number, doomed = false): void => {
    pushed.push({ digest, tags, at });
    if (doomed) expectedDeletes.add(digest);
  };
  /** An image per commit (single- or multi-arch), pushed 10 minutes after the commit. */
  const build = (commit: string, date: number, tags: string[], opts: { multi?: boolean; label?: boolean; doomed?: boolean } = {}): string => {
    const at = date + 10 * 60_000;
    if (opts.multi) {
      const m = multiArch(commit, date + 5 * 60_000);
      push(m.index, tags, at, opts.doomed);
      for (const c of m.children) push(c, [], at - 1000, opts.doomed);
      indexes += 1;
      children += m.children.length;
      return m.index;
    }
    const d = image(commit, date + 5 * 60_000, { label: opts.label ?? true });
    push(d, tags, at, opts.doomed);
    return d;
  };
  const sha7 = (id: string): string => `sha-${id.slice(0, 7)}`;

  // ---- main: a commit every 3 hours, an image each; the oldest have no revision label (sha-<7> only) ----
  const MAIN = n(2600);
  const MULTI_MAIN = n(150);
  const UNLABELLED = n(200);
  const RELEASES = n(20);
  const mainDate = (i: number): number => NOW - (MAIN - 1 - i) * 3 * HOUR - 30 * 60_000;
  const main: { id: string; date: number }[] = [];
  for (let i = 0; i < MAIN; i++) {
    const id = model.commit(`m${i}`, new Date(mainDate(i)), i > 0 ? [`m${i - 1}`] : []);
    main.push({ id, date: mainDate(i) });
  }
  model.branch('main', `m${MAIN - 1}`);
  const multiMain = new Set<number>();
  while (multiMain.size < MULTI_MAIN) multiMain.add(UNLABELLED + Math.floor(rnd() * (MAIN - UNLABELLED)));
  const releaseAt = new Map<number, string>();
  for (let k = 0; k < RELEASES; k++) {
    const i = MAIN - 1 - k * Math.floor((MAIN - UNLABELLED) / RELEASES);
    const name = `v1.${RELEASES - 1 - k}.0`;
    if (k % 2 === 0) model.tag(name, `m${i}`);
    else model.annotatedTag(name, `m${i}`, iso(main[i]!.date + HOUR));
    releaseAt.set(i, name);
  }
  const signable: string[] = [];
  main.forEach((c, i) => {
    const tags = [sha7(c.id)];
    if (i % 10 === 0) tags.push(c.id);
    const release = releaseAt.get(i);
    if (release !== undefined) tags.push(release);
    if (i === MAIN - 1) tags.push('main', 'latest');
    const d = build(c.id, c.date, tags, { multi: multiMain.has(i), label: i >= UNLABELLED });
    if (i >= UNLABELLED) signable.push(d);
  });

  // ---- live branches: 10 commits an hour apart on a main commit, tips spread over 58 days ----
  const BRANCHES = n(500);
  const PER_BRANCH = 10;
  const PULLS = n(30);
  const kinds = ['feature', 'fix', 'chore', 'feature', 'deps'];
  const tips: string[] = [];
  for (let b = 0; b < BRANCHES; b++) {
    const tip = NOW - HOUR - Math.floor((b * 58 * DAY) / BRANCHES);
    const first = tip - (PER_BRANCH - 1) * HOUR;
    const fork = Math.max(0, Math.min(MAIN - 1, Math.floor((first - HOUR - mainDate(0)) / (3 * HOUR))));
    const name = `${kinds[b % kinds.length]}/topic-${b}`;
    let parent = `m${fork}`;
    for (let j = 0; j < PER_BRANCH; j++) {
      const label = `b${b}-${j}`;
      const date = first + j * HOUR;
      const id = model.commit(label, new Date(date), [parent]);
      parent = label;
      const tags = [sha7(id)];
      if (j === PER_BRANCH - 1) tags.push(name.replace(/[^a-z0-9._-]/g, '-'));
      signable.push(build(id, date, tags));
    }
    model.branch(name, parent);
    tips.push(parent);
  }
  for (let p = 0; p < PULLS; p++) model.pr(100 + p, tips[p * Math.floor(BRANCHES / PULLS)]!);

  // ---- deleted branches: their commits are gone from the repository, their images stay in the registry ----
  const GONE = n(100);
  const GONE_COMMITS = 4;
  const goneTips: string[] = [];
  for (let g = 0; g < GONE; g++) {
    const tip = NOW - 20 * DAY - Math.floor((g * 80 * DAY) / GONE);
    let last = '';
    for (let j = 0; j < GONE_COMMITS; j++) {
      const id = oidOf(`gone${g}-${j}`);
      const tags = [sha7(id)];
      const isTip = j === GONE_COMMITS - 1;
      if (isTip) tags.push(`fix-gone-${g}`);
      last = build(id, tip - (GONE_COMMITS - 1 - j) * HOUR, tags, { doomed: true, multi: isTip && g % 2 === 0 });
    }
    goneTips.push(last);
  }

  // ---- cosign signatures: of kept images, and of each deleted branch's tip ----
  const SIGNED = n(600);
  const signedSet = new Set<string>();
  while (signedSet.size < SIGNED) signedSet.add(signable[Math.floor(rnd() * signable.length)]!);
  const atOf = new Map(pushed.map((p) => [p.digest, p.at]));
  const sign = (subject: string, doomed: boolean): void => {
    const d = signature(subject);
    attachments.add(d);
    push(d, [`${subject.replace(':', '-')}.sig`], (atOf.get(subject) ?? NOW) + 60_000, doomed);
  };
  for (const s of signedSet) sign(s, false);
  for (const s of goneTips) sign(s, true);

  // ---- untagged versions: earlier builds of existing commits whose tag moved on ----
  const UNTAGGED_RECENT = n(500);
  const UNTAGGED_OLD = n(400);
  const allCommits = [...model.commits.values()];
  for (let u = 0; u < UNTAGGED_RECENT + UNTAGGED_OLD; u++) {
    const recent = u < UNTAGGED_RECENT;
    const at = recent ? NOW - 2 * HOUR - Math.floor(rnd() * 158 * HOUR) : NOW - 8 * DAY - Math.floor(rnd() * 300 * DAY);
    const c = allCommits[Math.floor(rnd() * allCommits.length)]!;
    push(image(c.oid, at - 5 * 60_000, { build: `rebuild-${u}` }), [], at, !recent);
  }

  // ---- versions: ids in push order (GHCR lists newest first) ----
  pushed.sort((a, b) => a.at - b.at || (a.digest < b.digest ? -1 : 1));
  const seen = new Set<string>();
  const versions: FakeVersion[] = pushed.map((p, i) => {
    if (seen.has(p.digest)) throw new Error(`two versions of ${p.digest}: pick another seed`);
    seen.add(p.digest);
    return { id: 100_000 + i, name: p.digest, tags: p.tags, created_at: iso(p.at), updated_at: iso(p.at) };
  });
  const untagged = UNTAGGED_RECENT + UNTAGGED_OLD;
  return {
    model, versions, expectedDeletes, attachments, children, indexes, untaggedRecent: UNTAGGED_RECENT, untaggedOld: UNTAGGED_OLD,
    refs: { branches: model.branches.size, tags: model.tags.size, pulls: model.pulls.length },
    commits: model.commits.size,
    composition:
      `main ${MAIN} commits (${UNLABELLED} oldest images without revision label, ${MULTI_MAIN} multi-arch), ` +
      `${BRANCHES} branches x ${PER_BRANCH} commits, ${PULLS} open PRs, ${RELEASES} release tags; ` +
      `registry: ${indexes} indexes (+${children} untagged children), ${attachments.size} cosign signatures (${GONE} of deleted images), ` +
      `${untagged} untagged rebuilds (${UNTAGGED_OLD} older than a week), ${GONE} deleted branches x ${GONE_COMMITS} images`,
  };
}
