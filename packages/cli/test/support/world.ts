/**
 * The project and registry the CLI tests clean up: a real git repository (GitRepoBuilder) with dated
 * commits and a real OCI image layout (LayoutWriter) holding what CI pushed for it. Dates are relative
 * to the fixed NOW of support/cli.ts. What the default policy keeps and deletes is written down here,
 * derived by hand from cleanup-semantics.md, not computed by regsweep.
 *
 *   main           m0 (40d) - m1 (36d) - m2 - m3 (28d) - … - m8 (8d) - m9 (4d) - M (1d, merges f2)
 *   v1.0.0         annotated tag at m1
 *   feature/old    m3 - o1 (26d); branch deleted, never merged
 *   feature/login  m8 - f1 (6d) - f2 (5d); merged into main by M, then deleted
 *   feature/wip    m9 - w1 (3d) - w2 (2d); alive
 *
 * Default policy: main keeps its 10 newest image groups: M, m9, f2, f1, m8 … m3 (f1/f2 through the
 * merge); v1.0.0 keeps m1's images (its own and sha-<m1>); feature/wip keeps w2, w1 (last 2 in 168h).
 * m0, m2, feature/old's image (and its attachments) and the untagged re-push leftover of m9 go.
 */
import { join } from 'node:path';
import { GitRepoBuilder } from '@regsweep/git-local';
import { LayoutWriter } from '@regsweep/oci-layout';
import { daysAgo } from './cli.js';

const REVISION = 'org.opencontainers.image.revision';
export const sha7 = (commit: string): string => `sha-${commit.slice(0, 7)}`;

export interface World {
  root: string;
  gitDir: string;
  layoutDir: string;
  git: GitRepoBuilder;
  main: string[];
  merge: string;
  /** Tags of the world, by role. */
  tags: {
    main: string[];
    release: string;
    merged: string[];
    wip: string[];
    index: string[];
    indexSig: string;
    oldBranch: string[];
    oldSig: string;
    thirdParty: string;
  };
  digests: { index: string; indexReferrer: string; old: string; oldReferrer: string; leftover: string; m9: string };
  /** What the default policy keeps / deletes, by tag, sorted. */
  expectKept: string[];
  expectDeleted: string[];
  /** Untagged digests the default policy deletes (the re-push leftover, feature/old's referrer), sorted. */
  expectDeletedUntagged: string[];
}

/** What a test may add to the world before the layout is written: more branches, commits and images. */
export type WorldExtension = (w: { git: GitRepoBuilder; layout: LayoutWriter; main: readonly string[]; revision: string }) => Promise<void>;

