/**
 * The registry half of the fake GitLab: image content per repository path, the JWT endpoint
 * (`/jwt/auth`: Basic user:token → `{"token"}`), the registry's own `/gitlab/v1` tags listing (1,000 a
 * page, relative `Link` to the next page, 404 with an empty body when the metadata database is
 * "off") and the OCI read endpoints (`/v2/<path>/manifests|blobs/<digest>`, Bearer JWT). Wire formats
 * as GitLab's container-registry and gitlabhq sources have them (packages/gitlab/README.md).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './server.js';
import { testSecret } from './secrets.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface Stored {
  mediaType: string;
  bytes: Buffer;
  /** Config `created` of an image; undefined for an index. */
  created?: string;
  size: number;
}

export interface FakeTag {
  digest: string;
  publishedAt: string;
}

export class FakeRegistry {
  /** `<path>@<digest>` → content. */
  private readonly manifests = new Map<string, Stored>();
  private readonly blobs = new Map<string, Buffer>();
  /** Repository path → tag → digest and push time. */
  readonly tags = new Map<string, Map<string, FakeTag>>();
  /** Bearer JWT → the repository paths it may pull. */
  private readonly bearer = new Map<string, string>();
  /** Off: the registry has no metadata database, so no /gitlab/v1. */
  v1 = true;
  /** Called before a `/gitlab/v1` page is answered, with the count of pages answered before it. */
  beforeV1Page: ((answered: number) => void) | undefined;
  readonly manifestGets = new Map<string, number>();
  readonly counts = { jwt: 0, v1Pages: 0, manifests: 0, blobs: 0 };

  /** `validPassword(user, password)`: whether the JWT endpoint accepts these Basic credentials. */
  constructor(private readonly validPassword: (user: string, password: string) => boolean) {}

