/**
 * §6 fail closed: a kubeconfig is present but names no cluster to read, so nothing may be deleted
 * unless the user says so with --without-kube (the in-use scan itself: in-use.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NOW_TEXT, describe, removeTemps, runCli, snapshot, snapshotEntries, tempDir } from './support/cli.js';
import { buildWorld } from './support/world.js';

test.after(removeTemps);

test('§6 a kubeconfig without a context stops the run before any deletion (exit 2); --without-kube proceeds', async () => {
  const w = await buildWorld(tempDir());
  const kubeconfig = join(w.root, 'kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\n');
  const before = snapshot(w.layoutDir);
  const args = ['cleanup', '--registry', `oci:${w.layoutDir}`, '--git', w.gitDir, '--now', NOW_TEXT];
  const refused = runCli(args, w.root, { KUBECONFIG: kubeconfig });
  assert.is(refused.code, 2, describe(refused));
  assert.match(refused.stderr, /the kubeconfig has no context/);
  assert.match(refused.stderr, /--without-kube/);
  assert.equal(snapshotEntries(snapshot(w.layoutDir)), snapshotEntries(before), 'nothing changed');
  const allowed = runCli([...args, '--without-kube'], w.root, { KUBECONFIG: kubeconfig });
  assert.is(allowed.code, 0, describe(allowed));
  assert.not.equal(snapshotEntries(snapshot(w.layoutDir)), snapshotEntries(before), 'the cleanup ran');
});


test('--kube-context without any kubeconfig stops the run (exit 2), nothing deleted', async () => {
  const w = await buildWorld(tempDir());
  const before = snapshot(w.layoutDir);
  const r = runCli(['cleanup', '--registry', `oci:${w.layoutDir}`, '--git', w.gitDir, '--now', NOW_TEXT, '--kube-context', 'prod'], w.root, { HOME: w.root, KUBECONFIG: '' });
  assert.is(r.code, 2, describe(r));
  assert.match(r.stderr, /--kube-context was given, but there is no kubeconfig/);
  assert.equal(snapshotEntries(snapshot(w.layoutDir)), snapshotEntries(before), 'nothing changed');
});

test('--without-kube and the Kubernetes flags exclude each other (exit 2)', async () => {
  const w = await buildWorld(tempDir());
  const r = runCli(['cleanup', '--registry', `oci:${w.layoutDir}`, '--git', w.gitDir, '--now', NOW_TEXT, '--without-kube', '--kube-context', 'prod'], w.root);
  assert.is(r.code, 2, describe(r));
  assert.match(r.stderr, /--without-kube and --kube-context exclude each other/);
});

test.run();
