/**
 * A tiny node:http proxy in front of the real registry: it can fail the first N requests (503 with an
 * optional Retry-After), and can paginate tag lists by `n`/`last` with `Link` headers, which the Debian
 * distribution 2.8 registry does not do itself. It can also emulate OCI 1.1 features 2.8 lacks (tag
 * delete, the referrers API) on top of the real registry. For the CLI's fault tests it can inject
 * failures (500s, dropped connections, persistently failing DELETEs of chosen digests), and
 * `requestKind` / `countKinds` sort the requests it saw into the kinds the benches report.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Pusher } from './push.js';

export interface ProxyOptions {
  /** Answer this many requests with `failStatus` before forwarding. */
  failFirst?: number;
  failStatus?: number;
  retryAfter?: string;
  /** Paginate `tags/list`; Link targets are 'relative' (`/v2/…`) or 'absolute' (`http://…`). */
  paginate?: 'relative' | 'absolute';
  /** With `paginate`: pages of at most this many tags, whatever `n` the client asks for. */
  pageSize?: number;
  /**
   * Act as a token-auth registry: requests need `Authorization: Bearer <token>` issued by `/token`,
   * which checks these Basic credentials when given. A token is valid for the one scope it was issued
   * for (pull or delete); the answer says `expires_in: expiresIn` (default 300).
   */
  bearer?: { username?: string; password?: string; expiresIn?: number };
  /**
   * `DELETE /v2/<name>/manifests/<tag>` as an OCI 1.1 registry does ('oci': the tag goes, its digest
   * stays; emulated upstream by the throw-away method) or as a careless one ('destructive': the
   * manifest the tag points at is deleted with all its tags).
   */
  tagDelete?: 'oci' | 'destructive';
  /** Answer the OCI 1.1 referrers API: subject digest → referrer descriptors (others: an empty index). */
  referrers?: Record<string, object[]>;
  /** Inject failures (see FaultOptions). */
  faults?: FaultOptions;
  /**
   * Point upstream `Location` headers (blob upload sessions) at the proxy, so uploads go through it
   * too (distribution answers absolute URLs naming its own address).
   */
  rewriteLocation?: boolean;
  /** Listing faults: an inconsistent registry (see ListingFaults). */
  listing?: ListingFaults;
}

/**
 * A registry whose listing cannot be trusted. Listings are counted from 1: a `tags/list` request
 * without `last` starts the next one; pages are counted from 1 within it.
 */
export interface ListingFaults {
  /** `HEAD …/manifests/<tag>` answers 404 for this tag, the first `times` times (default: always). */
  headNotFound?: { tag: string; times?: number };
  /** The tag is left out of the page that holds it, in the listings numbered here. */
  dropTag?: { tag: string; listings: readonly number[] };
  /** Runs before the proxy answers a page (it may push, move or delete tags upstream). */
  beforePage?: (listing: number, page: number) => Promise<void>;
}

export interface FaultOptions {
  /**
   * The first attempt of every `every`-th distinct request of each method (counted by method and URL)
   * fails. DELETEs in turn: the connection dropped after the registry answered (the delete happened;
   * the retry finds it gone), a 500, the connection dropped before the request reaches the registry;
   * other methods alternate a 500 and a drop. A retry of the same request goes through, so a client
   * that retries recovers. DELETEs failed by `failDeletes` are not counted.
   */
  every?: number;
  /** `DELETE …/manifests/<digest>` of these digests always answers 500 (nothing reaches the registry). */
  failDeletes?: readonly string[];
}

/** What a request is, for counting: the kinds the registry bench prints. */
export type RequestKind = 'ping' | 'token' | 'tags list' | 'manifest HEAD' | 'manifest GET' | 'blob GET' | 'DELETE' | 'other';
export const REQUEST_KINDS: readonly RequestKind[] = ['ping', 'token', 'tags list', 'manifest HEAD', 'manifest GET', 'blob GET', 'DELETE', 'other'];

/** The kind of a `METHOD path` line of `Proxy.requests`. */
export function requestKind(line: string): RequestKind {
  const space = line.indexOf(' ');
  const method = line.slice(0, space);
  const path = (line.slice(space + 1).split('?')[0] ?? '').replace(/^https?:\/\/[^/]+/, '');
  if (path === '/v2/' || path === '/v2') return 'ping';
  if (path === '/token' || path.endsWith('/token')) return 'token';
  if (method === 'DELETE') return 'DELETE';
  if (method === 'GET' && path.endsWith('/tags/list')) return 'tags list';
  if (/\/manifests\/[^/]+$/.test(path)) {
    if (method === 'HEAD') return 'manifest HEAD';
    if (method === 'GET') return 'manifest GET';
  }
  if (method === 'GET' && /\/blobs\/sha(256|512):[0-9a-f]+$/.test(path)) return 'blob GET';
  return 'other';
}

