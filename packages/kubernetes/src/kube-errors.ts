/**
 * A context that cannot be read fails the whole scan closed (cleanup-semantics.md §5: incomplete
 * information = no deletion): the error names the context, the kind and, for a 403, the RBAC rule to
 * add; for 401, the credentials; for a network failure, the server.
 */
import { IncompleteInputError } from '@regsweep/core';
import type { WorkloadKind } from './workload-kinds.js';

export const CLUSTER_ROLE_FILE = 'examples/kubernetes/regsweep-reader.yaml';
const WAYS_OUT = 'or leave the context out with --kube-context (the kubeconfig-variable of another kubeconfig in CI), or pass --without-kube to clean without in-use protection';

interface ApiErrorLike {
  code?: unknown;
  body?: unknown;
  message?: unknown;
  cause?: unknown;
}

function statusMessage(body: unknown): string | undefined {
  const text = typeof body === 'string' ? body : undefined;
  try {
    const parsed: unknown = text !== undefined ? JSON.parse(text) : body;
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: the text itself
  }
  return text?.slice(0, 200);
}

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, i = 0; e !== undefined && e !== null && i < 5; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+/.test(code)) return code;
    e = (e as ApiErrorLike).cause;
  }
  return undefined;
}

export function listFailure(context: string, server: string, kind: WorkloadKind, namespace: string | undefined, err: unknown): IncompleteInputError {
  const input = `Kubernetes context ${context}`;
  const e = err as ApiErrorLike;
  const code = typeof e.code === 'number' ? e.code : undefined;
  const what = `${kind.kind}s (${kind.group === '' ? kind.resource : `${kind.resource}.${kind.group}`}) ${namespace ? `in namespace ${namespace}` : 'in all namespaces'}`;
  if (code === 403) {
    const rule = `apiGroups: ["${kind.group}"], resources: ["${kind.resource}"], verbs: ["list"]`;
    return new IncompleteInputError(input, `may not list ${what}: 403 ${statusMessage(e.body) ?? 'Forbidden'}; nothing was deleted`,
      `grant the rule {${rule}}${namespace ? '' : ' cluster-wide (a ClusterRole)'} to the identity of this context (${CLUSTER_ROLE_FILE} has every rule regsweep needs), ${WAYS_OUT}`, err);
  }
  if (code === 401) {
    return new IncompleteInputError(input, `${server} refused the credentials (401) when listing ${what}; nothing was deleted`,
      `renew the token or certificate of this context in the kubeconfig, ${WAYS_OUT}`, err);
  }
  if (code !== undefined) {
    return new IncompleteInputError(input, `listing ${what} failed: ${code} ${statusMessage(e.body) ?? ''}`.trim() + '; nothing was deleted', `run again later, ${WAYS_OUT}`, err);
  }
  const net = networkCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return new IncompleteInputError(input, `cannot reach ${server}${net ? ` (${net})` : ''}: ${message}; nothing was deleted`,
    `check that the cluster is up and reachable from here, ${WAYS_OUT}`, err);
}
