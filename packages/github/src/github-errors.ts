/**
 * Turns what Octokit throws into regsweep's errors, failing closed: a refused token or a missing
 * repository is the user's input (`InputError`, exit 2); anything else that stops a listing or a
 * history read is an `IncompleteInputError` naming what could not be read and what to do.
 */
import { IncompleteInputError, InputError } from '@regsweep/core';
import { octokitErrorHeader, octokitErrorStatus } from './octokit.js';

/** One entry of a GraphQL answer's `errors` (GitHub adds `type`: NOT_FOUND, FORBIDDEN, RATE_LIMITED…). */
export interface GraphqlError {
  message: string;
  type?: string;
  path?: ReadonlyArray<string | number>;
}

/** Where a failure happened, for the messages. */
export interface FailureContext {
  /** `acme/app` */
  repository: string;
  /** The input, for IncompleteInputError: `git references of acme/app (GitHub)`. */
  input: string;
  /** What was being read: `page 2 of the branches`, `history from 1a2b3c4`. */
  what: string;
  hasToken: boolean;
}

export const SCOPE_HINT =
  'the token needs read access to the repository: a classic personal access token needs the `repo` scope for a ' +
  'private repository (none for a public one); a fine-grained token or the workflow GITHUB_TOKEN needs ' +
  '`contents: read`, and `pull-requests: read` for the pr-<number> references';

const RETRY_HINT = 'nothing was deleted; run again later (GitHub may be having trouble, see https://www.githubstatus.com)';

/** A GraphQL answer with errors, as @octokit/graphql throws it (`GraphqlResponseError`). */
export function graphqlErrorsOf(err: unknown): { errors: GraphqlError[]; data: unknown } | undefined {
  if (!(err instanceof Error) || err.name !== 'GraphqlResponseError' || !('errors' in err)) return undefined;
  const list = err.errors;
  if (!Array.isArray(list)) return undefined;
  const errors: GraphqlError[] = list.map((e: unknown) => {
    const o = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {};
    const path = Array.isArray(o['path']) ? o['path'].filter((p): p is string | number => typeof p === 'string' || typeof p === 'number') : undefined;
    return {
      message: typeof o['message'] === 'string' ? o['message'] : 'GraphQL error',
      ...(typeof o['type'] === 'string' ? { type: o['type'] } : {}),
      ...(path ? { path } : {}),
    };
  });
  return { errors, data: 'data' in err ? err.data : undefined };
}

export function repositoryNotFound(ctx: FailureContext): InputError {
  return new InputError(
    `the GitHub repository ${ctx.repository} was not found, or the token cannot see it`,
    `check the owner and name; ${SCOPE_HINT}`,
  );
}

function tokenRefused(ctx: FailureContext): InputError {
  return ctx.hasToken
    ? new InputError(
        `the token was refused by GitHub (401) when reading ${ctx.what} of ${ctx.repository}`,
        'pass a valid token: it may be mistyped, expired or revoked (GITHUB_TOKEN is only valid during its workflow run)',
      )
    : new InputError(`GitHub asks for a token (401) to read ${ctx.what} of ${ctx.repository}`, `pass a token; ${SCOPE_HINT}`);
}

function rateLimited(ctx: FailureContext, err: unknown): IncompleteInputError {
  const reset = Number(octokitErrorHeader(err, 'x-ratelimit-reset'));
  const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : '';
  return new IncompleteInputError(ctx.input, `${ctx.what} could not be read: GitHub's rate limit is used up${when}`,
    `nothing was deleted; run again after the limit resets, or use a token with a larger budget (a PAT or an App token)`, err);
}

/** Maps GraphQL `errors` to an error to throw, or undefined when they can be tolerated. */
export function fromGraphqlErrors(errors: readonly GraphqlError[], ctx: FailureContext, tolerate: (e: GraphqlError) => boolean): Error | undefined {
  for (const e of errors) {
    if (e.type === 'NOT_FOUND' && (e.path?.length ?? 0) <= 1) return repositoryNotFound(ctx);
    if (e.type === 'FORBIDDEN' || e.type === 'INSUFFICIENT_SCOPES') {
      return new InputError(`GitHub refused to show ${ctx.what} of ${ctx.repository}: ${e.message}`, SCOPE_HINT);
    }
    if (e.type === 'RATE_LIMITED') return rateLimited(ctx, undefined);
  }
  const fatal = errors.find((e) => !tolerate(e));
  if (!fatal) return undefined;
  return new IncompleteInputError(ctx.input, `${ctx.what} could not be read: GitHub's GraphQL API answered: ` +
    errors.map((e) => e.message).slice(0, 3).join('; '), RETRY_HINT);
}

/** Maps anything a request threw (after the plugins' retries) to an error to throw. */
export function toRegsweepError(err: unknown, ctx: FailureContext): Error {
  if (err instanceof InputError || err instanceof IncompleteInputError) return err;
  const gql = graphqlErrorsOf(err);
  if (gql) return fromGraphqlErrors(gql.errors, ctx, () => false) ?? new IncompleteInputError(ctx.input, `${ctx.what} could not be read`, RETRY_HINT, err);
  const status = octokitErrorStatus(err);
  const message = err instanceof Error ? err.message : String(err);
  if (status === 401) return tokenRefused(ctx);
  if (status === 404) return repositoryNotFound(ctx);
  if (status === 403 || status === 429) {
    if (octokitErrorHeader(err, 'x-ratelimit-remaining') === '0' || /rate limit/i.test(message)) return rateLimited(ctx, err);
    return new InputError(`GitHub refused to show ${ctx.what} of ${ctx.repository} (${status}): ${message}`, SCOPE_HINT);
  }
  const why = status !== undefined ? `GitHub answered ${status} (${message}), also after retries` : message;
  return new IncompleteInputError(ctx.input, `${ctx.what} could not be read: ${why}`, RETRY_HINT, err);
}