  addImage(path: string, config: { created: string; revision?: string; architecture?: string }): string {
    const configBytes = Buffer.from(JSON.stringify({
      created: config.created, architecture: config.architecture ?? 'amd64', os: 'linux',
      config: { Labels: config.revision !== undefined ? { 'org.opencontainers.image.revision': config.revision } : {} },
      rootfs: { type: 'layers', diff_ids: [] },
    }));
    const configDigest = digestOf(configBytes);
    this.blobs.set(`${path}@${configDigest}`, configBytes);
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length }, layers: [] }));
    const digest = digestOf(bytes);
    this.manifests.set(`${path}@${digest}`, { mediaType: OCI_MANIFEST, bytes, created: config.created, size: bytes.length + configBytes.length + 1000 });
    return digest;
  }

  addIndex(path: string, children: ReadonlyArray<{ digest: string; architecture: string }>, annotations?: Record<string, string>): string {
    const manifests = children.map((c) => {
      const stored = this.manifests.get(`${path}@${c.digest}`);
      if (stored === undefined) throw new Error(`addIndex: ${path}@${c.digest} is not stored`);
      return { mediaType: stored.mediaType, digest: c.digest, size: stored.bytes.length, platform: { os: 'linux', architecture: c.architecture } };
    });
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests, ...(annotations !== undefined ? { annotations } : {}) }));
    const digest = digestOf(bytes);
    this.manifests.set(`${path}@${digest}`, { mediaType: OCI_INDEX, bytes, size: bytes.length });
    return digest;
  }

  /** A cosign-style signature of `subject`, tagged `sha256-<hex>.sig`. */
  addSignature(path: string, subject: string, publishedAt: string): string {
    const digest = this.addImage(path, { created: publishedAt });
    this.tag(path, `${subject.replace(':', '-')}.sig`, digest, publishedAt);
    return digest;
  }

  tag(path: string, tag: string, digest: string, publishedAt: string): void {
    let tags = this.tags.get(path);
    if (tags === undefined) this.tags.set(path, (tags = new Map()));
    tags.set(tag, { digest, publishedAt });
  }

  stored(path: string, digest: string): Stored | undefined {
    return this.manifests.get(`${path}@${digest}`);
  }

  /** Answers the registry's routes; false for anything else. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname === '/jwt/auth') return this.jwt(req, url, res);
    const v1 = /^\/gitlab\/v1\/repositories\/(.+)\/tags\/list\/$/.exec(url.pathname);
    if (v1 !== null) return this.listV1(req, url, res, v1[1] ?? '');
    const oci = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (oci !== null) return this.read(req, res, oci[1] ?? '', oci[2] ?? '', decodeURIComponent(oci[3] ?? ''));
    return false;
  }

  private authorized(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token !== undefined && this.bearer.get(token) === path) return true;
    const host = req.headers.host ?? '127.0.0.1';
    sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: [{ Type: 'repository', Name: path, Action: 'pull' }] }] }, {
      'www-authenticate': `Bearer realm="http://${host}/jwt/auth",service="container_registry",scope="repository:${path}:pull"`,
    });
    return false;
  }

  private jwt(req: IncomingMessage, url: URL, res: ServerResponse): true {
    this.counts.jwt += 1;
    if (url.searchParams.get('service') !== 'container_registry') {
      res.writeHead(404).end();
      return true;
    }
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const decoded = basic !== undefined ? Buffer.from(basic, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0 || !this.validPassword(decoded.slice(0, colon), decoded.slice(colon + 1))) {
      return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'HTTP Basic: Access denied. The provided password or token is incorrect.' }] });
    }
    const scope = /^repository:(.+):[a-z,*]+$/.exec(url.searchParams.get('scope') ?? '')?.[1];
    const token = testSecret('registry-jwt');
    if (scope !== undefined) this.bearer.set(token, scope);
    return sendJson(res, 200, { token });
  }

  private listV1(req: IncomingMessage, url: URL, res: ServerResponse, path: string): true {
    if (!this.authorized(req, res, path)) return true;
    if (!this.v1) {
      res.writeHead(404, { 'gitlab-container-registry-version': 'v4.x-fake' }).end();
      return true;
    }
    this.beforeV1Page?.(this.counts.v1Pages);
    this.counts.v1Pages += 1;
    const tags = this.tags.get(path);
    if (tags === undefined) return sendJson(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: path } }] });
    const n = Number(url.searchParams.get('n') ?? '100');
    if (!Number.isInteger(n) || n < 1 || n > 1000) return sendJson(res, 400, { errors: [{ code: 'INVALID_QUERY_PARAMETER_VALUE', message: 'the value of a query parameter is invalid' }] });
    const last = url.searchParams.get('last') ?? '';
    const names = [...tags.keys()].sort().filter((t) => t > last);
    const page = names.slice(0, n);
    const body = page.map((name) => {
      const t = tags.get(name) as FakeTag;
      const stored = this.manifests.get(`${path}@${t.digest}`);
      return {
        name, digest: t.digest, media_type: stored?.mediaType ?? OCI_MANIFEST, size_bytes: stored?.size ?? 0,
        created_at: t.publishedAt, published_at: t.publishedAt,
      };
    });
    const headers: Record<string, string> = {};
    if (names.length > n) headers['link'] = `</gitlab/v1/repositories/${path}/tags/list/?last=${encodeURIComponent(page.at(-1) ?? '')}&n=${n}>; rel="next"`;
    return sendJson(res, 200, body, headers);
  }

  private read(req: IncomingMessage, res: ServerResponse, path: string, kind: string, reference: string): true {
    if (!this.authorized(req, res, path)) return true;
    if (kind === 'manifests') {
      this.counts.manifests += 1;
      const stored = this.manifests.get(`${path}@${reference}`);
      if (stored === undefined) return sendJson(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
      if (req.method === 'GET') this.manifestGets.set(reference, (this.manifestGets.get(reference) ?? 0) + 1);
      res.writeHead(200, { 'content-type': stored.mediaType, 'docker-content-digest': reference, 'content-length': String(stored.bytes.length) });
      res.end(req.method === 'HEAD' ? undefined : stored.bytes);
      return true;
    }
    this.counts.blobs += 1;
    const blob = this.blobs.get(`${path}@${reference}`);
    if (blob === undefined) return sendJson(res, 404, { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) });
    res.end(req.method === 'HEAD' ? undefined : blob);
    return true;
  }
}
