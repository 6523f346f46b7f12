/**
 * A GitHub repository's side of a run, built once (as `openGitLabProject` does for GitLab):
 * - one Octokit for the Packages API with its own rate-limit retries, write spacing and 5xx retries
 *   off, so the `Pacer` alone paces, pauses and retries (ghcr-http.ts);
 * - one `Pacer` for the token, shared by every package, so all of them draw on one hourly budget
 *   and one set of secondary limits; it says in the log when a rate limit makes every request wait;
 * - a second Octokit for the git history (GraphQL, REST fallback) with the throttling plugin's own
 *   bounded retries, its queries paced by GitHub's GraphQL point budget (graphql-budget.ts), wrapped in
 *   `sharedHistory` so several packages read the history once;
 * - a digest cache for manifest and config reads (read-only in a dry run).
 */
import { type Clock, type GitHistory } from '@regsweep/core';
import { sharedHistory } from '@regsweep/core/internal';
import { DigestCache } from '@regsweep/oci-registry';
import { openGhcrPackage, type GhcrRegistry } from './ghcr-registry.js';
import { GitHubHistory } from './github-history.js';
import { createOctokit, type GitHubLog } from './octokit.js';
import { GraphqlBudget } from './graphql-budget.js';
import { realClock } from '@regsweep/node-host';
import { Pacer, type HeaderBag, type LimitVerdict, type PacerOptions } from './pacer.js';

export interface GitHubRepositoryOptions {
  token: string;
  /** GITHUB_API_URL. */
  apiUrl: string;
  /** The container registry (`https://ghcr.io`). */
  registryUrl: string;
  /** The packages' owner (a user or an organization). */
  owner: string;
  /** The repository whose history decides: GITHUB_REPOSITORY. */
  repository: { owner: string; name: string };
  /** Whether open pull requests count as references. */
  pullRequests: boolean;
  /** The digest cache's folder; a dry run only reads it. */
  cacheDir: string;
  dryRun: boolean;
  /** Requests in flight at most (the pacer's bound; GitHub allows 100). */
  concurrency: number;
  /** Lines for the run's log. */
  log: { debug(message: string): void; info(message: string): void };
  userAgent?: string;
  fetch?: typeof globalThis.fetch;
  /** The pacer's clock (default the system's). */
  pacerClock?: Clock;
  /** Told the Bearer tokens the registry's token service hands out (for redaction). */
  onSecret?: (secret: string) => void;
}

export interface GitHubRepository {
  pacer: Pacer;
  history: GitHistory;
  cache: DigestCache;
  openPackage(name: string): Promise<GhcrRegistry>;
}

/** A pacer that says in the log when GitHub's rate limit makes every request wait, and until when. */
class LoggingPacer extends Pacer {
  constructor(options: PacerOptions, private readonly say: (message: string) => void) {
    super(options);
  }

  override limited(headers: HeaderBag | undefined): LimitVerdict {
    const before = this.pausedUntilMs();
    const verdict = super.limited(headers);
    // Once per pause: the answers of requests already in flight extend it by milliseconds only.
    if (before <= this.nowMs() || verdict.untilMs - before > 5000) {
      const what = verdict.kind === 'primary' ? 'hourly rate limit' : 'secondary rate limit';
      const seconds = Math.max(0, Math.ceil((verdict.untilMs - this.nowMs()) / 1000));
      this.say(`GitHub's ${what}: no request is sent for ${seconds} s (until ${new Date(verdict.untilMs).toISOString()})`);
    }
    return verdict;
  }
}

export function openGitHubRepository(o: GitHubRepositoryOptions): GitHubRepository {
  const userAgent = o.userAgent ?? 'regsweep';
  // Octokit's request lines go to the debug log. The Packages API Octokit gives up on every rate-limit
  // answer by design (the pacer waits and retries), so its "giving up" lines are debug too; the history
  // Octokit's waits are worth an info line. The adapters turn failures into messages of their own.
  const debugOnly: GitHubLog = { debug: o.log.debug, info: o.log.debug, warn: o.log.debug, error: o.log.debug };
  const waits: GitHubLog = { ...debugOnly, warn: o.log.info };
  const historyLog: GitHubLog = { debug: o.log.debug, info: o.log.info, warn: o.log.info, error: o.log.info };
  const fetchOption = o.fetch !== undefined ? { fetch: o.fetch } : {};
  const packagesOctokit = createOctokit({
    token: o.token, baseUrl: o.apiUrl, userAgent, log: debugOnly, writeSpacingMs: 0, maxRateLimitRetries: 0, retries: 0, ...fetchOption,
  });
  // GraphQL paced by GitHub's GraphQL points, not spaced like writes (the history Octokit writes nothing).
  const graphqlBudget = new GraphqlBudget({ clock: o.pacerClock ?? realClock() });
  const historyOctokit = createOctokit({ token: o.token, baseUrl: o.apiUrl, userAgent, log: waits, graphqlBudget, ...fetchOption });
  const pacer = new LoggingPacer({ concurrency: o.concurrency, ...(o.pacerClock !== undefined ? { clock: o.pacerClock } : {}) }, o.log.info);
  const cache = new DigestCache(o.cacheDir);
  const history = sharedHistory(new GitHubHistory({
    octokit: historyOctokit, owner: o.repository.owner, repo: o.repository.name, pullRequests: o.pullRequests, log: historyLog,
  }));
  return {
    pacer, history, cache,
    openPackage: (name) => openGhcrPackage({
      octokit: packagesOctokit, owner: o.owner, package: name, registryUrl: o.registryUrl, token: o.token, pacer,
      cache: { cache, readOnly: o.dryRun },
      oci: { ...(o.fetch !== undefined ? { fetch: o.fetch } : {}), ...(o.onSecret !== undefined ? { onSecret: o.onSecret } : {}) },
    }),
  };
}
