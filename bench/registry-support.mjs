// Support for bench/registry.mjs: the real registry (Debian's docker-registry) on a free 127.0.0.1
// port, a counting node:http proxy in front of it, and a fast pusher over the Distribution HTTP API.
// The same set-up as packages/oci-registry/test/support (registry-server.ts, proxy.ts, push.ts), in
// plain JavaScript so the bench runs on the built packages without a TypeScript loader.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts docker-registry with deletes enabled and a temporary storage folder; `stop()` removes it. */
export async function startRegistry() {
  if (!existsSync(REGISTRY_BIN)) throw new Error(`${REGISTRY_BIN} is missing: apt-get install -y docker-registry`);
  const root = await mkdtemp(join(tmpdir(), 'regsweep-bench-registry-'));
  const host = `127.0.0.1:${await freePort()}`;
  const config = join(root, 'config.yml');
  await writeFile(config, ['version: 0.1', 'log:', '  level: error', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:',
    `    rootdirectory: ${join(root, 'data')}`, '  delete:', '    enabled: true', 'http:', `  addr: ${host}`, ''].join('\n'));
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const url = `http://${host}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry exited ${child.exitCode}: ${stderr}`);
    }
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${url}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  /** CPU seconds the registry process has used so far (user + system, from /proc; undefined elsewhere). */
  const cpuSeconds = () => {
    try {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
    } catch {
      return undefined;
    }
  };
  return { host, url, root, stop, cpuSeconds };
}

export const KINDS = ['ping', 'token', 'tags list', 'manifest HEAD', 'manifest GET', 'blob GET', 'DELETE', 'other'];

/** The kind of a request (same rules as requestKind in packages/oci-registry/test/support/proxy.ts). */
export function kindOf(method, url) {
  const path = url.split('?')[0];
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
    const kind = kindOf(req.method ?? 'GET', req.url ?? '/');
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
