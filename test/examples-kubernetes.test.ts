/**
 * examples/kubernetes/regsweep-reader.yaml grants exactly what the scan lists (packages/kubernetes
 * WORKLOAD_KINDS): `list` on each kind's resource in its API group, cluster-wide, and nothing more;
 * its binding names the role and a service account.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { WORKLOAD_KINDS } from '@regsweep/kubernetes';

const root = new URL('..', import.meta.url).pathname;
const FILE = join(root, 'examples/kubernetes/regsweep-reader.yaml');

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

test('the ClusterRole grants list on every kind the scan reads, and nothing else', async () => {
  const docs = parseAllDocuments(await readFile(FILE, 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string }; rules?: Rule[]; roleRef?: { name: string }; subjects?: unknown[] });
  const role = docs.find((d) => d.kind === 'ClusterRole');
  const granted = (role?.rules ?? []).flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res} ${r.verbs.join(',')}`))).sort();
  assert.equal(granted, WORKLOAD_KINDS.map((k) => `${k.group}/${k.resource} list`).sort());
  const binding = docs.find((d) => d.kind === 'ClusterRoleBinding');
  assert.is(binding?.roleRef?.name, role?.metadata.name);
  assert.equal(binding?.subjects, [{ kind: 'ServiceAccount', name: 'regsweep', namespace: 'regsweep' }]);
});

test.run();
