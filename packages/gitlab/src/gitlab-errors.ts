/**
 * GitLab failures as regsweep's errors, failing closed: a refused token, a missing project or a token
 * that may not read something is the user's input (`InputError`, exit 2); anything else that stops a
 * read is an `IncompleteInputError` naming what could not be read.
 */
import { BudgetExhausted, IncompleteInputError, InputError, RegistryError } from '@regsweep/core';
import { GitLabRequestError } from './gitlab-http.js';

export const TOKEN_HINT =
  'give regsweep a project, group or personal access token in a masked CI/CD variable and name that variable in the ' +
  "component's token-variable input (REGSWEEP_TOKEN): read_api (and read_registry) to preview, api to delete, from a " +
  'member with the Developer role or higher';

export const JOB_TOKEN_HISTORY_HINT =
  'CI_JOB_TOKEN cannot list commits: put a project access token with the read_api scope (api to delete) in a masked ' +
  "CI/CD variable and name it in the component's token-variable input (REGSWEEP_TOKEN)";

const RETRY_HINT = 'nothing was deleted; run again later (GitLab may be having trouble)';

export interface GitLabFailure {
  /** `git references of acme/app (GitLab)` */
  input: string;
  /** `the branches`, `history from 1a2b3c4d5e6f` */
  what: string;
  project: string;
  jobToken: boolean;
}

export function statusOf(err: unknown): number | undefined {
  if (err instanceof GitLabRequestError) return err.status;
  if (err instanceof RegistryError) return err.status;
  return undefined;
}

/** A 404 about a commit or reference, not about the project (which a job token also gets for commits). */
export function unknownObject(err: unknown): boolean {
  return err instanceof GitLabRequestError && err.status === 404 && !/project not found/i.test(err.description);
}

/** Maps what a read threw to the error to throw. */
export function readFailure(err: unknown, f: GitLabFailure): Error {
  if (err instanceof InputError || err instanceof IncompleteInputError) return err;
  if (err instanceof BudgetExhausted) {
    return new IncompleteInputError(f.input, `${f.what} could not be read: ${err.message.replace(/: deletions stop here.*$/, '')}`,
      'nothing was deleted; run again after the reset, or with a token of its own', err);
  }
  const status = statusOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (status === 401) {
    return new InputError(`GitLab refused the token (401) when reading ${f.what} of ${f.project}`,
      f.jobToken ? 'the job token is valid only while its job runs; run regsweep inside the job' : `the token may be mistyped, expired or revoked; ${TOKEN_HINT}`);
  }
  if (status === 403 || status === 404) {
    const seen = status === 404 ? 'was not found, or the token cannot see it' : 'may not be read with this token';
    return new InputError(`GitLab: ${f.what} of ${f.project} ${seen} (${status})`, f.jobToken ? JOB_TOKEN_HISTORY_HINT : TOKEN_HINT);
  }
  const why = status !== undefined ? `GitLab answered ${status}, also after retries: ${message}` : message;
  return new IncompleteInputError(f.input, `${f.what} could not be read: ${why}`, RETRY_HINT, err);
}
