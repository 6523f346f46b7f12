export { openLocalGit, LocalGitHistory, parseCommit } from './local-git.js';
export { GitRepoBuilder, rawDate, type DateLike } from './fixture.js';
