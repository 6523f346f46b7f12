/**
 * The fault proxy's request handling (proxy.ts): the injected faults, the listing faults, forwarding
 * to the real registry, and the tag list's paging, which distribution 2.8 does not do itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerGate, emulateOci } from './proxy-emulation.js';
import type { ProxyOptions } from './proxy-options.js';

type Fault = 'none' | '500' | 'drop' | 'drop-after';

const sendError = (res: ServerResponse, status: number, code: string, message: string): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
};

export class ProxyHandler {
  /** Every request seen, `METHOD path`. */
  readonly requests: string[] = [];
  /** The faults injected. */
  readonly injected: string[] = [];
  /** The proxy's own `http://127.0.0.1:PORT`, set once it listens. */
  self = '';
  private readonly attempts = new Map<string, number>();
  private readonly distinct = new Map<string, number>();
  private readonly issued = new Map<string, string>();
  private readonly listingState = { listing: 0, page: 0, headMisses: 0 };
  private failures: number;

  constructor(private readonly upstream: string, private readonly options: ProxyOptions) {
    this.failures = options.failFirst ?? 0;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { options } = this;
    this.requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (options.bearer !== undefined && !bearerGate(req, res, options.bearer, this.self, this.issued)) return;
    if (await emulateOci(req, res, this.upstream, options)) return;
    const fault = this.fault(req);
    if (fault === 'drop') return void req.socket.destroy();
    if (fault === '500') return sendError(res, 500, 'UNKNOWN', 'injected failure');
    if (this.failures > 0) {
      this.failures--;
      res.writeHead(options.failStatus ?? 503, options.retryAfter ? { 'Retry-After': options.retryAfter } : {});
      res.end('{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}');
      return;
    }
    const target = new URL(req.url ?? '/', this.upstream);
    if ((await this.listingFault(req, target)) === 'not-found') return sendError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    const keepTag = this.dropsTags();
    const isTagList = req.method === 'GET' && target.pathname.endsWith('/tags/list');
    const paging = options.paginate !== undefined && isTagList;
    const asked = Number(target.searchParams.get('n') ?? '0');
    const n = options.pageSize !== undefined && asked > 0 ? Math.min(asked, options.pageSize) : asked;
    const last = target.searchParams.get('last');
    if (paging) target.search = '';
    const up = await this.forward(req, target, chunks);
    if (fault === 'drop-after') return void req.socket.destroy();
    if (!(isTagList && up.status === 200) || (!paging && options.listing?.dropTag === undefined)) {
      res.writeHead(up.status, up.headers);
      res.end(up.body);
      return;
    }
    const doc = JSON.parse(up.body.toString()) as { name: string; tags: string[] | null };
    const page = paging && n > 0 ? this.page(doc, n, last, up.headers) : doc.tags ?? [];
    res.writeHead(200, { ...up.headers, 'content-type': 'application/json' });
    res.end(JSON.stringify({ name: doc.name, tags: page.filter(keepTag) }));
  }

  /** Sends the request on to the registry; the answer's headers as the proxy passes them back. */
  private async forward(req: IncomingMessage, target: URL, chunks: Buffer[]): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers.set(k, v);
    }
    const up = await fetch(target, { method: req.method ?? 'GET', headers, redirect: 'manual', ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}) });
    const body = Buffer.from(await up.arrayBuffer());
    const out: Record<string, string> = {};
    up.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection' && k !== 'content-encoding') out[k] = v;
    });
    const upstreamOrigin = new URL(this.upstream).origin;
    if (this.options.rewriteLocation && out['location']?.startsWith(upstreamOrigin)) out['location'] = `${this.self}${out['location'].slice(upstreamOrigin.length)}`;
    return { status: up.status, headers: out, body };
  }

  /** One page of `n` sorted tags after `last`, with a `Link` to the next page when there is one. */
  private page(doc: { name: string; tags: string[] | null }, n: number, last: string | null, out: Record<string, string>): string[] {
    const sorted = [...(doc.tags ?? [])].sort();
    const rest = last === null ? sorted : sorted.filter((t) => t > last);
    const page = rest.slice(0, n);
    if (rest.length > n) {
      const path = `/v2/${doc.name}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1] ?? '')}`;
      out['link'] = `<${this.options.paginate === 'absolute' ? `${this.self}${path}` : path}>; rel="next"`;
    }
    return page;
  }

  /** What to do to this request: nothing, answer 500, drop the connection before or after forwarding. */
  private fault(req: IncomingMessage): Fault {
    const f = this.options.faults;
    if (f === undefined) return 'none';
    const method = req.method ?? '';
    const line = `${method} ${req.url ?? ''}`;
    const digest = /\/manifests\/(sha256:[0-9a-f]{64})$/.exec((req.url ?? '').split('?')[0] ?? '')?.[1];
    let kind: Fault = 'none';
    if (method === 'DELETE' && digest !== undefined && f.failDeletes?.includes(digest)) kind = '500';
    else {
      const attempt = (this.attempts.get(line) ?? 0) + 1;
      this.attempts.set(line, attempt);
      const n = attempt === 1 ? (this.distinct.get(method) ?? 0) + 1 : 0;
      if (attempt === 1) this.distinct.set(method, n);
      if (f.every !== undefined && f.every > 0 && n > 0 && n % f.every === 0) {
        const turn = (n / f.every - 1) % 3;
        kind = method === 'DELETE' ? (['drop-after', '500', 'drop'] as const)[turn] ?? 'drop' : turn % 2 === 0 ? '500' : 'drop';
      }
    }
    if (kind !== 'none') this.injected.push(`${kind} ${line}`);
    return kind;
  }

  /** A listing fault's own answer to this request, if it has one (after `beforePage` ran). */
  private async listingFault(req: IncomingMessage, target: URL): Promise<'not-found' | undefined> {
    const f = this.options.listing;
    const state = this.listingState;
    if (f === undefined) return undefined;
    if (req.method === 'HEAD' && f.headNotFound !== undefined && target.pathname.endsWith(`/manifests/${f.headNotFound.tag}`)) {
      if (state.headMisses < (f.headNotFound.times ?? Number.POSITIVE_INFINITY)) {
        state.headMisses++;
        this.injected.push(`404 HEAD ${target.pathname}`);
        return 'not-found';
      }
    }
    if (req.method === 'GET' && target.pathname.endsWith('/tags/list')) {
      if (target.searchParams.get('last') === null) {
        state.listing++;
        state.page = 0;
      }
      state.page++;
      await f.beforePage?.(state.listing, state.page);
    }
    return undefined;
  }

  /** Which tags of this listing stay in the answer (the `dropTag` fault leaves one out). */
  private dropsTags(): (tag: string) => boolean {
    const drop = this.options.listing?.dropTag;
    const listing = this.listingState.listing;
    if (drop === undefined || !drop.listings.includes(listing)) return () => true;
    return (tag) => {
      if (tag !== drop.tag) return true;
      this.injected.push(`drop-tag ${tag} listing ${listing}`);
      return false;
    };
  }
}
