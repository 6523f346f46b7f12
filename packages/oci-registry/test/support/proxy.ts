/**
 * A tiny node:http proxy in front of the real registry: it can fail the first N requests (503 with an
 * optional Retry-After), and can paginate tag lists by `n`/`last` with `Link` headers, which the Debian
 * distribution 2.8 registry does not do itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

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
    const action = req.method === 'DELETE' ? 'delete' : 'pull';
    const scope = match ? `repository:${match[1]}:${action}` : undefined;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const granted = token === undefined ? undefined : issued.get(token);
    if (granted !== undefined && (scope === undefined || granted === scope)) return true;
    const params = [`realm="${self}/token"`, 'service="proxy"', ...(scope ? [`scope="${scope}"`] : [])];
    res.writeHead(401, { 'www-authenticate': `Bearer ${params.join(',')}`, 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    return false;
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
