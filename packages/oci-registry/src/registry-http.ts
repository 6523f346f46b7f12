/**
 * The transport under the OCI client: one `fetch` with a timeout, retried on connection failures, 429
 * and 5xx with exponential backoff that honours `Retry-After`, plus the readers and error builders every
 * request uses. The clock and the waiting are injected so retry behaviour is testable.
 */
import { RegistryError } from '@regsweep/core';
import { describeErrorBody, retryAfterMs } from './http-util.js';

export interface RegistryHttpOptions {
  /** `HOST[:PORT]/NAME`, the prefix of every message. */
  name: string;
  fetch: typeof globalThis.fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  maxRetryAfterMs: number;
  timeoutMs: number;
  /** How to pass credentials, added to a 403's message. */
  hint: string;
}

export class RegistryHttp {
  readonly name: string;
  readonly now: () => number;
  readonly hint: string;
  private readonly options: RegistryHttpOptions;

  /** Epoch ms until which no request is sent (a 429's Retry-After). */
  private heldUntilMs = 0;

  constructor(options: RegistryHttpOptions) {
    this.options = options;
    this.name = options.name;
    this.now = options.now;
    this.hint = options.hint;
  }

  /**
   * fetch with retries on connection failures, 429 and 5xx (honouring Retry-After). A 429 holds every
   * request of this registry, not only the one it answered, until the time it names: with many reads
   * in flight, none is sent early.
   */
  async exchange(url: string, init: RequestInit, what: string): Promise<Response> {
    const { maxAttempts, maxRetryAfterMs } = this.options;
    for (let attempt = 1; ; attempt++) {
      const held = this.heldUntilMs - this.now();
      if (held > 0) await this.options.sleep(held);
      let res: Response;
      try {
        res = await this.options.fetch(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(this.options.timeoutMs) });
      } catch (error) {
        if (attempt >= maxAttempts) {
          throw new RegistryError(`${this.name}: ${what}: cannot reach ${new URL(url).origin} after ${attempt} attempts: ${errorText(error)}`, { transient: true, cause: error });
        }
        await this.pause(attempt);
        continue;
      }
      if (res.status !== 429 && !(res.status >= 500 && res.status !== 501 && res.status !== 505)) return res;
      const wait = retryAfterMs(res.headers.get('retry-after'), this.now()) ?? this.backoff(attempt);
      if (attempt >= maxAttempts || wait > maxRetryAfterMs) {
        const base = await this.statusError(res, what);
        const why = attempt >= maxAttempts ? `after ${attempt} attempts` : `the registry asks to wait ${Math.ceil(wait / 1000)} s`;
        throw new RegistryError(`${base.message} (${why})`, { transient: true, status: res.status });
      }
      await discard(res);
      if (res.status === 429) this.heldUntilMs = Math.max(this.heldUntilMs, this.now() + wait);
      await this.options.sleep(Math.max(wait, this.heldUntilMs - this.now()));
    }
  }

  /** Waits the retry backoff of `attempt` (1, 2, …). */
  pause(attempt: number): Promise<void> {
    return this.options.sleep(this.backoff(attempt));
  }

  private backoff(attempt: number): number {
    return Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (attempt - 1));
  }

  async statusError(res: Response, what: string): Promise<RegistryError> {
    const detail = describeErrorBody(await res.text().catch(() => ''));
    const status = `HTTP ${res.status}${detail ? ` ${detail}` : ''}`;
    const transient = res.status === 429 || res.status >= 500;
    const hint = res.status === 403 ? ` (the credentials lack the rights for this; ${this.hint})` : '';
    return new RegistryError(`${this.name}: ${what}: ${status}${hint}`, { status: res.status, transient });
  }

  async readBytes(res: Response, what: string): Promise<Buffer> {
    try {
      return Buffer.from(await res.arrayBuffer());
    } catch (error) {
      throw new RegistryError(`${this.name}: ${what}: the connection broke while reading: ${errorText(error)}`, { transient: true, cause: error });
    }
  }

  async readJson(res: Response, what: string): Promise<unknown> {
    return parseJson(await this.readBytes(res, what), `${this.name}: ${what}`);
  }
}

export function parseJson(bytes: Buffer, context: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    throw new RegistryError(`${context}: the answer is not JSON`, { cause: error });
  }
}

/** Drops a body that is not needed (so the connection is reused); always undefined. */
export async function discard(res: Response): Promise<undefined> {
  try {
    await res.body?.cancel();
  } catch {
    // already consumed or closed
  }
  return undefined;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
