/**
 * What the fault proxy answers itself instead of the registry: a token-auth gate (proxy.ts
 * `bearer`) and the OCI 1.1 features distribution 2.8 lacks (the referrers API, a tag delete).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxyOptions } from './proxy-options.js';
import { Pusher } from './push.js';

/**
 * A token-auth registry's gate: `/token` issues a token for one scope (checking Basic credentials when
 * set); other requests pass only with a token for their scope. True when the request may go on.
 */
export function bearerGate(req: IncomingMessage, res: ServerResponse, b: NonNullable<ProxyOptions['bearer']>, self: string, issued: Map<string, string>): boolean {
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
}

/** Answers a referrers request or a tag delete as an OCI 1.1 registry would; false when it is neither. */
export async function emulateOci(req: IncomingMessage, res: ServerResponse, upstream: string, options: ProxyOptions): Promise<boolean> {
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
}
