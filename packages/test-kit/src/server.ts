/**
 * A fake GitHub (or GitLab) on 127.0.0.1 for tests: a real node:http server that hands each request to a list of
 * handlers (GraphQL, REST, the ghcr.io-like OCI endpoint, ...) in turn, records every request, and can
 * add latency. Handlers answer with GitHub's wire format; they live in their own files.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Milliseconds since the server started. */
  at: number;
}

/** Answers the request and returns true, or returns false to let the next handler try. */
export type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => boolean | Promise<boolean>;

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
  return true;
}

export interface FakeServerOptions {
  latencyMs?: number;
  /** The answer when no handler took the request (default GitHub's 404). */
  notFound?: (res: ServerResponse) => void;
}

export async function startFakeServer(handlers: Handler[], options: FakeServerOptions = {}): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const started = Date.now();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, at: Date.now() - started });
      const answer = async (): Promise<void> => {
        if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
        for (const h of handlers) if (await h(req, body, res)) return;
        if (options.notFound) options.notFound(res);
        else sendJson(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      };
      answer().catch((err: unknown) => sendJson(res, 500, { message: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