/** Requests by kind (every kind present, zeros included). */
export function countKinds(lines: readonly string[]): Record<RequestKind, number> {
  const out = Object.fromEntries(REQUEST_KINDS.map((k) => [k, 0])) as Record<RequestKind, number>;
  for (const line of lines) out[requestKind(line)] += 1;
  return out;
}

export interface Proxy {
  host: string;
  url: string;
  /** Every request seen, `METHOD path`. */
  requests: string[];
  /** The faults injected, `500 METHOD path`, `drop METHOD path` or `drop-after METHOD path`. */
  injected: string[];
  close(): Promise<void>;
}

export async function startProxy(upstream: string, options: ProxyOptions = {}): Promise<Proxy> {
  const requests: string[] = [];
  const injected: string[] = [];
  const attempts = new Map<string, number>();
  const distinct = new Map<string, number>();
  /** What to do to this request: nothing, answer 500, drop the connection before or after forwarding. */
  const fault = (req: IncomingMessage): 'none' | '500' | 'drop' | 'drop-after' => {
    const f = options.faults;
    if (f === undefined) return 'none';
    const method = req.method ?? '';
    const line = `${method} ${req.url ?? ''}`;
    const digest = /\/manifests\/(sha256:[0-9a-f]{64})$/.exec((req.url ?? '').split('?')[0] ?? '')?.[1];
    let kind: 'none' | '500' | 'drop' | 'drop-after' = 'none';
    if (method === 'DELETE' && digest !== undefined && f.failDeletes?.includes(digest)) kind = '500';
    else {
      const attempt = (attempts.get(line) ?? 0) + 1;
      attempts.set(line, attempt);
      const n = attempt === 1 ? (distinct.get(method) ?? 0) + 1 : 0;
      if (attempt === 1) distinct.set(method, n);
      if (f.every !== undefined && f.every > 0 && n > 0 && n % f.every === 0) {
        const turn = (n / f.every - 1) % 3;
        kind = method === 'DELETE' ? (['drop-after', '500', 'drop'] as const)[turn] ?? 'drop' : turn % 2 === 0 ? '500' : 'drop';
      }
    }
    if (kind !== 'none') injected.push(`${kind} ${line}`);
    return kind;
  };
  let failures = options.failFirst ?? 0;
  let self = '';
  const listingState = { listing: 0, page: 0, headMisses: 0 };
  /** A listing fault's own answer to this request, if it has one (after `beforePage` ran). */
  const listingFault = async (req: IncomingMessage, target: URL): Promise<'not-found' | undefined> => {
    const f = options.listing;
    if (f === undefined) return undefined;
    if (req.method === 'HEAD' && f.headNotFound !== undefined && target.pathname.endsWith(`/manifests/${f.headNotFound.tag}`)) {
      if (listingState.headMisses < (f.headNotFound.times ?? Number.POSITIVE_INFINITY)) {
        listingState.headMisses++;
        injected.push(`404 HEAD ${target.pathname}`);
        return 'not-found';
      }
    }
    if (req.method === 'GET' && target.pathname.endsWith('/tags/list')) {
      if (target.searchParams.get('last') === null) {
        listingState.listing++;
        listingState.page = 0;
      }
      listingState.page++;
      await f.beforePage?.(listingState.listing, listingState.page);
    }
    return undefined;
  };
  const dropsTags = (): ((tag: string) => boolean) => {
    const drop = options.listing?.dropTag;
    if (drop === undefined || !drop.listings.includes(listingState.listing)) return () => true;
    return (tag) => {
      if (tag !== drop.tag) return true;
      injected.push(`drop-tag ${tag} listing ${listingState.listing}`);
      return false;
    };
  };
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(502);
      res.end(String(error));
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (options.bearer !== undefined && !bearerGate(req, res, options.bearer)) return;
    const emulated = await emulate(req, res);
    if (emulated) return;
    const injectedFault = fault(req);
    if (injectedFault === 'drop') return void req.socket.destroy();
    if (injectedFault === '500') {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNKNOWN","message":"injected failure"}]}');
      return;
    }
    if (failures > 0) {
      failures--;
      res.writeHead(options.failStatus ?? 503, options.retryAfter ? { 'Retry-After': options.retryAfter } : {});
      res.end('{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}');
      return;
    }
    const target = new URL(req.url ?? '/', upstream);
    if ((await listingFault(req, target)) === 'not-found') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
      return;
    }
    const keepTag = dropsTags();
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers.set(k, v);
    }
    const paging = options.paginate !== undefined && req.method === 'GET' && target.pathname.endsWith('/tags/list');
    const asked = Number(target.searchParams.get('n') ?? '0');
    const n = options.pageSize !== undefined && asked > 0 ? Math.min(asked, options.pageSize) : asked;
    const last = target.searchParams.get('last');
    if (paging) target.search = '';
    const up = await fetch(target, {
      method: req.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await up.arrayBuffer());
    if (injectedFault === 'drop-after') return void req.socket.destroy();
    const out: Record<string, string> = {};
    up.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection' && k !== 'content-encoding') out[k] = v;
    });
    const upstreamOrigin = new URL(upstream).origin;
    if (options.rewriteLocation && out['location']?.startsWith(upstreamOrigin)) out['location'] = `${self}${out['location'].slice(upstreamOrigin.length)}`;
    const tagList = req.method === 'GET' && target.pathname.endsWith('/tags/list') && up.status === 200;
    if (!tagList || (!paging && options.listing?.dropTag === undefined)) {
      res.writeHead(up.status, out);
      res.end(body);
      return;
    }
    const doc = JSON.parse(body.toString()) as { name: string; tags: string[] | null };
    if (!paging || n <= 0) {
      res.writeHead(200, { ...out, 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: doc.name, tags: (doc.tags ?? []).filter(keepTag) }));
      return;
    }
    const sorted = [...(doc.tags ?? [])].sort();
    const rest = last === null ? sorted : sorted.filter((t) => t > last);
    const page = rest.slice(0, n);
    if (rest.length > n) {
      const path = `/v2/${doc.name}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1] ?? '')}`;
      out['link'] = `<${options.paginate === 'absolute' ? `${self}${path}` : path}>; rel="next"`;
    }
    res.writeHead(200, { ...out, 'content-type': 'application/json' });
    res.end(JSON.stringify({ name: doc.name, tags: page.filter(keepTag) }));
  };
  const issued = new Map<string, string>();
  const bearerGate = (req: IncomingMessage, res: ServerResponse, b: NonNullable<ProxyOptions['bearer']>): boolean => {
    const url = new URL(req.url ?? '/', self);
    if (url.pathname === '/token') {
      const want = b.username === undefined ? undefined : `Basic ${Buffer.from(`${b.username}:${b.password ?? ''}`).toString('base64')}`;
      if (want !== undefined && req.headers.authorization !== want) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"details":"incorrect username or password"}');
        return false;
      }
      const token = `tok${issued.size + 1}`;
      issued.set(token, url.searchParams.get('scope') ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token, expires_in: b.expiresIn ?? 300 }));
      return false;
    }
    const match = /^\/v2\/(.+)\/(?:tags|manifests|blobs)\//.exec(url.pathname);
    const action = req.method === 'DELETE' ? 'delete' : req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'push';
    const scope = match ? `repository:${match[1]}:${action}` : undefined;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const granted = token === undefined ? undefined : issued.get(token);
    const grants = (g: string): boolean => {
      if (scope === undefined || g === scope) return true;
      const [prefix, actions] = [g.slice(0, g.lastIndexOf(':')), g.slice(g.lastIndexOf(':') + 1).split(',')];
      return `${prefix}:${action}` === scope && actions.includes(action);
    };
    if (granted !== undefined && grants(granted)) return true;
    const params = [`realm="${self}/token"`, 'service="proxy"', ...(scope ? [`scope="${scope}"`] : [])];
    res.writeHead(401, { 'www-authenticate': `Bearer ${params.join(',')}`, 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    return false;
  };
  const emulate = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', upstream);
    const referrers = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    if (referrers !== null && options.referrers !== undefined && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
      res.end(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: options.referrers[referrers[2] ?? ''] ?? [] }));
      return true;
    }
    const tagDelete = /^\/v2\/(.+)\/manifests\/([^/:]+)$/.exec(url.pathname);
    if (tagDelete === null || options.tagDelete === undefined || req.method !== 'DELETE') return false;
    const [, name = '', tag = ''] = tagDelete;
    const base = `${upstream}/v2/${name}`;
    const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';
    const head = await fetch(`${base}/manifests/${tag}`, { method: 'HEAD', headers: { accept } });
    const digest = head.headers.get('docker-content-digest');
    if (head.status === 404 || digest === null) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
      return true;
    }
    let victim = digest;
    if (options.tagDelete === 'oci') {
      const pusher = new Pusher(upstream, name);
      const empty = { mediaType: 'application/vnd.oci.empty.v1+json', digest: await pusher.pushBlob(Buffer.from('{}')), size: 2 };
      const mt = 'application/vnd.oci.image.manifest.v1+json';
      victim = (await pusher.putManifest({ schemaVersion: 2, mediaType: mt, config: empty, layers: [], annotations: { proxy: `${tag} ${Math.random()}` } }, mt, tag)).digest;
    }
    const del = await fetch(`${base}/manifests/${victim}`, { method: 'DELETE' });
    await del.body?.cancel();
    res.writeHead(del.status === 202 ? 202 : 500);
    res.end();
    return true;
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  self = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    url: self,
    requests,
    injected,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
