/**
 * A fake Kubernetes API server on 127.0.0.1 (plain HTTP), enough for regsweep's scan and for the real
 * `kubectl get` (platform-facts.md §4): `/version`, discovery (`/api`, `/apis`, `/api/v1`,
 * `/apis/<group>/<version>`; no aggregated discovery, so kubectl falls back to the per-group
 * documents), and the list endpoints of the eight workload kinds, across all namespaces and per
 * namespace, with `limit`/`continue` paging and `metadata.resourceVersion`. Errors are `Status`
 * objects as the API server writes them (401, 403 naming the resource and group, 410 for a stale
 * continue token). A bearer token is required when `token` is set (kubectl sends none over plain HTTP,
 * so the kubectl checks run without one).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startFakeServer, type FakeServer } from './server.js';

export interface KindInfo {
  kind: string;
  /** Plural resource name, as in the URL and RBAC rules. */
  resource: string;
  /** '' for the core group. */
  group: string;
  version: string;
}

export const KINDS: readonly KindInfo[] = [
  { kind: 'Pod', resource: 'pods', group: '', version: 'v1' },
  { kind: 'ReplicationController', resource: 'replicationcontrollers', group: '', version: 'v1' },
  { kind: 'Deployment', resource: 'deployments', group: 'apps', version: 'v1' },
  { kind: 'ReplicaSet', resource: 'replicasets', group: 'apps', version: 'v1' },
  { kind: 'StatefulSet', resource: 'statefulsets', group: 'apps', version: 'v1' },
  { kind: 'DaemonSet', resource: 'daemonsets', group: 'apps', version: 'v1' },
  { kind: 'Job', resource: 'jobs', group: 'batch', version: 'v1' },
  { kind: 'CronJob', resource: 'cronjobs', group: 'batch', version: 'v1' },
];

export interface KubeObject {
  metadata: { name: string; namespace: string; uid?: string; creationTimestamp?: string; [k: string]: unknown };
  spec?: unknown;
  status?: unknown;
}

export interface PodSpecImages {
  containers?: string[];
  initContainers?: string[];
  ephemeralContainers?: string[];
}

/** A pod spec with containers named c0, c1, …, running the given images. */
export function podSpec(images: PodSpecImages): Record<string, unknown> {
  const list = (prefix: string, imgs: string[] | undefined) => (imgs ?? []).map((image, i) => ({ name: `${prefix}${i}`, image }));
  return {
    containers: list('c', images.containers),
    ...(images.initContainers ? { initContainers: list('init', images.initContainers) } : {}),
    ...(images.ephemeralContainers ? { ephemeralContainers: list('debug', images.ephemeralContainers) } : {}),
  };
}

const groupVersion = (k: KindInfo): string => (k.group === '' ? k.version : `${k.group}/${k.version}`);

export class FakeKube {
  /** Objects by resource (`pods`, `deployments`, …). */
  readonly objects = new Map<string, KubeObject[]>(KINDS.map((k) => [k.resource, []]));
  /** Resources whose list answers 403 (RBAC). */
  readonly forbidden = new Set<string>();
  /** Resources whose next continue token is answered 410 Expired (a compaction while paging), once. */
  readonly expireNextContinue = new Set<string>();
  readonly requests: Array<{ method: string; path: string; query: string; auth: string | undefined }> = [];
  server: FakeServer | undefined;
  private uid = 0;

  constructor(private readonly o: { token?: string; user?: string; latencyMs?: number } = {}) {}

  async start(): Promise<FakeServer> {
    this.server = await startFakeServer([(req, _body, res) => this.answer(req, res)], {
      ...(this.o.latencyMs !== undefined ? { latencyMs: this.o.latencyMs } : {}),
    });
    return this.server;
  }

