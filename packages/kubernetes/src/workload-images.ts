/**
 * The image references a workload object uses (platform-facts.md §4): its pod spec's
 * containers, init containers and ephemeral containers (Pods: `spec`; Deployments, ReplicaSets,
 * StatefulSets, DaemonSets, Jobs, ReplicationControllers: `spec.template.spec`; CronJobs:
 * `spec.jobTemplate.spec.template.spec`), and for Pods also the digests the kubelet reports running
 * (`status.*ContainerStatuses[].imageID`, `docker-pullable://repo@sha256:…`): a tag that moved since
 * the pod started still protects what the pod runs.
 */

export interface ContainerLike {
  image?: string;
}

export interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
}

interface StatusLike {
  imageID?: string;
}

export interface PodStatusLike {
  containerStatuses?: StatusLike[];
  initContainerStatuses?: StatusLike[];
  ephemeralContainerStatuses?: StatusLike[];
}

export function specImages(spec: PodSpecLike | undefined): string[] {
  if (spec === undefined) return [];
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
  return all.map((c) => c.image?.trim() ?? '').filter((i) => i !== '');
}

/** `docker-pullable://ghcr.io/acme/app@sha256:…` → `ghcr.io/acme/app@sha256:…`; runtime-local ids (`sha256:…` alone) are skipped. */
export function runningImages(status: PodStatusLike | undefined): string[] {
  if (status === undefined) return [];
  const all = [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? []), ...(status.ephemeralContainerStatuses ?? [])];
  return all
    .map((s) => (s.imageID ?? '').replace(/^[a-z-]+:\/\//, ''))
    .filter((id) => /^[^@\s]+@sha256:[0-9a-f]{64}$/.test(id));
}

/** Every distinct reference, in order. */
export function uniqueImages(list: readonly string[]): string[] {
  return [...new Set(list)];
}
