/** `--registry` values → Registry adapters. */
import { resolve } from 'node:path';
import { InputError, type Registry } from '@regsweep/core';
import { openOciLayout } from '@regsweep/oci-layout';

export async function openRegistry(ref: string, cwd: string): Promise<Registry> {
  if (ref.startsWith('oci:')) {
    const dir = ref.slice(4);
    if (dir === '') throw new InputError('--registry oci: needs a directory, e.g. oci:./layout');
    return openOciLayout(resolve(cwd, dir));
  }
  if (/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+$/i.test(ref)) {
    throw new InputError(`--registry ${ref}: registries over the network are not supported by this build yet`,
      'use an OCI image layout (oci:DIR) for now');
  }
  throw new InputError(`--registry ${JSON.stringify(ref)}: expected oci:DIR or HOST[:PORT]/NAME`);
}
