/**
 * A stand-in for GitHub's Actions cache service (version 2, what `@actions/cache` speaks on github.com)
 * on 127.0.0.1, so a bundled Action run in a test saves and restores its cache for real:
 *
 * - Twirp JSON at `POST /twirp/github.actions.results.api.v1.CacheService/<method>` with the runtime
 *   token as a Bearer token: `CreateCacheEntry {key, version}` → `{ok, signed_upload_url}`,
 *   `FinalizeCacheEntryUpload {key, version, size_bytes}` → `{ok, entry_id}`,
 *   `GetCacheEntryDownloadURL {key, restore_keys, version}` → `{ok, signed_download_url, matched_key}`;
 * - the archive itself: `PUT` to the signed upload URL (Azure's single-shot block blob upload, 201) and
 *   a plain `GET` of the signed download URL.
 *
 * Lookup follows GitHub's rules: the exact key first, then each restore key as a prefix, newest entry
 * first; only entries of the same `version` (the hash of paths and compression) match; an existing key
 * cannot be created again (entries are immutable).
 *
 * `env()` is what a job's environment needs for the client to pick version 2 and this server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Entry {
  key: string;
  version: string;
  archive?: Buffer;
  finalizedAt?: number;
}

export interface CacheCall {
  method: string;
  body: Record<string, unknown>;
}

export interface FakeActionsCache {
  url: string;
  token: string;
  /** Twirp calls in order, and archive PUTs/GETs as `upload`/`download`. */
  calls: CacheCall[];
  /** Finalized entries by key. */
  entries(): Map<string, { version: string; bytes: number }>;
  env(): Record<string, string>;
  close(): Promise<void>;
}

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

class CacheStore {
  readonly entries: Entry[] = [];
  private clock = 0;

  constructor(private readonly base: () => string) {}

  create(key: string, version: string): unknown {
    if (this.entries.some((e) => e.key === key && e.version === version)) return { ok: false, message: `an entry for key ${key} already exists` };
    this.entries.push({ key, version });
    return { ok: true, signed_upload_url: `${this.base()}/blobs/cache/${encodeURIComponent(key)}?sig=upload` };
  }

  finalize(key: string, version: string): unknown {
    const entry = this.entries.find((e) => e.key === key && e.version === version && e.archive !== undefined);
    if (entry === undefined) return { ok: false, message: `nothing was uploaded for key ${key}` };
    entry.finalizedAt = ++this.clock;
    return { ok: true, entry_id: String(this.entries.indexOf(entry) + 1) };
  }

  lookup(key: string, restoreKeys: string[], version: string): unknown {
    const ready = this.entries.filter((e) => e.version === version && e.finalizedAt !== undefined).sort((a, b) => (b.finalizedAt ?? 0) - (a.finalizedAt ?? 0));
    const hit = ready.find((e) => e.key === key) ?? restoreKeys.map((prefix) => ready.find((e) => e.key.startsWith(prefix))).find((e) => e !== undefined);
    if (hit === undefined) return { ok: false, signed_download_url: '', matched_key: '' };
    return { ok: true, signed_download_url: `${this.base()}/blobs/cache/${encodeURIComponent(hit.key)}?sig=download`, matched_key: hit.key };
  }

  blob(key: string): Entry | undefined {
    return this.entries.find((e) => e.key === key);
  }
}

async function handle(store: CacheStore, token: string, calls: CacheCall[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const body = await readBody(req);
  if (path.startsWith('/blobs/cache/')) {
    const entry = store.blob(decodeURIComponent(path.slice('/blobs/cache/'.length)));
    if (req.method === 'PUT' && entry !== undefined && entry.finalizedAt === undefined) {
      entry.archive = body;
      calls.push({ method: 'upload', body: { key: entry.key, bytes: body.length } });
      res.writeHead(201, { 'content-length': '0' });
      return void res.end();
    }
    if (req.method === 'GET' && entry?.archive !== undefined) {
      calls.push({ method: 'download', body: { key: entry.key } });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(entry.archive.length) });
      return void res.end(entry.archive);
    }
    return json(res, 404, { message: 'no such blob' });
  }
  if (req.method !== 'POST' || !path.startsWith(TWIRP_PREFIX)) return json(res, 404, { code: 'bad_route', msg: `no route ${req.method} ${path}` });
  if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { code: 'unauthenticated', msg: 'the runtime token is missing or wrong' });
  const method = path.slice(TWIRP_PREFIX.length);
  const request = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
  calls.push({ method, body: request });
  const key = String(request['key'] ?? '');
  const version = String(request['version'] ?? '');
  if (method === 'CreateCacheEntry') return json(res, 200, store.create(key, version));
  if (method === 'FinalizeCacheEntryUpload') return json(res, 200, store.finalize(key, version));
  if (method === 'GetCacheEntryDownloadURL') {
    const restoreKeys = Array.isArray(request['restore_keys']) ? request['restore_keys'].map(String) : [];
    return json(res, 200, store.lookup(key, restoreKeys, version));
  }
  return json(res, 404, { code: 'bad_route', msg: `no method ${method}` });
}

export async function startFakeActionsCache(): Promise<FakeActionsCache> {
  const token = 'runtime-token-for-the-cache';
  const calls: CacheCall[] = [];
  let url = '';
  const store = new CacheStore(() => url);
  const server = createServer((req, res) => {
    handle(store, token, calls, req, res).catch((error: unknown) => json(res, 500, { code: 'internal', msg: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    token,
    calls,
    entries: () => new Map(store.entries.filter((e) => e.finalizedAt !== undefined).map((e) => [e.key, { version: e.version, bytes: e.archive?.length ?? 0 }])),
    env: () => ({ ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: `${url}/`, ACTIONS_RUNTIME_TOKEN: token, GITHUB_SERVER_URL: 'https://github.com' }),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
