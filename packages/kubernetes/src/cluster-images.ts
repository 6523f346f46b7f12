/**
 * `ClusterImages` over Kubernetes: every chosen context (default: all of the kubeconfig's), scanned
 * concurrently; in each, the eight workload kinds (workload-kinds.ts) in all namespaces (or the
 * chosen ones), page by page (`limit`/`continue`). The result is every image reference in use with
 * where it runs (context / namespace / kind / name). Any context, kind or page that cannot be read
 * fails the whole scan (kube-errors.ts): nothing may be deleted on partial knowledge.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { InputError, type ClusterImageUse, type ClusterImages } from '@regsweep/core';
import { listFailure } from './kube-errors.js';
import { kubeconfigFileSecrets, kubeconfigFromValue, kubeconfigSecrets } from './kubeconfig.js';
import { makeClients, WORKLOAD_KINDS, type Clients, type WorkloadKind } from './workload-kinds.js';
import { uniqueImages } from './workload-images.js';

export interface KubeScanOptions {
  kubeconfig: KubeConfig;
  /** Context names to scan; empty or absent: every context of the kubeconfig. */
  contexts?: readonly string[];
  /** Namespaces to scan in every context; empty or absent: all namespaces. */
  namespaces?: readonly string[];
  /** Objects a page (default 500, kubectl's chunk size). */
  pageSize?: number;
  /** Lines for the log: one per context scanned. */
  log?: (message: string) => void;
  /** For tests: the clients of a context (default: @kubernetes/client-node's typed APIs). */
  clients?: (config: KubeConfig) => Clients;
}

export interface KubeScanStats {
  contexts: Array<{ name: string; objects: number; pages: number; ms: number }>;
  references: number;
}

/** The kubeconfig with `context` as its current context (clusters and users shared). */
function forContext(config: KubeConfig, context: string): KubeConfig {
  const one = new KubeConfig();
  one.loadFromOptions({ clusters: config.clusters, users: config.users, contexts: config.contexts, currentContext: context });
  return one;
}

export class KubeClusterImages implements ClusterImages {
  private last: KubeScanStats = { contexts: [], references: 0 };

  constructor(private readonly o: KubeScanOptions) {}

  /** The contexts a scan reads, after checking the chosen ones exist. */
  contexts(): string[] {
    const all = this.o.kubeconfig.getContexts().map((c) => c.name);
    const chosen = this.o.contexts ?? [];
    if (chosen.length === 0) {
      if (all.length === 0) throw new InputError('the kubeconfig has no context', 'give a kubeconfig with at least one context, or pass --without-kube');
      return all;
    }
    const missing = chosen.filter((c) => !all.includes(c));
    if (missing.length > 0) {
      throw new InputError(`--kube-context ${missing.join(', ')}: no such context in the kubeconfig`, `its contexts are ${all.join(', ') || 'none'}`);
    }
    return [...new Set(chosen)];
  }

  stats(): KubeScanStats {
    return this.last;
  }

  async list(): Promise<ClusterImageUse[]> {
    const contexts = this.contexts();
    const results = await Promise.all(contexts.map((name) => this.scanContext(name)));
    const uses = results.flatMap((r) => r.uses);
    this.last = { contexts: results.map((r) => r.stats), references: uses.length };
    return uses;
  }

  private async scanContext(name: string): Promise<{ uses: ClusterImageUse[]; stats: KubeScanStats['contexts'][number] }> {
    const started = Date.now();
    const config = forContext(this.o.kubeconfig, name);
    const server = config.getCurrentCluster()?.server ?? '(no server)';
    const clients = (this.o.clients ?? makeClients)(config);
    const namespaces: Array<string | undefined> = this.o.namespaces && this.o.namespaces.length > 0 ? [...new Set(this.o.namespaces)] : [undefined];
    const uses: ClusterImageUse[] = [];
    let objects = 0;
    let pages = 0;
    // Kinds and namespaces one after the other: one context's reads stay few at a time.
    for (const kind of WORKLOAD_KINDS) {
      for (const namespace of namespaces) {
        const counted = await this.scanKind(clients, kind, namespace, (item) => {
          objects += 1;
          const where = { context: name, namespace: item.metadata?.namespace ?? namespace ?? '', kind: kind.kind, name: item.metadata?.name ?? '' };
          for (const image of uniqueImages(kind.images(item))) uses.push({ image, where });
        }).catch((err: unknown) => {
          throw listFailure(name, server, kind, namespace, err);
        });
        pages += counted;
      }
    }
    const ms = Date.now() - started;
    this.o.log?.(`Kubernetes context ${name} (${server}): ${objects} workload objects, ${uses.length} image references, ${pages} pages in ${(ms / 1000).toFixed(1)} s`);
    return { uses, stats: { name, objects, pages, ms } };
  }

  /**
   * Reads every page of one kind; returns the number of pages. A continue token that expired while
   * the pages were read (410) restarts the list from the first page, up to three times.
   */
  private async scanKind(clients: Clients, kind: WorkloadKind, namespace: string | undefined, each: (item: Parameters<WorkloadKind['images']>[0]) => void): Promise<number> {
    const limit = this.o.pageSize ?? 500;
    let pages = 0;
    for (let attempt = 1; ; attempt++) {
      const items: Array<Parameters<WorkloadKind['images']>[0]> = [];
      let token: string | undefined;
      try {
        do {
          const page = await kind.list(clients, { limit, ...(token ? { _continue: token } : {}) }, namespace);
          pages += 1;
          items.push(...page.items);
          token = page.metadata?._continue || undefined;
        } while (token !== undefined);
      } catch (err) {
        if ((err as { code?: unknown }).code === 410 && token !== undefined && attempt < 3) continue;
        throw err;
      }
      for (const item of items) each(item);
      return pages;
    }
  }
}

/**
 * The CI front ends' whole scan: a kubeconfig given as one value (content or path, see
 * `kubeconfigFromValue`), its credentials handed to `onSecret` before anything is logged, every
 * context read. Throws when any context cannot be read.
 */
export async function scanKubeconfigValue(value: string, o: { baseDir: string; label: string; log?: (message: string) => void; onSecret?: (secret: string) => void }): Promise<ClusterImageUse[]> {
  const found = await kubeconfigFromValue(value, o.baseDir, o.label);
  for (const secret of [...kubeconfigSecrets(found.config), ...(await kubeconfigFileSecrets(found.config))]) o.onSecret?.(secret);
  const scan = new KubeClusterImages({ kubeconfig: found.config, ...(o.log ? { log: o.log } : {}) });
  const contexts = scan.contexts();
  o.log?.(`in-use protection: reading what ${contexts.length} Kubernetes context(s) run (${contexts.join(', ')}) from ${o.label}`);
  return scan.list();
}
