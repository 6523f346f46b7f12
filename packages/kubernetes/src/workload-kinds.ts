/**
 * The eight workload kinds regsweep reads (cleanup-semantics.md §5 "in-use"), each with its RBAC
 * resource and group (for the error that says what to grant), how to list one page of it through
 * @kubernetes/client-node's typed API (across all namespaces, or in one), and where its pod spec is.
 * Old ReplicaSets are listed too: they are a Deployment's rollback targets.
 */
import { AppsV1Api, BatchV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { runningImages, specImages, type PodSpecLike, type PodStatusLike } from './workload-images.js';

export interface PageRequest {
  limit: number;
  _continue?: string;
}

export interface ListedObject {
  metadata?: { name?: string; namespace?: string };
}

export interface Page {
  items: ListedObject[];
  metadata?: { _continue?: string };
}

export interface WorkloadKind {
  kind: string;
  resource: string;
  /** '' = the core group. */
  group: string;
  list(clients: Clients, page: PageRequest, namespace?: string): Promise<Page>;
  images(item: ListedObject): string[];
}

export interface Clients {
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
}

export function makeClients(config: KubeConfig): Clients {
  return { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api), batch: config.makeApiClient(BatchV1Api) };
}

interface WithTemplate {
  spec?: { template?: { spec?: PodSpecLike } };
}

const templateImages = (item: ListedObject): string[] => specImages((item as WithTemplate).spec?.template?.spec);

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  {
    kind: 'Pod', resource: 'pods', group: '',
    list: (c, p, namespace) => (namespace ? c.core.listNamespacedPod({ namespace, ...p }) : c.core.listPodForAllNamespaces(p)),
    images: (item) => {
      const pod = item as { spec?: PodSpecLike; status?: PodStatusLike };
      return [...specImages(pod.spec), ...runningImages(pod.status)];
    },
  },
  {
    kind: 'Deployment', resource: 'deployments', group: 'apps',
    list: (c, p, namespace) => (namespace ? c.apps.listNamespacedDeployment({ namespace, ...p }) : c.apps.listDeploymentForAllNamespaces(p)),
    images: templateImages,
  },
  {
    kind: 'ReplicaSet', resource: 'replicasets', group: 'apps',
    list: (c, p, namespace) => (namespace ? c.apps.listNamespacedReplicaSet({ namespace, ...p }) : c.apps.listReplicaSetForAllNamespaces(p)),
    images: templateImages,
  },
  {
    kind: 'StatefulSet', resource: 'statefulsets', group: 'apps',
    list: (c, p, namespace) => (namespace ? c.apps.listNamespacedStatefulSet({ namespace, ...p }) : c.apps.listStatefulSetForAllNamespaces(p)),
    images: templateImages,
  },
  {
    kind: 'DaemonSet', resource: 'daemonsets', group: 'apps',
    list: (c, p, namespace) => (namespace ? c.apps.listNamespacedDaemonSet({ namespace, ...p }) : c.apps.listDaemonSetForAllNamespaces(p)),
    images: templateImages,
  },
  {
    kind: 'Job', resource: 'jobs', group: 'batch',
    list: (c, p, namespace) => (namespace ? c.batch.listNamespacedJob({ namespace, ...p }) : c.batch.listJobForAllNamespaces(p)),
    images: templateImages,
  },
  {
    kind: 'CronJob', resource: 'cronjobs', group: 'batch',
    list: (c, p, namespace) => (namespace ? c.batch.listNamespacedCronJob({ namespace, ...p }) : c.batch.listCronJobForAllNamespaces(p)),
    images: (item) => specImages((item as { spec?: { jobTemplate?: { spec?: { template?: { spec?: PodSpecLike } } } } }).spec?.jobTemplate?.spec?.template?.spec),
  },
  {
    kind: 'ReplicationController', resource: 'replicationcontrollers', group: '',
    list: (c, p, namespace) => (namespace ? c.core.listNamespacedReplicationController({ namespace, ...p }) : c.core.listReplicationControllerForAllNamespaces(p)),
    images: templateImages,
  },
];
