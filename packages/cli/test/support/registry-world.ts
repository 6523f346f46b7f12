/**
 * The project and the images CI pushed for it, for the CLI tests against the real registry: a git
 * repository (GitRepoBuilder) and images pushed over the Distribution HTTP API (the oci-registry test
 * Pusher). Dates are relative to the fixed NOW of support/cli.ts. What the default policy keeps and
 * deletes is written down here by hand from cleanup-semantics.md, not computed by regsweep.
 *
 *   main         m0 (40d) - m1 (37d) - … - m12 (4d) - m13 (1d)      one commit every 3 days
 *   v1.0.0       annotated tag at m1
 *   feature/old  m5 - o1 (24d); the branch was deleted, never merged
 *   feature/wip  m13 - w1 (12h); alive
 *
 * Images (tags):
 *   m0, m3              sha-<7>                       deleted (main keeps its 10 newest groups, m4…m13)
 *   m1                  sha-<7>, v1.0.0               kept (the tag policy)
 *   m2                  index sha-<7> (amd64, arm64) + cosign .sig      deleted with its signature (the
 *                       untagged children stay: distribution lists no untagged manifest)
 *   m4 … m11            sha-<7>                       kept (main)
 *   m12                 index sha-<7> (amd64, arm64) + cosign .sig      kept with its children and signature
 *   m13                 sha-<7>, main, latest         kept (main, feature/wip)
 *   w1                  sha-<7>, feature-wip          kept (feature/wip: last 2 in 168h)
 *   o1                  sha-<7>, feature-old          deleted (its commit is gone)
 *   hotfix              hotfix, sha-<40 hex of a commit nobody has>, built 1 h ago: kept (recent); its
 *                       sha- tag names a gone commit, so it is removed alone (stale tag)
 *   redis-7             no label, 60 days old         kept (unmapped)
 */
import { join } from 'node:path';
import { GitRepoBuilder } from '@regsweep/git-local';
import type { Pusher, PushedImage } from '@regsweep/test-kit/push';
import { daysAgo, NOW } from './cli.js';

const HOUR = 3_600_000;
export const sha7 = (commit: string): string => `sha-${commit.slice(0, 7)}`;
/** A well-formed commit id no history holds. */
export const GONE_COMMIT = 'deadbeef'.repeat(5);

export interface Project {
  gitDir: string;
  main: string[];
  old: string;
  wip: string;
}

/** The git side, made once per test file. */
export function buildProject(root: string): Project {
  const gitDir = join(root, 'project');
  const git = GitRepoBuilder.init(gitDir);
  const main: string[] = [];
  for (let j = 0; j < 14; j++) main.push(git.commit(`main ${j}`, { date: daysAgo(40 - 3 * j) }));
  git.tag('v1.0.0', { annotated: true, date: daysAgo(36), target: main[1] });
  git.branch('feature/old', main[5]);
  const old = git.commit('abandoned idea', { date: daysAgo(24), branch: 'feature/old' });
  git.checkout('main');
  git.deleteBranch('feature/old');
  git.branch('feature/wip', main[13]);
  const wip = git.commit('work in progress', { date: daysAgo(0.5), branch: 'feature/wip' });
  git.checkout('main');
  return { gitDir, main, old, wip };
}

export interface PushedWorld {
  /** Tags a correct cleanup keeps / deletes with their digests / removes alone, sorted. */
  expectKept: string[];
  expectDeleted: string[];
  expectUntagged: string[];
  /** Every tag pushed, sorted. */
  allTags: string[];
  /**
   * Digests a correct cleanup deletes (the listed ones: not the deleted index's untagged children,
   * which the registry does not list), and the ones it keeps (with the kept index's children), sorted.
   */
  deletedDigests: string[];
  keptDigests: string[];
  digests: {
    old: string;
    m0: string;
    deletedIndex: string;
    deletedIndexChildren: string[];
    deletedIndexSig: string;
    keptIndex: string;
    keptIndexChildren: string[];
    hotfix: string;
  };
}

/** Pushes the world's images into the Pusher's repository. */
export async function pushWorld(pusher: Pusher, p: Project): Promise<PushedWorld> {
  const kept: string[] = [];
  const deleted: string[] = [];
  const keptDigests: string[] = [];
  const deletedDigests: string[] = [];
  const commitDate = (j: number): string => daysAgo(40 - 3 * j).toISOString();
  const m = (j: number): string => p.main[j] as string;
  const single = async (commit: string, created: string, tags: string[], keep: boolean): Promise<PushedImage> => {
    const img = await pusher.pushImage({ tags, revision: commit, created });
    (keep ? kept : deleted).push(...tags);
    (keep ? keptDigests : deletedDigests).push(img.digest);
    return img;
  };
  const multiArch = async (j: number, keep: boolean): Promise<{ index: string; children: string[]; sig: string }> => {
    const children: PushedImage[] = [];
    for (const architecture of ['amd64', 'arm64']) children.push(await pusher.pushImage({ revision: m(j), created: commitDate(j), architecture }));
    const tag = sha7(m(j));
    const index = await pusher.pushIndex(children, [tag], ['amd64', 'arm64']);
    const sig = await pusher.pushSignature(index.digest);
    (keep ? kept : deleted).push(tag, sig.tag);
    // The registry lists no untagged manifest, and regsweep deletes only what the listing has: the
    // children of a deleted index stay behind, untagged, for the registry's garbage collection.
    if (keep) keptDigests.push(index.digest, sig.digest, ...children.map((c) => c.digest));
    else deletedDigests.push(index.digest, sig.digest);
    return { index: index.digest, children: children.map((c) => c.digest), sig: sig.digest };
  };

  let m0 = '';
  let deletedIndex = { index: '', children: [] as string[], sig: '' };
  let keptIndex = { index: '', children: [] as string[], sig: '' };
  for (let j = 0; j < 14; j++) {
    if (j === 2) deletedIndex = await multiArch(j, false);
    else if (j === 12) keptIndex = await multiArch(j, true);
    else if (j === 1) await single(m(j), commitDate(j), [sha7(m(j)), 'v1.0.0'], true);
    else if (j === 13) await single(m(j), commitDate(j), [sha7(m(j)), 'main', 'latest'], true);
    else {
      const img = await single(m(j), commitDate(j), [sha7(m(j))], j >= 4);
      if (j === 0) m0 = img.digest;
    }
  }
  await single(p.wip, daysAgo(0.5).toISOString(), [sha7(p.wip), 'feature-wip'], true);
  const old = await single(p.old, daysAgo(24).toISOString(), [sha7(p.old), 'feature-old'], false);
  const staleTag = `sha-${GONE_COMMIT}`;
  const hotfix = await pusher.pushImage({ tags: ['hotfix', staleTag], revision: GONE_COMMIT, created: new Date(NOW.getTime() - HOUR).toISOString() });
  kept.push('hotfix');
  keptDigests.push(hotfix.digest);
  await single('', daysAgo(60).toISOString(), ['redis-7'], true);
  return {
    expectKept: kept.sort(),
    expectDeleted: deleted.sort(),
    expectUntagged: [staleTag],
    allTags: [...kept, ...deleted, staleTag].sort(),
    deletedDigests: deletedDigests.sort(),
    keptDigests: [...new Set(keptDigests)].sort(),
    digests: {
      old: old.digest,
      m0,
      deletedIndex: deletedIndex.index,
      deletedIndexChildren: deletedIndex.children,
      deletedIndexSig: deletedIndex.sig,
      keptIndex: keptIndex.index,
      keptIndexChildren: keptIndex.children,
      hotfix: hotfix.digest,
    },
  };
}
