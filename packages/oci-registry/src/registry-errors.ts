/** Errors of the OCI client that carry their own fix. */
import { RegistryError } from '@regsweep/core';
import { describeErrorBody } from './http-util.js';

/** A 405 on a delete: the registry has deletes turned off, and how to turn them on. */
export function deletionDisabledError(name: string, body: string): RegistryError {
  const detail = describeErrorBody(body);
  return new RegistryError(
    `${name}: deletion is disabled on this registry (405${detail ? ` ${detail}` : ''}); ` +
      'enable it in the registry configuration (storage.delete.enabled: true, or REGISTRY_STORAGE_DELETE_ENABLED=true for the distribution registry) and restart it',
    { status: 405 },
  );
}
