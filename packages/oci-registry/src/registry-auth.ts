/**
 * Authentication for one repository of an OCI registry: anonymous, Basic, or Bearer tokens from the
 * realm the registry's challenge names (one token per action, cached until shortly before it expires).
 * Every token handed out is reported through `onSecret` before it is used, so it can be redacted.
 * Credentials never appear in messages: a rejection names the user only.
 */
import { InputError, RegistryError } from '@regsweep/core';
import { parseChallenge, type Challenge } from './http-util.js';
import { discard, type RegistryHttp } from './registry-http.js';

export interface Credentials {
  username: string;
  password: string;
}

export type Action = 'pull' | 'push' | 'delete';

/** One request to the registry, authenticated as its challenges ask. */
export interface RequestSpec {
  method: 'GET' | 'HEAD' | 'DELETE' | 'PUT' | 'POST';
  url: string;
  action: Action;
  /** For messages: `read manifest sha256:…`. */
  what: string;
  accept?: string;
  body?: Buffer;
  contentType?: string;
}

interface Token {
  value: string;
  expiresAt: number;
}

export class RegistryAuth {
  /** The registry asked for Basic auth. */
  private useBasic = false;
  /** The registry asked for Bearer tokens from this realm. */
  private bearer: { realm: string; service: string | undefined } | undefined;
  private readonly scopes = new Map<Action, string>();
  private readonly tokens = new Map<Action, Token>();
  /** Token requests in flight, shared by every request that needs one meanwhile. */
  private readonly fetching = new Map<Action, Promise<string>>();
  /** Whether an answer has told how to authenticate (or that nothing is needed). */
  private settled = false;
  /** The first request, while it finds out: the others wait for it rather than each meet the 401. */
  private probe: Promise<void> | undefined;

  constructor(
    private readonly http: RegistryHttp,
    private readonly repository: string,
    private readonly credentials: Credentials | undefined,
    private readonly onSecret: ((secret: string) => void) | undefined,
  ) {}

  /**
   * One request with auth: on a 401 authenticates as the challenge says and tries once more. Until the
   * first answer says how to authenticate, one request goes alone and the others wait for it: one 401
   * and one token for a run, not one per request in flight.
   */
  async request(spec: RequestSpec): Promise<Response> {
    if (!this.settled) {
      if (this.probe !== undefined) await this.probe;
      else {
        let done = (): void => {};
        this.probe = new Promise<void>((resolve) => (done = resolve));
        try {
          return await this.send(spec);
        } finally {
          this.settled = true;
          done();
        }
      }
    }
    return this.send(spec);
  }

  private async send(spec: RequestSpec): Promise<Response> {
    for (let round = 0; ; round++) {
      const headers: Record<string, string> = { 'User-Agent': 'regsweep' };
      if (spec.accept !== undefined) headers['Accept'] = spec.accept;
      if (spec.contentType !== undefined) headers['Content-Type'] = spec.contentType;
      const authorization = await this.authorization(spec.action);
      if (authorization !== undefined) headers['Authorization'] = authorization;
      const init: RequestInit = { method: spec.method, headers, ...(spec.body !== undefined ? { body: spec.body } : {}) };
      const res = await this.http.exchange(spec.url, init, spec.what);
      if (res.status !== 401) return res;
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      await discard(res);
      if (round > 0) throw this.rejected();
      this.learn(challenge, spec.action);
    }
  }

  /** The `Authorization` header for `action`, fetching a token first when one is needed. */
  private async authorization(action: Action): Promise<string | undefined> {
    if (this.bearer !== undefined) {
      const token = this.tokens.get(action);
      if (token !== undefined && token.expiresAt > this.http.now()) return `Bearer ${token.value}`;
      let pending = this.fetching.get(action);
      if (pending === undefined) {
        pending = this.fetchToken(action).finally(() => this.fetching.delete(action));
        this.fetching.set(action, pending);
      }
      return `Bearer ${await pending}`;
    }
    if (this.useBasic && this.credentials !== undefined) return basicAuth(this.credentials);
    return undefined;
  }

  /** Learns from a 401's challenge how to authenticate; throws when there is no way to (bad input). */
  private learn(challenge: Challenge | undefined, action: Action): void {
    const realm = challenge?.params['realm'];
    if (challenge?.scheme === 'bearer' && realm !== undefined && realm !== '') {
      this.bearer = { realm, service: challenge.params['service'] };
      const scope = challenge.params['scope'];
      if (scope !== undefined && scope !== '') this.scopes.set(action, scope);
      this.tokens.delete(action);
      return;
    }
    if (this.credentials === undefined || this.useBasic) throw this.rejected();
    this.useBasic = true;
  }

  /** The error for credentials that are missing or refused. */
  rejected(): InputError {
    const name = this.http.name;
    return this.credentials === undefined
      ? new InputError(`registry ${name} requires authentication (401 Unauthorized) and no credentials were given`, this.http.hint)
      : new InputError(`registry ${name} rejected the credentials of user ${JSON.stringify(this.credentials.username)} (401 Unauthorized)`, this.http.hint);
  }

  private async fetchToken(action: Action): Promise<string> {
    const bearer = this.bearer;
    if (bearer === undefined) throw new Error('no bearer realm');
    const url = new URL(bearer.realm);
    if (bearer.service !== undefined) url.searchParams.set('service', bearer.service);
    url.searchParams.set('scope', this.scopes.get(action) ?? `repository:${this.repository}:${action === 'push' ? 'pull,push' : action}`);
    const headers: Record<string, string> = { 'User-Agent': 'regsweep', Accept: 'application/json' };
    if (this.credentials !== undefined) headers['Authorization'] = basicAuth(this.credentials);
    const what = `get a ${action} token from ${url.origin}${url.pathname}`;
    const res = await this.http.exchange(url.toString(), { method: 'GET', headers }, what);
    if (res.status === 401 || res.status === 403) {
      await discard(res);
      throw this.rejected();
    }
    if (!res.ok) throw await this.http.statusError(res, what);
    const body = await this.http.readJson(res, what);
    const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const value = typeof record['token'] === 'string' ? record['token'] : record['access_token'];
    if (typeof value !== 'string' || value === '') throw new RegistryError(`${this.http.name}: ${what}: the answer holds no token`);
    this.onSecret?.(value);
    const expiresIn = typeof record['expires_in'] === 'number' && record['expires_in'] > 0 ? record['expires_in'] : 60;
    // Renew a little early so a token does not expire in flight.
    this.tokens.set(action, { value, expiresAt: this.http.now() + Math.max(1, expiresIn - 10) * 1000 });
    return value;
  }
}

function basicAuth(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}