export async function buildWorld(root: string, extend?: WorldExtension): Promise<World> {
  const gitDir = join(root, 'project');
  const layoutDir = join(root, 'registry');
  const git = GitRepoBuilder.init(gitDir);
  const layout = await LayoutWriter.create(layoutDir);

  const main: string[] = [];
  for (let j = 0; j < 9; j++) main.push(git.commit(`main ${j}`, { date: daysAgo(40 - 4 * j) }));
  const m = (j: number): string => main[j] as string;
  git.tag('v1.0.0', { annotated: true, date: daysAgo(35), target: m(1) });

  // feature/old: one commit, pushed, then the branch was deleted without merging.
  git.branch('feature/old', m(3));
  const o1 = git.commit('abandoned idea', { date: daysAgo(26), branch: 'feature/old' });
  git.checkout('main');
  git.deleteBranch('feature/old');

  // feature/login from m8, merged into main yesterday and deleted after the merge.
  git.branch('feature/login', m(8));
  const f1 = git.commit('login form', { date: daysAgo(6), branch: 'feature/login' });
  const f2 = git.commit('login tests', { date: daysAgo(5), branch: 'feature/login' });
  git.checkout('main');
  main.push(git.commit('main 9', { date: daysAgo(4) }));
  const wip1 = git.commit('wip 1', { date: daysAgo(3), branch: 'feature/wip' });
  const wip2 = git.commit('wip 2', { date: daysAgo(2), branch: 'feature/wip' });
  git.checkout('main');
  const merge = git.merge('feature/login', { date: daysAgo(1), message: 'Merge feature/login' });
  git.deleteBranch('feature/login');

  // Per-commit images of main: even commits carry the revision label, odd ones only the sha-<7> tag.
  const push = async (commit: string, days: number, labelled: boolean, tags: string[], text: string): Promise<string> => {
    const labels = labelled ? { [REVISION]: commit } : undefined;
    const img = await layout.addImage({ tags, ...(labels ? { labels } : {}), created: daysAgo(days), layerText: text });
    return img.digest;
  };
  // m9 was built twice: the first build's digest is left untagged when the second takes the tag.
  const leftover = await push(m(9), 4.2, true, [sha7(m(9))], 'main 9, first build');
  let m9 = '';
  for (let j = 0; j < 10; j++) {
    const d = await push(m(j), 40 - 4 * j, j % 2 === 0, [sha7(m(j))], `main ${j}`);
    if (j === 9) m9 = d;
  }
  // The release image: tagged with the git tag's name only (mapped through the tag, §3.3).
  await push(m(1), 35, false, ['v1.0.0'], 'release 1.0.0');
  await push(f1, 6, true, [sha7(f1)], 'login form');
  await push(f2, 5, false, [sha7(f2)], 'login tests');
  await push(wip1, 3, true, [sha7(wip1)], 'wip 1');
  await push(wip2, 2, true, [sha7(wip2)], 'wip 2');

  // The merge commit's build: multi-arch, signed (cosign tag) and with an OCI 1.1 referrer (an SBOM).
  const children: string[] = [];
  for (const architecture of ['amd64', 'arm64']) {
    const child = await layout.addImage({ labels: { [REVISION]: merge }, created: daysAgo(1), platform: { os: 'linux', architecture }, layerText: `merge ${architecture}` });
    children.push(child.digest);
  }
  const index = await layout.addIndex({ tags: [sha7(merge), 'main'], children, annotations: { [REVISION]: merge } });
  const indexSig = await layout.addSignature(index.digest);
  const indexReferrer = await layout.addReferrer(index.digest, { artifactType: 'application/spdx+json', content: 'sbom of the merge build' });

  // feature/old's image, with its own signature and referrer: all three go.
  const old = await push(o1, 26, true, [sha7(o1), 'feature-old'], 'abandoned idea');
  const oldSig = await layout.addSignature(old);
  const oldReferrer = await layout.addReferrer(old, { artifactType: 'application/spdx+json', content: 'sbom of the abandoned idea' });

  // An image regsweep did not build: no revision, no commit-like tag (kept as unmapped).
  await layout.addImage({ tags: ['redis-7'], created: daysAgo(60), layerText: 'third party' });
  if (extend) await extend({ git, layout, main, revision: REVISION });
  await layout.write();

  const tags: World['tags'] = {
    main: main.map(sha7),
    release: 'v1.0.0',
    merged: [sha7(f1), sha7(f2)],
    wip: [sha7(wip1), sha7(wip2)],
    index: [sha7(merge), 'main'],
    indexSig: indexSig.tag,
    oldBranch: [sha7(o1), 'feature-old'],
    oldSig: oldSig.tag,
    thirdParty: 'redis-7',
  };
  const goneMain = [sha7(m(0)), sha7(m(2))];
  const expectDeleted = [...goneMain, ...tags.oldBranch, tags.oldSig].sort();
  const expectKept = [
    ...tags.main.filter((t) => !goneMain.includes(t)), tags.release, ...tags.merged, ...tags.wip, ...tags.index, tags.indexSig, tags.thirdParty,
  ].sort();
  return {
    root, gitDir, layoutDir, git, main, merge, tags,
    digests: { index: index.digest, indexReferrer: indexReferrer.digest, old, oldReferrer: oldReferrer.digest, leftover, m9 },
    expectKept, expectDeleted,
    expectDeletedUntagged: [oldReferrer.digest, leftover].sort(),
  };
}
