/**
 * A tiny node:http proxy in front of the real registry: it can fail the first N requests (503 with an
 * optional Retry-After), and can paginate tag lists by `n`/`last` with `Link` headers, which the Debian
 * distribution 2.8 registry does not do itself. It can also emulate OCI 1.1 features 2.8 lacks (tag
 * delete, the referrers API) on top of the real registry.
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
}

export interface Proxy {
  host: string;
  url: string;
  /** Every request seen, `METHOD path`. */
  requests: string[];
  close(): Promise<void>;
}

export async function startProxy(upstream: string, options: ProxyOptions = {}): Promise<Proxy> {
  const requests: string[] = [];
  let failures = options.failFirst ?? 0;
  let self = '';
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
    if (failures > 0) {
      failures--;
      res.writeHead(options.failStatus ?? 503, options.retryAfter ? { 'Retry-After': options.retryAfter } : {});
      res.end('{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}');
      return;
    }
    const target = new URL(req.url ?? '/', upstream);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers.set(k, v);
    }
    const paging = options.paginate !== undefined && req.method === 'GET' && target.pathname.endsWith('/tags/list');
    const n = Number(target.searchParams.get('n') ?? '0');
    const last = target.searchParams.get('last');
    if (paging) target.search = '';
    const up = await fetch(target, {
      method: req.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await up.arrayBuffer());
    const out: Record<string, string> = {};
    up.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection' && k !== 'content-encoding') out[k] = v;
    });
    if (!paging || up.status !== 200 || n <= 0) {
      res.writeHead(up.status, out);
      res.end(body);
      return;
    }
    const doc = JSON.parse(body.toString()) as { name: string; tags: string[] };
    const sorted = [...doc.tags].sort();
    const rest = last === null ? sorted : sorted.filter((t) => t > last);
    const page = rest.slice(0, n);
    if (rest.length > n) {
      const path = `/v2/${doc.name}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1] ?? '')}`;
      out['link'] = `<${options.paginate === 'absolute' ? `${self}${path}` : path}>; rel="next"`;
    }
    res.writeHead(200, { ...out, 'content-type': 'application/json' });
    res.end(JSON.stringify({ name: doc.name, tags: page }));
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
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
