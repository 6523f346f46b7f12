/**
 * A small npm registry on 127.0.0.1, enough for `npm publish`, `npm install` and `npx` (npm's
 * registry wire format): `PUT /<name>` with a package document whose `_attachments` hold the base64
 * tarball (a Bearer token is required, as a real registry does); `GET /<name>` answers the packument
 * (`versions`, `dist-tags`, each version's `dist.tarball`, `integrity` and `shasum` as npm sent them);
 * `GET /-/tarballs/<file>` answers the tarball. Anything else is 404, so a test proves which packages
 * npm fetched (and that it fetched nothing else) from `requests`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, startFakeServer, type FakeServer } from './server.js';

interface VersionDocument {
  name: string;
  version: string;
  dist: { tarball: string; integrity?: string; shasum?: string };
  [key: string]: unknown;
}

interface PublishBody {
  name?: string;
  'dist-tags'?: Record<string, string>;
  versions?: Record<string, VersionDocument>;
  _attachments?: Record<string, { data: string }>;
}

export interface FakeNpmRegistry {
  /** The registry URL, ending in `/` (for `--registry` or `npm_config_registry`). */
  url: string;
  /** The token `npm publish` must send. */
  token: string;
  server: FakeServer;
  /** What was published: name → version → tarball bytes. */
  published: Map<string, Map<string, Buffer>>;
  /** An `.npmrc` text that points npm at this registry with the publish token. */
  npmrc(): string;
  close(): Promise<void>;
}

/** `/@scope%2fname` or `/@scope/name` → `@scope/name`. */
const packageNameOf = (path: string): string => decodeURIComponent(path.slice(1));

class NpmStore {
  readonly packuments = new Map<string, { name: string; 'dist-tags': Record<string, string>; versions: Record<string, VersionDocument> }>();
  readonly tarballs = new Map<string, Buffer>();
  readonly published = new Map<string, Map<string, Buffer>>();

  constructor(private readonly base: () => string, private readonly token: string) {}

  handle = (req: IncomingMessage, body: string, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path.startsWith('/-/tarballs/')) {
      const tarball = this.tarballs.get(path.slice('/-/tarballs/'.length));
      if (tarball === undefined) return sendJson(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(tarball.length) });
      res.end(tarball);
      return true;
    }
    if (req.method === 'GET') {
      const packument = this.packuments.get(packageNameOf(path));
      return packument === undefined ? sendJson(res, 404, { error: 'not found' }) : sendJson(res, 200, packument);
    }
    if (req.method === 'PUT' && !path.startsWith('/-/')) {
      if (req.headers.authorization !== `Bearer ${this.token}`) return sendJson(res, 401, { error: 'unauthorized: log in first' });
      return this.publish(packageNameOf(path), JSON.parse(body) as PublishBody, res);
    }
    return sendJson(res, 404, { error: 'not found' });
  };

  private publish(name: string, doc: PublishBody, res: ServerResponse): true {
    const [version, document] = Object.entries(doc.versions ?? {})[0] ?? [];
    const attachment = Object.values(doc._attachments ?? {})[0];
    if (version === undefined || document === undefined || attachment === undefined || doc.name !== name) {
      return sendJson(res, 400, { error: 'a publish names the package and carries one version and its tarball' });
    }
    const packument = this.packuments.get(name) ?? { name, 'dist-tags': {}, versions: {} };
    if (packument.versions[version] !== undefined) return sendJson(res, 403, { error: `cannot publish over the previously published version ${version}` });
    const file = `${name.replace('/', '-').replace('@', '')}-${version}.tgz`;
    const bytes = Buffer.from(attachment.data, 'base64');
    this.tarballs.set(file, bytes);
    packument.versions[version] = { ...document, dist: { ...document.dist, tarball: `${this.base()}-/tarballs/${file}` } };
    Object.assign(packument['dist-tags'], doc['dist-tags'] ?? { latest: version });
    this.packuments.set(name, packument);
    const versions = this.published.get(name) ?? new Map<string, Buffer>();
    versions.set(version, bytes);
    this.published.set(name, versions);
    return sendJson(res, 201, { ok: true });
  }
}

export async function startFakeNpmRegistry(token = 'npm-test-publish-token'): Promise<FakeNpmRegistry> {
  let url = '';
  const store = new NpmStore(() => url, token);
  const server = await startFakeServer([store.handle], { notFound: (res) => void sendJson(res, 404, { error: 'not found' }) });
  url = `${server.url}/`;
  const hostPath = url.replace(/^http:/, '');
  return {
    url, token, server, published: store.published,
    npmrc: () => `registry=${url}\n${hostPath}:_authToken=${token}\n`,
    close: () => server.close(),
  };
}
