/**
 * A small GitLab project for the tests, in the fake GitLab:
 * - main: c1 ← c2 ← c3 ← m4 (m4 merges feature/merged's f1); tags v1.0 (annotated, on c2), v0.9 (lightweight, on c1);
 * - feature/live: c3 ← l1; open merge request !7 from feature/live;
 * - merge request !5 (merged; its branch feature/merged deleted) had f1; a deleted branch feature/gone had g1;
 * - registry repository acme/app: one image per commit tagged with the commit id, `main` and
 *   `feature-live` on their tips, `v1.0` on c2, a multi-arch index for l1 with a cosign signature.
 */
import { FakeGitLab, type FakeGitLabOptions } from './fake-gitlab.js';

export { TOKENS } from './fake-gitlab.js';

export const id = (name: string): string => Buffer.from(name).toString('hex').padEnd(40, '0').slice(0, 40);

export const C = {
  c1: id('c1'), c2: id('c2'), c3: id('c3'), m4: id('m4'), l1: id('l1'), f1: id('f1'), g1: id('g1'),
};

export interface World {
  gitlab: FakeGitLab;
  repo: { id: number; path: string };
  digests: Record<string, string>;
}

const DAY = 86_400_000;

export async function startWorld(now: Date, options: FakeGitLabOptions = {}): Promise<World> {
  const gitlab = new FakeGitLab(options);
  const at = (daysAgo: number): string => new Date(now.getTime() - daysAgo * DAY).toISOString();
  gitlab.addCommit(C.c1, [], at(30));
  gitlab.addCommit(C.c2, [C.c1], at(25));
  gitlab.addCommit(C.c3, [C.c2], at(20));
  gitlab.addCommit(C.f1, [C.c3], at(15));
  gitlab.addCommit(C.m4, [C.c3, C.f1], at(10));
  gitlab.addCommit(C.l1, [C.c3], at(5));
  gitlab.addCommit(C.g1, [C.c2], at(40)); // only reachable from the deleted branch
  const p = gitlab.project;
  p.branches.set('main', C.m4);
  p.branches.set('feature/live', C.l1);
  p.gitTags.set('v1.0', { commit: C.c2, taggedAt: at(24) });
  p.gitTags.set('v0.9', { commit: C.c1 });
  p.mergeRequests.push({ iid: 7, sha: C.l1, sourceBranch: 'feature/live', state: 'opened' });
  p.mergeRequests.push({ iid: 5, sha: C.f1, sourceBranch: 'feature/merged', state: 'merged' });
  await gitlab.start();
  const repo = gitlab.addRepository('acme/app');
  const reg = gitlab.registry;
  const digests: Record<string, string> = {};
  for (const [name, commit] of Object.entries(C)) {
    if (name === 'l1') continue;
    const created = p.commits.get(commit)?.date ?? at(1);
    digests[name] = reg.addImage(repo.path, { created, revision: commit });
    reg.tag(repo.path, commit, digests[name] as string, created);
  }
  reg.tag(repo.path, 'main', digests['m4'] as string, at(10));
  reg.tag(repo.path, 'v1.0', digests['c2'] as string, at(25));
  const amd = reg.addImage(repo.path, { created: at(5), revision: C.l1, architecture: 'amd64' });
  const arm = reg.addImage(repo.path, { created: at(5), revision: C.l1, architecture: 'arm64' });
  digests['l1'] = reg.addIndex(repo.path, [{ digest: amd, architecture: 'amd64' }, { digest: arm, architecture: 'arm64' }], { 'org.opencontainers.image.revision': C.l1 });
  digests['l1-amd64'] = amd;
  digests['l1-arm64'] = arm;
  reg.tag(repo.path, C.l1, digests['l1'], at(5));
  reg.tag(repo.path, 'feature-live', digests['l1'], at(5));
  digests['l1-sig'] = reg.addSignature(repo.path, digests['l1'], at(5));
  digests['g1-sig'] = reg.addSignature(repo.path, digests['g1'] as string, at(40));
  return { gitlab, repo, digests };
}
