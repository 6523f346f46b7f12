/**
 * What the GraphQL and the REST readers of `GitHubHistory` share: the Octokit, the repository, the
 * request counters, the commit cache and the mapping of failures to regsweep's errors.
 */
import type { CommitInfo, GitRef } from '@regsweep/core';
import type { FailureContext } from './github-errors.js';
import type { GitHubLog, GitHubOctokit } from './octokit.js';

export type ReadKind = 'refs' | 'history' | 'prefixes';

export interface BackendContext {
  readonly octokit: GitHubOctokit;
  readonly owner: string;
  readonly repo: string;
  readonly log: GitHubLog;
  readonly pullRequests: boolean;
  readonly counters: { graphqlQueries: number; restRequests: number };
  /** Parallel REST requests at most. */
  readonly concurrency: number;
  /** Names a read for the messages. */
  failure(kind: ReadKind, what: string): FailureContext;
  /** The error to throw for a failed read (fails closed; see github-errors.ts). */
  fail(err: unknown, kind: ReadKind, what: string): Error;
  known(id: string): CommitInfo | undefined;
  remember(commit: CommitInfo): void;
}

/** A pull request's head as both APIs report it, before its date is known. */
export interface PullHead {
  number: number;
  commit: string;
  date?: Date;
}

export interface HistoryBackend {
  readonly kind: 'graphql' | 'rest';
  refs(): Promise<GitRef[]>;
  /**
   * Reads history pages starting at each of `ids` (each page starts with the asked commit), remembering
   * every commit through the context. Ids GitHub does not know are left out.
   */
  history(ids: readonly string[]): Promise<void>;
  /** Resolves abbreviated ids to full ids of commits; unknown and ambiguous ones are left out. */
  prefixes(prefixes: readonly string[]): Promise<Map<string, string>>;
}

export const FULL_ID = /^[0-9a-f]{40}$/;
export const PREFIX = /^[0-9a-f]{7,39}$/;

export function parseDate(value: unknown, what: string, fail: (message: string) => Error): Date {
  const d = typeof value === 'string' ? new Date(value) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw fail(`${what} has no readable date (got ${JSON.stringify(value)})`);
  return d;
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

export function prRef(pull: PullHead, date: Date): GitRef {
  return { kind: 'branch', name: `pr-${pull.number}`, commit: pull.commit, date };
}
