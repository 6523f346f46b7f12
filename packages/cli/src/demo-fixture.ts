/**
 * The demo's world, made in a temporary folder: a git repository with dated commits (main, a merged
 * feature branch, a deleted branch, a release tag) and an OCI image layout with what CI pushed for it
 * (per-commit images with revision labels, a multi-arch index with a signature, an untagged leftover
 * and a third-party image). Also used by the CLI tests.
 */
import { GitRepoBuilder } from '@regsweep/git-local';
import { LayoutWriter } from '@regsweep/oci-layout';
import { join } from 'node:path';

const DAY = 86_400_000;
const REVISION = 'org.opencontainers.image.revision';

export interface DemoWorld {
  gitDir: string;
  layoutDir: string;
  /** What a correct cleanup keeps and deletes, by tag, for the default policy. */
  expectKept: string[];
  expectDeleted: string[];
}

export async function buildDemoWorld(root: string, now: Date): Promise<DemoWorld> {
  const at = (daysAgo: number): Date => new Date(now.getTime() - daysAgo * DAY);
  const gitDir = join(root, 'project');
  const layoutDir = join(root, 'registry');
  const git = GitRepoBuilder.init(gitDir);
  const layout = await LayoutWriter.create(layoutDir);
  const expectKept: string[] = [];
  const expectDeleted: string[] = [];
  const push = async (commit: string, date: Date, keep: boolean, extraTags: string[] = []): Promise<string> => {
    const tag = `sha-${commit.slice(0, 7)}`;
    const img = await layout.addImage({ tags: [tag, ...extraTags], labels: { [REVISION]: commit }, created: date, layerText: `build of ${commit}` });
    (keep ? expectKept : expectDeleted).push(tag, ...extraTags);
    return img.digest;
  };

  // main: twelve commits, one every two days (25 days ago … 3 days ago). The default policy keeps the
  // ten newest image groups reachable from main: with the merged feature below, main[5..11], both
  // feature commits and the merge. main[2] stays as the v1.0.0 release (the tag policy).
  const main: string[] = [];
  for (let j = 0; j < 12; j++) main.push(git.commit(`main work ${j + 1}`, { date: at(25 - 2 * j) }));
  for (const [j, c] of main.entries()) await push(c, at(25 - 2 * j), j >= 5 || j === 2);
  git.tag('v1.0.0', { annotated: true, date: at(20), target: main[2] });
  await layout.tag((await layout.addImage({ labels: { [REVISION]: main[2] as string }, created: at(20), layerText: 'release 1.0.0' })).digest, 'v1.0.0');
  expectKept.push('v1.0.0');

  // feature/login: two commits, merged into main yesterday; its images are reached through the merge.
  git.branch('feature/login', main[10]);
  const f1 = git.commit('login form', { date: at(5.5), branch: 'feature/login' });
  const f2 = git.commit('login tests', { date: at(4.5), branch: 'feature/login' });
  git.checkout('main');
  const merge = git.merge('feature/login', { date: at(1), message: 'Merge feature/login' });
  await push(f1, at(5.5), true);
  await push(f2, at(4.5), true);

  // The merge commit's build is multi-arch and signed.
  const children = [];
  for (const architecture of ['amd64', 'arm64']) {
    children.push((await layout.addImage({ labels: { [REVISION]: merge }, created: at(1), platform: { os: 'linux', architecture }, layerText: `merge ${architecture}` })).digest);
  }
  const index = await layout.addIndex({ tags: [`sha-${merge.slice(0, 7)}`, 'main'], children, annotations: { [REVISION]: merge } });
  const sig = await layout.addSignature(index.digest);
  expectKept.push(`sha-${merge.slice(0, 7)}`, 'main', sig.tag);

  // feature/old: pushed three weeks ago, the branch is gone now.
  git.branch('feature/old', main[1]);
  const old = git.commit('abandoned idea', { date: at(22), branch: 'feature/old' });
  git.checkout('main');
  git.deleteBranch('feature/old');
  await push(old, at(22), false, ['feature-old']);

  // An untagged leftover of a re-push, and a third-party image regsweep did not build.
  await layout.addImage({ labels: { [REVISION]: main[11] as string }, created: at(9), layerText: 'leftover' });
  await layout.addImage({ tags: ['redis-7'], created: at(60), layerText: 'third party' });
  expectKept.push('redis-7');
  await layout.write();
  return { gitDir, layoutDir, expectKept: expectKept.sort(), expectDeleted: expectDeleted.sort() };
}
