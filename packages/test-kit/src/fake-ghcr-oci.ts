/**
 * ghcr.io's OCI read endpoint as a `Handler` for server.ts: `GET /token?service=…&scope=repository:<repo>:pull`
 * with Basic `user:token` (any user name, a known token) hands out a Bearer token for that repository;
 * `GET|HEAD /v2/<repo>/manifests|blobs/<digest>` needs it (401 + `WWW-Authenticate: Bearer realm=…`
 * otherwise); `DELETE` answers 405 UNSUPPORTED, as ghcr.io does. Manifest GETs are counted per digest
 * (on GHCR each one is a download).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler } from './server.js';
import { testSecret } from './secrets.js';

interface Stored {
  mediaType: string;
  bytes: Buffer;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export class FakeGhcrOci {
  /** `<repo>@<digest>` → content. */
  private readonly manifests = new Map<string, Stored>();
  private readonly blobs = new Map<string, Buffer>();
  /** Bearer token → repository it may pull. */
  private readonly bearer = new Map<string, string>();
  readonly downloads = new Map<string, number>();
  tokenRequests = 0;
  deleteAttempts = 0;
  /**
   * As ghcr.io does, answer a blob GET with a 307 to a blob store (`/blobstore/<key>` here, no auth),
   * which serves the bytes: one more request per blob read.
   */
  redirectBlobs = false;
  /** Reads by kind: manifest GETs, blob GETs at /v2, blob-store GETs. */
  readonly reads = { manifests: 0, blobs: 0, blobStore: 0 };
  private readonly stored = new Map<string, Buffer>();

  /** `validTokens`: the GitHub tokens the registry accepts as Basic passwords. */
  constructor(private readonly validTokens: ReadonlySet<string>) {}

  /** Stores an image (config + manifest) under `repo` (`owner/name`); returns the manifest digest. */
  addImage(repo: string, config: object): string {
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = digestOf(configBytes);
    this.blobs.set(`${repo}@${configDigest}`, configBytes);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length },
      layers: [],
    }));
    const digest = digestOf(manifest);
    this.manifests.set(`${repo}@${digest}`, { mediaType: OCI_MANIFEST, bytes: manifest });
    return digest;
  }

  /**
   * Stores an image index under `repo` listing `children` (digests stored with `addImage`, each with
   * its platform); returns the index digest. `annotations` go on the index (e.g. the revision).
   */
  addIndex(repo: string, children: ReadonlyArray<{ digest: string; platform: { os: string; architecture: string } }>, annotations?: Record<string, string>): string {
    const manifests = children.map((c) => {
      const stored = this.manifests.get(`${repo}@${c.digest}`);
      if (stored === undefined) throw new Error(`addIndex: ${repo}@${c.digest} is not stored`);
      return { mediaType: stored.mediaType, digest: c.digest, size: stored.bytes.length, platform: c.platform };
    });
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests, ...(annotations !== undefined ? { annotations } : {}) }));
    const digest = digestOf(bytes);
    this.manifests.set(`${repo}@${digest}`, { mediaType: OCI_INDEX, bytes });
    return digest;
  }

  readonly handler: Handler = (req: IncomingMessage, _body: string, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname === '/token') return this.token(req, url, res);
    if (url.pathname.startsWith('/blobstore/')) return this.fromBlobStore(url, res);
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (m === null) return false;
    const [, repo = '', kind, reference = ''] = m;
    const host = req.headers.host ?? '127.0.0.1';
    if (req.method === 'DELETE') {
      this.deleteAttempts += 1;
      return send(res, 405, { errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] });
    }
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (auth === undefined || this.bearer.get(auth) !== repo) {
      return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, {
        'www-authenticate': `Bearer realm="http://${host}/token",service="${host}",scope="repository:${repo}:pull"`,
      });
    }
    const key = `${repo}@${decodeURIComponent(reference)}`;
    if (kind === 'manifests') {
      const stored = this.manifests.get(key);
      if (stored === undefined) return send(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
      if (req.method === 'GET') {
        this.downloads.set(reference, (this.downloads.get(reference) ?? 0) + 1);
        this.reads.manifests += 1;
      }
      res.writeHead(200, { 'content-type': stored.mediaType, 'docker-content-digest': reference, 'content-length': String(stored.bytes.length) });
      res.end(req.method === 'HEAD' ? undefined : stored.bytes);
      return true;
    }
    const blob = this.blobs.get(key);
    if (blob === undefined) return send(res, 404, { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] });
    if (req.method === 'GET') this.reads.blobs += 1;
    if (this.redirectBlobs && req.method === 'GET') {
      const id = createHash('sha256').update(key).digest('hex');
      this.stored.set(id, blob);
      res.writeHead(307, { location: `http://${host}/blobstore/${id}`, 'content-length': '0' });
      res.end();
      return true;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) });
    res.end(req.method === 'HEAD' ? undefined : blob);
    return true;
  };

  private fromBlobStore(url: URL, res: ServerResponse): true {
    this.reads.blobStore += 1;
    const blob = this.stored.get(url.pathname.slice('/blobstore/'.length));
    if (blob === undefined) return send(res, 404, { message: 'no such blob' });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) });
    res.end(blob);
    return true;
  }

  private token(req: IncomingMessage, url: URL, res: ServerResponse): true {
    this.tokenRequests += 1;
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const decoded = basic !== undefined ? Buffer.from(basic, 'base64').toString('utf8') : '';
    const password = decoded.slice(decoded.indexOf(':') + 1);
    const scope = /^repository:(.+):pull$/.exec(url.searchParams.get('scope') ?? '')?.[1];
    if (!decoded.includes(':') || !this.validTokens.has(password) || scope === undefined || url.searchParams.get('service') !== req.headers.host) {
      return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
    }
    const token = testSecret('ghcr-bearer');
    this.bearer.set(token, scope);
    return send(res, 200, { token, expires_in: 300 });
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
  return true;
}
