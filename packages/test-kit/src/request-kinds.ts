/** Registry requests by kind: what the fault proxy's tests and the registry bench count. */
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
