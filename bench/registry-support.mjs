// Support for bench/registry.mjs: the test kit's registry (Debian's docker-registry on a free 127.0.0.1
// port) with its CPU use, a counting node:http proxy in front of it that sorts requests with the test
// kit's requestKind, and a fast pusher over the Distribution HTTP API. Run with tsx (the test kit is
// TypeScript).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { startRegistry as startTestRegistry } from '@regsweep/test-kit/registry-server';
import { REQUEST_KINDS, requestKind } from '@regsweep/test-kit/request-kinds';

/** Starts the test kit's docker-registry and adds `cpuSeconds()`: what the process has used so far. */
export async function startRegistry() {
  const registry = await startTestRegistry();
  /** User + system CPU seconds from /proc (undefined elsewhere). */
  const cpuSeconds = () => {
    try {
      const fields = readFileSync(`/proc/${registry.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
    } catch {
      return undefined;
    }
  };
  return { ...registry, cpuSeconds };
}

export const KINDS = REQUEST_KINDS;

/**
 * A streaming proxy that counts requests by kind and remembers, per kind, how many distinct URLs were
 * asked (a manifest read twice shows as more requests than distinct URLs), when the first request of
 * each kind arrived and what `probe()` (CPU figures, say) said then. `reset()` starts a new count.
 */
export async function startCountingProxy(upstream, probe = () => undefined) {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let counts;
  const reset = () => {
    counts = { byKind: Object.fromEntries(KINDS.map((k) => [k, 0])), urls: Object.fromEntries(KINDS.map((k) => [k, new Set()])), first: {}, probes: {} };
  };
  reset();
  const server = createServer((req, res) => {
    const kind = requestKind(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
    counts.byKind[kind] += 1;
    counts.urls[kind].add(req.url);
    if (counts.first[kind] === undefined) {
      counts.first[kind] = performance.now();
      counts.probes[kind] = probe();
    }
    const headers = { ...req.headers, host: target.host };
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(up);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    host: `127.0.0.1:${port}`,
    reset,
    /** The counts since the last reset: `{ byKind, distinct, first, probes }`. */
    snapshot: () => ({ byKind: { ...counts.byKind }, distinct: Object.fromEntries(KINDS.map((k) => [k, counts.urls[k].size])), first: { ...counts.first }, probes: { ...counts.probes } }),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
      agent.destroy();
    }),
  };
}

const digestOf = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** Pushes small images straight to the registry: one shared layer, a config per image, a PUT per tag. */
export class FastPusher {
  constructor(url, name) {
    this.url = url;
    this.name = name;
    this.tar = Buffer.alloc(1024); // an empty tar archive
    this.layer = gzipSync(this.tar);
  }

  async pushBlob(bytes) {
    const digest = digestOf(bytes);
    // POST then PUT: distribution 2.8 has no single-POST upload (it opens a session and ignores the body).
    const start = await fetch(`${this.url}/v2/${this.name}/blobs/uploads/`, { method: 'POST' });
    await start.body?.cancel();
    const location = start.headers.get('location');
    if (start.status !== 202 || location === null) throw new Error(`upload start: HTTP ${start.status}`);
    const put = new URL(location, this.url);
    put.searchParams.set('digest', digest);
    const res = await fetch(put, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`upload ${digest}: HTTP ${res.status} ${text}`);
    return digest;
  }

  async putManifest(bytes, reference, mediaType = OCI_MANIFEST) {
    const res = await fetch(`${this.url}/v2/${this.name}/manifests/${reference}`, { method: 'PUT', headers: { 'Content-Type': mediaType }, body: bytes });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`put manifest ${reference}: HTTP ${res.status} ${text}`);
  }

  /** The blobs every image shares, pushed once up front (concurrent uploads of one blob race in distribution 2.8). */
  async pushShared() {
    this.layerDigest = await this.pushBlob(this.layer);
    this.diffId = digestOf(this.tar);
    this.emptyConfig = Buffer.from('{}');
    this.emptyConfigDigest = await this.pushBlob(this.emptyConfig);
  }

  /** An image labelled with `revision`, built at `created`, under `tags` (the first PUT creates it). */
  async pushImage({ revision, created, tags }) {
    const config = Buffer.from(JSON.stringify({
      created, architecture: 'amd64', os: 'linux',
      config: { Labels: { 'org.opencontainers.image.revision': revision } },
      rootfs: { type: 'layers', diff_ids: [this.diffId] },
    }));
    const configDigest = await this.pushBlob(config);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
      layers: [{ mediaType: LAYER, digest: this.layerDigest, size: this.layer.length }],
    }));
    for (const tag of tags) await this.putManifest(manifest, tag);
    return { digest: digestOf(manifest), size: manifest.length };
  }

  /** A cosign-style signature of `subject` under `sha256-<hex>.sig`. */
  async pushSignature(subject) {
    const payload = Buffer.from(JSON.stringify({ critical: { image: { 'docker-manifest-digest': subject } } }));
    const payloadDigest = await this.pushBlob(payload);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: this.emptyConfigDigest, size: this.emptyConfig.length },
      layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: payloadDigest, size: payload.length }],
    }));
    const tag = `${subject.replace(':', '-')}.sig`;
    await this.putManifest(manifest, tag);
    return { digest: digestOf(manifest), tag };
  }
}

/** Runs `work(item)` over `items`, `width` at a time. */
export async function pool(items, width, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
