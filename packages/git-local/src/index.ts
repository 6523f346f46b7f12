export { openLocalGit, LocalGitHistory, parseCommit, type LocalGitOptions, type LocalGitStats } from './local-git.js';
export { GitRepoBuilder, rawDate, type DateLike } from './fixture.js';
