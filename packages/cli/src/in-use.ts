/**
 * In-use protection for a CLI run (cleanup-semantics.md §5): find the kubeconfig (--kubeconfig, else
 * $KUBECONFIG, else ~/.kube/config, else the in-cluster service account), scan the chosen contexts
 * and namespaces, and return every image reference in use. Any context that cannot be read throws
 * (packages/kubernetes fails closed), before anything is planned.
 */
import { InputError, type ClusterImageUse } from '@regsweep/core';
import { findKubeconfig, KubeClusterImages, kubeconfigFileSecrets, kubeconfigSecrets } from '@regsweep/kubernetes';
import type { KubeArgs } from './args.js';

export interface InUseScan {
  uses: ClusterImageUse[];
  /** Where the kubeconfig came from. */
  source: string;
  contexts: string[];
}

/** Undefined when there is no kubeconfig at all (in-use protection is then off, with a warning). */
/** `onSecret` is told the kubeconfig's credentials (tokens, passwords, keys) before anything is logged. */
export async function scanClusters(kube: KubeArgs, o: { env: Readonly<Record<string, string | undefined>>; homedir: string; log?: (m: string) => void; onSecret?: (secret: string) => void }): Promise<InUseScan | undefined> {
  const found = await findKubeconfig({ files: kube.kubeconfigs, env: o.env, homedir: o.homedir });
  if (found === undefined) {
    // Clusters were asked for by name: going on without them would protect nothing (fail closed).
    const asked = kube.contexts.length > 0 ? '--kube-context' : kube.namespaces.length > 0 ? '--kube-namespace' : undefined;
    if (asked !== undefined) {
      throw new InputError(`${asked} was given, but there is no kubeconfig ($KUBECONFIG, ~/.kube/config, in-cluster); nothing was deleted`,
        'pass --kubeconfig FILE or set KUBECONFIG, or drop the Kubernetes flags (in-use protection is then off)');
    }
    return undefined;
  }
  for (const secret of [...kubeconfigSecrets(found.config), ...(await kubeconfigFileSecrets(found.config))]) o.onSecret?.(secret);
  const scan = new KubeClusterImages({
    kubeconfig: found.config, contexts: kube.contexts, namespaces: kube.namespaces, ...(o.log ? { log: o.log } : {}),
  });
  const contexts = scan.contexts();
  o.log?.(`reading what ${contexts.length} Kubernetes context(s) run (${contexts.join(', ')}; kubeconfig ${found.source})`);
  return { uses: await scan.list(), source: found.source, contexts };
}
