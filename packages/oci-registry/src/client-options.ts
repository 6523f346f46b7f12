/** The options of `OciRegistryClient` and the small answer types of its API. */
import type { Digest } from '@regsweep/core';
import type { Credentials } from './registry-auth.js';

export interface OciRegistryClientOptions {
  /** Use http:// (always the case for localhost and 127.0.0.1). */
  plainHttp?: boolean;
  credentials?: Credentials;
  /** Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Waits between retries; tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch (token expiry, `Retry-After` dates). */
  now?: () => number;
  /** Attempts per request for transient failures (default 5). */
  maxAttempts?: number;
  /** First backoff delay, doubled per attempt (default 500 ms), capped at `maxBackoffMs` (default 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A `Retry-After` longer than this fails the request instead of waiting (default 5 min). */
  maxRetryAfterMs?: number;
  /** Tags per page asked of the registry (default 1000). */
  pageSize?: number;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
  /** How to pass credentials, shown when the registry rejects the request (default names --username). */
  credentialsHint?: string;
  /** Told every Bearer token the registry's token service hands out, before it is used (for redaction). */
  onSecret?: (secret: string) => void;
}

/** What a `DELETE /v2/<name>/manifests/<tag>` did: `unsupported` = the registry cannot remove a tag alone. */
export type TagDeleteAnswer = 'deleted' | 'gone' | 'unsupported';

export interface ManifestHead {
  digest: Digest;
  mediaType: string;
  size?: number;
}

/** How to pass credentials, unless a front end names its own way. */
export const DEFAULT_HINT = 'pass --username USER and set REGSWEEP_REGISTRY_PASSWORD (or REGSWEEP_REGISTRY_USERNAME) to a password or token with pull and delete rights (and push, to remove single tags)';
