/**
 * The in-house registry of `examples/library/` on 127.0.0.1: a REST API of its own (not OCI
 * Distribution) with paged listings (two images a page), manifests, blobs and deletes by digest, a
 * Bearer token on every request. Images are real OCI image manifests and configs, addressed by the
 * sha256 of their bytes, with the revision label a CI build sets.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, startFakeServer, type FakeServer } from './server.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const PAGE_SIZE = 2;

const sha256 = (bytes: string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface StoredImage {
  digest: string;
  tags: string[];
  pushedAt: string;
  manifest: string;
}

export interface FakeRestRegistry {
  url: string;
  token: string;
  server: FakeServer;
  /** Pushes an image of `revision` (a commit id) with `tags`; answers its digest. */
  push(repository: string, spec: { tags: string[]; revision?: string; pushedAt: Date }): string;
  /** Digests still in a repository. */
  digests(repository: string): string[];
  close(): Promise<void>;
}

class RestStore {
  readonly repositories = new Map<string, Map<string, StoredImage>>();
  readonly blobs = new Map<string, string>();

  push(repository: string, spec: { tags: string[]; revision?: string; pushedAt: Date }): string {
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', created: spec.pushedAt.toISOString(),
      config: { Labels: spec.revision ? { 'org.opencontainers.image.revision': spec.revision } : {} }, rootfs: { type: 'layers', diff_ids: [] } });
    this.blobs.set(sha256(config), config);
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: Buffer.byteLength(config) }, layers: [] });
    const digest = sha256(manifest);
    const images = this.repositories.get(repository) ?? new Map<string, StoredImage>();
    this.repositories.set(repository, images);
    images.set(digest, { digest, tags: spec.tags, pushedAt: spec.pushedAt.toISOString(), manifest });
    return digest;
  }

  handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const m = /^\/repositories\/([^/]+)\/(images|manifests|blobs)(?:\/(sha256:[0-9a-f]{64}))?$/.exec(url.pathname);
    if (!m) return sendJson(res, 404, { error: 'no such route' });
    const [, name = '', kind, digest] = m;
    const images = this.repositories.get(decodeURIComponent(name));
    if (images === undefined) return sendJson(res, 404, { error: 'no such repository' });
    if (req.method === 'GET' && kind === 'images' && digest === undefined) {
      const page = Number(url.searchParams.get('page') ?? '1');
      const all = [...images.values()];
      const slice = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
      return sendJson(res, 200, {
        images: slice.map((i) => ({ digest: i.digest, tags: i.tags, pushedAt: i.pushedAt, mediaType: OCI_MANIFEST })),
        nextPage: page * PAGE_SIZE < all.length ? page + 1 : null,
      });
    }
    if (req.method === 'GET' && kind === 'manifests' && digest) {
      const image = images.get(digest);
      if (!image) return sendJson(res, 404, { error: 'no such manifest' });
      res.writeHead(200, { 'content-type': OCI_MANIFEST });
      res.end(image.manifest);
      return true;
    }
    if (req.method === 'GET' && kind === 'blobs' && digest && this.blobs.has(digest)) {
      res.writeHead(200, { 'content-type': OCI_CONFIG });
      res.end(this.blobs.get(digest));
      return true;
    }
    if (req.method === 'DELETE' && kind === 'images' && digest) {
      if (!images.delete(digest)) return sendJson(res, 404, { error: 'no such image' });
      res.writeHead(204);
      res.end();
      return true;
    }
    return sendJson(res, 404, { error: 'not found' });
  };
}

export async function startFakeRestRegistry(): Promise<FakeRestRegistry> {
  const token = 'rest-registry-token';
  const store = new RestStore();
  const server = await startFakeServer([
    (req, _body, res) => req.headers.authorization === `Bearer ${token}` ? false : sendJson(res, 401, { error: 'a Bearer token is required' }),
    (req, _body, res) => store.handle(req, res),
  ]);
  return {
    url: server.url,
    token,
    server,
    push: (repository, spec) => store.push(repository, spec),
    digests: (repository) => [...(store.repositories.get(repository)?.keys() ?? [])],
    close: () => server.close(),
  };
}
