/**
 * §6 fail closed: a kubeconfig is present but this version cannot read clusters, so nothing may be
 * deleted unless the user says so with --without-kube.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NOW_TEXT, describe, removeTemps, runCli, snapshot, snapshotEntries, tempDir } from './support/cli.js';
import { buildWorld } from './support/world.js';

test.after(removeTemps);

test('§6 a kubeconfig that cannot be read stops the run before any deletion (exit 2); --without-kube proceeds', async () => {
  const w = await buildWorld(tempDir());
  const kubeconfig = join(w.root, 'kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\n');
  const before = snapshot(w.layoutDir);
  const args = ['cleanup', '--registry', `oci:${w.layoutDir}`, '--git', w.gitDir, '--now', NOW_TEXT];
  const refused = runCli(args, w.root, { KUBECONFIG: kubeconfig });
  assert.is(refused.code, 2, describe(refused));
  assert.match(refused.stderr, /kubeconfig is present .*nothing was deleted/);
  assert.match(refused.stderr, /--without-kube/);
  assert.equal(snapshotEntries(snapshot(w.layoutDir)), snapshotEntries(before), 'nothing changed');
  const allowed = runCli([...args, '--without-kube'], w.root, { KUBECONFIG: kubeconfig });
  assert.is(allowed.code, 0, describe(allowed));
  assert.not.equal(snapshotEntries(snapshot(w.layoutDir)), snapshotEntries(before), 'the cleanup ran');
});

test.run();
