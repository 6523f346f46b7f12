/**
 * A tiny node:http proxy in front of the real registry: it can fail the first N requests (503 with an
 * optional Retry-After), and can paginate tag lists by `n`/`last` with `Link` headers, which the Debian
 * distribution 2.8 registry does not do itself. It can also emulate OCI 1.1 features 2.8 lacks (tag
 * delete, the referrers API) on top of the real registry. For the CLI's fault tests it can inject
 * failures (500s, dropped connections, persistently failing DELETEs of chosen digests), and
 * `requestKind` / `countKinds` sort the requests it saw into the kinds the benches report.
 */
import { createServer, type Server } from 'node:http';
import { ProxyHandler } from './proxy-handler.js';
import type { ProxyOptions } from './proxy-options.js';

export type { FaultOptions, ListingFaults, ProxyOptions } from './proxy-options.js';
export { countKinds, REQUEST_KINDS, requestKind, type RequestKind } from './request-kinds.js';

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
  const handler = new ProxyHandler(upstream, options);
  const server: Server = createServer((req, res) => {
    void handler.handle(req, res).catch((error: unknown) => {
      res.writeHead(502);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  handler.self = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    url: handler.self,
    requests: handler.requests,
    injected: handler.injected,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