  get url(): string {
    if (this.server === undefined) throw new Error('FakeKube: start() first');
    return this.server.url;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  add(resource: string, namespace: string, name: string, fields: Omit<KubeObject, 'metadata'>): this {
    const list = this.objects.get(resource);
    if (list === undefined) throw new Error(`FakeKube: no resource ${resource}`);
    list.push({ metadata: { name, namespace, uid: `uid-${++this.uid}`, creationTimestamp: '2026-11-01T00:00:00Z' }, ...fields });
    return this;
  }

  /** A workload whose pod template runs `images` (CronJob: in its job template). */
  workload(resource: string, namespace: string, name: string, images: PodSpecImages): this {
    const template = { metadata: { labels: { app: name } }, spec: podSpec(images) };
    if (resource === 'pods') return this.add(resource, namespace, name, { spec: podSpec(images), status: { phase: 'Running' } });
    if (resource === 'cronjobs') return this.add(resource, namespace, name, { spec: { schedule: '0 * * * *', jobTemplate: { spec: { template } } } });
    return this.add(resource, namespace, name, { spec: { selector: { matchLabels: { app: name } }, template } });
  }

  private status(res: ServerResponse, code: number, reason: string, message: string, details?: Record<string, unknown>): true {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code }));
    return true;
  }

  private json(res: ServerResponse, body: unknown): true {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
    return true;
  }

  private answer(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://fake');
    const auth = req.headers.authorization;
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search, auth });
    if (this.o.token !== undefined && auth !== `Bearer ${this.o.token}`) return this.status(res, 401, 'Unauthorized', 'Unauthorized');
    const p = url.pathname;
    if (p === '/version') return this.json(res, { major: '1', minor: '31', gitVersion: 'v1.31.0', platform: 'linux/amd64' });
    if (p === '/api') return this.json(res, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
    if (p === '/apis') {
      const groups = [...new Set(KINDS.filter((k) => k.group !== '').map((k) => k.group))].map((g) => {
        const gv = { groupVersion: `${g}/v1`, version: 'v1' };
        return { name: g, versions: [gv], preferredVersion: gv };
      });
      return this.json(res, { kind: 'APIGroupList', apiVersion: 'v1', groups });
    }
    const discovery = /^\/(?:api\/(v1)|apis\/([^/]+)\/(v1))$/.exec(p);
    if (discovery) {
      const group = discovery[2] ?? '';
      const resources = KINDS.filter((k) => k.group === group).map((k) => ({
        name: k.resource, singularName: k.kind.toLowerCase(), namespaced: true, kind: k.kind, verbs: ['get', 'list', 'watch'],
        ...(k.resource === 'pods' ? { shortNames: ['po'] } : k.resource === 'deployments' ? { shortNames: ['deploy'] } : {}),
      }));
      return this.json(res, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? 'v1' : `${group}/v1`, resources });
    }
    const list = /^\/(?:api\/v1|apis\/([^/]+)\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)$/.exec(p);
    if (list && req.method === 'GET') {
      const group = list[1] ?? '';
      const info = KINDS.find((k) => k.resource === list[3] && k.group === group);
      if (info === undefined) return this.status(res, 404, 'NotFound', 'the server could not find the requested resource');
      return this.list(res, url, info, list[2]);
    }
    return this.status(res, 404, 'NotFound', 'the server could not find the requested resource');
  }

  private list(res: ServerResponse, url: URL, k: KindInfo, namespace: string | undefined): true {
    if (this.forbidden.has(k.resource)) {
      const where = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
      const resource = k.group === '' ? k.resource : `${k.resource}.${k.group}`;
      return this.status(res, 403, 'Forbidden', `${resource} is forbidden: User "${this.o.user ?? 'system:serviceaccount:ci:regsweep'}" cannot list resource "${k.resource}" in API group "${k.group}" ${where}`,
        { group: k.group, kind: k.resource });
    }
    const all = (this.objects.get(k.resource) ?? []).filter((o) => namespace === undefined || o.metadata.namespace === namespace);
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const token = url.searchParams.get('continue') ?? '';
    let start = 0;
    if (token !== '' && this.expireNextContinue.delete(k.resource)) {
      return this.status(res, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    if (token !== '') {
      const decoded = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
      if (!decoded) return this.status(res, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.');
      start = Number(decoded[1]);
    }
    const end = limit > 0 ? Math.min(all.length, start + limit) : all.length;
    const items = all.slice(start, end).map((o) => ({ apiVersion: groupVersion(k), kind: k.kind, ...o }));
    const metadata: Record<string, unknown> = { resourceVersion: '1000' };
    if (end < all.length) {
      metadata['continue'] = Buffer.from(`offset:${end}`).toString('base64');
      metadata['remainingItemCount'] = all.length - end;
    }
    return this.json(res, { kind: `${k.kind}List`, apiVersion: groupVersion(k), metadata, items });
  }
}

/** A kubeconfig with one context per fake (plain HTTP needs insecure-skip-tls-verify for client-node 1.x). */
export function kubeconfigYaml(contexts: Array<{ name: string; server: string; token?: string; namespace?: string }>, current?: string): string {
  const lines = ['apiVersion: v1', 'kind: Config', `current-context: ${current ?? contexts[0]?.name ?? ''}`, 'clusters:'];
  for (const c of contexts) lines.push(`- name: ${c.name}`, '  cluster:', `    server: ${c.server}`, '    insecure-skip-tls-verify: true');
  lines.push('users:');
  for (const c of contexts) lines.push(`- name: ${c.name}-user`, '  user:', ...(c.token ? [`    token: ${c.token}`] : ['    {}']));
  lines.push('contexts:');
  for (const c of contexts) lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${c.name}`, `    user: ${c.name}-user`, ...(c.namespace ? [`    namespace: ${c.namespace}`] : []));
  return `${lines.join('\n')}\n`;
}
