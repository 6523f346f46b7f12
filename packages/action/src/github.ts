/**
 * The GitHub side of a run, built once from the inputs:
 * - one Octokit for the Packages API with its own rate-limit retries, write spacing and 5xx retries
 *   off, so the adapter's `Pacer` alone paces, pauses and retries (packages/github/src/ghcr-http.ts);
 * - one `Pacer` for the token, shared by every package, so all of them draw on one hourly budget
 *   and one set of secondary limits;
 * - a second Octokit for the git history (GraphQL, REST fallback) with the throttling plugin's own
 *   bounded retries, wrapped in `sharedHistory` so several packages read the history once;
 * - a digest cache for manifest and config reads (read-only in a dry run).
 */
import { sharedHistory, type GitHistory } from '@regsweep/core';
import {
  createOctokit, GitHubHistory, openGhcrPackage, Pacer,
  type GhcrRegistry, type GitHubLog, type HeaderBag, type LimitVerdict, type PacerClock, type PacerOptions,
} from '@regsweep/github';
import { DigestCache } from '@regsweep/oci-registry';
import type { ActionInputs } from './inputs.js';

export interface GitHubSetupOptions {
  inputs: ActionInputs;
  /** Whether the policy lets open pull requests count (both it and the input must). */
  pullRequests: boolean;
  cacheDir: string;
  /** Lines for the job log. */
  log: { debug(message: string): void; info(message: string): void };
  fetch?: typeof globalThis.fetch;
  pacerClock?: PacerClock;
  /** Requests in flight at most (the pacer's bound; GitHub allows 100). */
  concurrency: number;
  /** Told the Bearer tokens the registry's token service hands out (for redaction). */
  onSecret?: (secret: string) => void;
}

export interface GitHubSetup {
  pacer: Pacer;
  history: GitHistory;
  cache: DigestCache;
  openPackage(name: string): Promise<GhcrRegistry>;
}

const USER_AGENT = 'regsweep-action';

/** A pacer that says in the log when GitHub's rate limit makes every request wait, and until when. */
class LoggingPacer extends Pacer {
  constructor(options: PacerOptions, private readonly say: (message: string) => void) {
    super(options);
  }

  override limited(headers: HeaderBag | undefined): LimitVerdict {
    const before = this.pausedUntilMs();
    const verdict = super.limited(headers);
    // Once per pause: the answers of requests already in flight extend it by milliseconds only.
    if (before <= this.clock.now() || verdict.untilMs - before > 5000) {
      const what = verdict.kind === 'primary' ? 'hourly rate limit' : 'secondary rate limit';
      const seconds = Math.max(0, Math.ceil((verdict.untilMs - this.clock.now()) / 1000));
      this.say(`GitHub's ${what}: no request is sent for ${seconds} s (until ${new Date(verdict.untilMs).toISOString()})`);
    }
    return verdict;
  }
}

export function setUpGitHub(o: GitHubSetupOptions): GitHubSetup {
  const { inputs } = o;
  // Octokit's request lines go to the debug log. The Packages API Octokit gives up on every rate-limit
  // answer by design (the pacer waits and retries), so its "giving up" lines are debug too; the history
  // Octokit's waits are worth an info line. The adapters turn failures into messages of their own.
  const debugOnly: GitHubLog = { debug: o.log.debug, info: o.log.debug, warn: o.log.debug, error: o.log.debug };
  const waits: GitHubLog = { ...debugOnly, warn: o.log.info };
  const historyLog: GitHubLog = { debug: o.log.debug, info: o.log.info, warn: o.log.info, error: o.log.info };
  const fetchOption = o.fetch !== undefined ? { fetch: o.fetch } : {};
  const packagesOctokit = createOctokit({
    token: inputs.token, baseUrl: inputs.apiUrl, userAgent: USER_AGENT, log: debugOnly,
    writeSpacingMs: 0, maxRateLimitRetries: 0, retries: 0, ...fetchOption,
  });
  const historyOctokit = createOctokit({ token: inputs.token, baseUrl: inputs.apiUrl, userAgent: USER_AGENT, log: waits, writeSpacingMs: 0, ...fetchOption });
  const pacer = new LoggingPacer({ concurrency: o.concurrency, ...(o.pacerClock !== undefined ? { clock: o.pacerClock } : {}) }, o.log.info);
  const cache = new DigestCache(o.cacheDir);
  const history = sharedHistory(new GitHubHistory({
    octokit: historyOctokit, owner: inputs.repository.owner, repo: inputs.repository.name, pullRequests: o.pullRequests, log: historyLog,
  }));
  return {
    pacer, history, cache,
    openPackage: (name) => openGhcrPackage({
      octokit: packagesOctokit, owner: inputs.owner, package: name, registryUrl: inputs.registryUrl, token: inputs.token, pacer,
      cache: { cache, readOnly: inputs.dryRun },
      oci: { ...(o.fetch !== undefined ? { fetch: o.fetch } : {}), ...(o.onSecret !== undefined ? { onSecret: o.onSecret } : {}) },
    }),
  };
}
