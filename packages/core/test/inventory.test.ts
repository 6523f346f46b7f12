/** The inventory reads only what the plan needs (issue: efficiency), through the Registry port. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImageGraph } from '../src/graph/graph.js';
import { readInventory } from '../src/graph/inventory.js';
import { untaggedNeedsRead } from '../src/plan/read-rule.js';
import { planCleanup } from '../src/plan/planner.js';
import { parsePolicyText } from '../src/policy/parse.js';
import type { ListedImage, RawManifest, Registry } from '../src/ports.js';
import { digestOf } from '@regsweep/test-kit/image-graph';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const REV = 'org.opencontainers.image.revision';

function countingRegistry(listing: ListedImage[], manifests: Map<string, unknown>, configs: Map<string, unknown>) {
  const asked: string[] = [];
  const registry: Registry = {
    name: 'counting', capabilities: { listsUntagged: true, deletesTagAlone: false },
    list: async () => listing,
    getManifest: async (d): Promise<RawManifest> => {
      asked.push(`manifest ${d}`);
      const body = manifests.get(d);
      if (!body) throw new Error(`no manifest ${d}`);
      return { mediaType: (body as { mediaType: string }).mediaType, body };
    },
    getBlobJson: async (d) => {
      asked.push(`config ${d}`);
      return configs.get(d);
    },
    deleteImage: async () => 'deleted',
  };
  return { registry, asked };
}

function world(indexAnnotated: boolean, pushedAt?: Date) {
  const manifests = new Map<string, unknown>();
  const configs = new Map<string, unknown>();
  const image = (name: string, rev: string) => {
    const cfg = digestOf(`${name}-cfg`);
    configs.set(cfg, { created: '2026-11-01T00:00:00Z', config: { Labels: { [REV]: rev } } });
    const d = digestOf(name);
    manifests.set(d, { mediaType: OCI_MANIFEST, config: { mediaType: CONFIG, digest: cfg }, layers: [] });
    return d;
  };
  const amd = image('amd', 'a'.repeat(40));
  const arm = image('arm', 'a'.repeat(40));
  const idx = digestOf('idx');
  manifests.set(idx, { mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: amd }, { mediaType: OCI_MANIFEST, digest: arm }], ...(indexAnnotated ? { annotations: { [REV]: 'a'.repeat(40) } } : {}) });
  const single = image('single', 'b'.repeat(40));
  const sig = digestOf('sig');
  manifests.set(sig, { mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: digestOf('x') }, layers: [] });
  const listing: ListedImage[] = [
    { digest: idx, tags: ['multi'], ...(pushedAt ? { pushedAt } : {}) },
    { digest: single, tags: ['single'] },
    { digest: sig, tags: [`${single.replace(':', '-')}.sig`] },
  ];
  return { listing, manifests, configs, idx, amd, arm, single, sig };
}

test('a cosign-style signature needs no read: its subject is in its tag', async () => {
  const w = world(true, new Date('2026-11-01T00:00:00Z'));
  const { registry, asked } = countingRegistry(w.listing, w.manifests, w.configs);
  const inv = await readInventory(registry, { revisionKeys: [REV], concurrency: 4 });
  assert.not.ok(asked.includes(`manifest ${w.sig}`));
  const sig = inv.graph.nodes.get(w.sig);
  assert.is(sig?.kind, 'attachment');
  assert.is(sig?.subject, w.single);
});

test('an annotated index with a push time needs no child reads; without either, its children are read', async () => {
  const lean = world(true, new Date('2026-11-01T00:00:00Z'));
  const a = countingRegistry(lean.listing, lean.manifests, lean.configs);
  const inv = await readInventory(a.registry, { revisionKeys: [REV], concurrency: 4 });
  assert.equal(a.asked.filter((x) => x.includes(lean.amd) || x.includes(lean.arm)), []);
  assert.equal(inv.graph.nodes.get(lean.idx)?.children, [lean.amd, lean.arm], 'children are still known from the index');
  assert.equal(inv.reads, { manifests: 2, configs: 1 });

  const full = world(false);
  const b = countingRegistry(full.listing, full.manifests, full.configs);
  const inv2 = await readInventory(b.registry, { revisionKeys: [REV], concurrency: 4 });
  assert.ok(b.asked.includes(`manifest ${full.amd}`) && b.asked.includes(`manifest ${full.arm}`));
  assert.equal(inv2.graph.nodes.get(full.idx)?.created, new Date('2026-11-01T00:00:00Z'));
  assert.equal(inv2.reads, { manifests: 4, configs: 3 });
});

test('listed untagged children of a read index are not read again (GHCR lists them as versions)', async () => {
  const w = world(true, new Date('2026-11-01T00:00:00Z'));
  const orphan = digestOf('orphan');
  w.manifests.set(orphan, { mediaType: OCI_MANIFEST, config: { mediaType: CONFIG, digest: digestOf('single-cfg') }, layers: [] });
  const listing = [...w.listing, { digest: w.amd, tags: [] }, { digest: w.arm, tags: [] }, { digest: orphan, tags: [] }];
  const { registry, asked } = countingRegistry(listing, w.manifests, w.configs);
  const inv = await readInventory(registry, { revisionKeys: [REV], concurrency: 4 });
  assert.not.ok(asked.includes(`manifest ${w.amd}`) || asked.includes(`manifest ${w.arm}`), asked.join('\n'));
  assert.ok(asked.includes(`manifest ${orphan}`), 'an untagged digest no index lists is read');
  assert.equal(inv.graph.nodes.get(w.amd)?.parents, [w.idx]);
});

test('§3.4 reads by need: an old untagged digest is decided by its push time unread; a pinned, a young and an undated one are read', async () => {
  const w = world(true, new Date('2026-11-01T00:00:00Z'));
  const now = new Date('2026-11-20T00:00:00Z');
  const names = ['old', 'pinned', 'young', 'undated'];
  const digests = Object.fromEntries(names.map((n) => [n, digestOf(n)])) as Record<string, string>;
  for (const n of names) {
    w.configs.set(digestOf(`${n}-cfg`), { created: '2026-10-01T00:00:00Z', config: { Labels: {} } });
    w.manifests.set(digests[n] as string, { mediaType: OCI_MANIFEST, config: { mediaType: CONFIG, digest: digestOf(`${n}-cfg`) }, layers: [] });
  }
  const pushed = (days: number): Date => new Date(now.getTime() - days * 86_400_000);
  const listing: ListedImage[] = [
    ...w.listing,
    { digest: digests['old'] as string, tags: [], pushedAt: pushed(30) },
    { digest: digests['pinned'] as string, tags: [], pushedAt: pushed(30) },
    { digest: digests['young'] as string, tags: [], pushedAt: pushed(2) },
    { digest: digests['undated'] as string, tags: [] },
  ];
  const policy = parsePolicyText('cleanup:\n  untagged:\n    keepFor: 168h\n', 'p.yml').policy;
  const rule = untaggedNeedsRead({
    capabilities: { listsUntagged: true, deletesTagAlone: false, attachmentsByTag: true }, imageReference: 'ghcr.io/acme/app', policy, now, role: undefined,
    clusterImages: [{ image: `ghcr.io/acme/app@${digests['pinned']}`, where: { context: 'prod', namespace: 'web', kind: 'Pod', name: 'p' } }],
  });
  const { registry, asked } = countingRegistry(listing, w.manifests, w.configs);
  const inv = await readInventory(registry, { revisionKeys: [REV], concurrency: 4, untaggedNeedsRead: rule });
  const read = (n: string): boolean => asked.includes(`manifest ${digests[n]}`);
  assert.equal(names.map(read), [false, true, true, true], asked.join('\n'));
  assert.is(inv.graph.nodes.get(digests['old'] as string)?.kind, 'unknown', 'the unread one is still in the graph, to be planned by its push time');
  // Only the undated one's config is needed (its build time); the dated ones' push time decides.
  assert.equal(names.filter((n) => asked.includes(`config ${digestOf(`${n}-cfg`)}`)), ['undated']);
  // A registry with a referrers API: every untagged digest may be an attachment, so each is read.
  const withReferrers = untaggedNeedsRead({ capabilities: { listsUntagged: true, deletesTagAlone: false }, imageReference: undefined, policy, now, role: undefined, clusterImages: [] });
  assert.ok(withReferrers({ digest: digests['old'] as string, tags: [], pushedAt: pushed(30) }));
});

/**
 * A GHCR-like repository (untagged versions listed, attachments by tag) whose `release` tag the policy
 * keeps, everything pushed long ago: `image` stores an image manifest and its config.
 */
function keptReleaseWorld() {
  const now = new Date('2026-11-20T00:00:00Z');
  const old = new Date('2026-10-01T00:00:00Z');
  const manifests = new Map<string, unknown>();
  const configs = new Map<string, unknown>();
  const image = (name: string): string => {
    const cfg = digestOf(`${name}-cfg`);
    configs.set(cfg, { created: '2026-10-01T00:00:00Z', config: { Labels: {} } });
    const d = digestOf(name);
    manifests.set(d, { mediaType: OCI_MANIFEST, config: { mediaType: CONFIG, digest: cfg }, layers: [] });
    return d;
  };
  const policy = parsePolicyText('cleanup:\n  keepTags: [release]\n  disableGitHistoryBasedPolicy: true\n', 'p.yml').policy;
  const rule = untaggedNeedsRead({ capabilities: { listsUntagged: true, deletesTagAlone: false, attachmentsByTag: true }, imageReference: undefined, policy, now, role: undefined, clusterImages: [] });
  const plan = (graph: ImageGraph) => planCleanup({ registry: { name: 'r', listsUntagged: true }, graph, policy, keepTags: policy.keepTags, clusterImages: [], now });
  return { old, manifests, configs, image, rule, plan };
}

test('§3.4 a referrers index (the bare sha256-<hex> tag) is read, and its referrers: kept with their subject', async () => {
  const { old, manifests, configs, image, rule, plan: planOf } = keptReleaseWorld();
  const subject = image('subject');
  const referrer = digestOf('sbom');
  manifests.set(referrer, { mediaType: OCI_MANIFEST, artifactType: 'application/spdx+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestOf('empty') }, layers: [], subject: { mediaType: OCI_MANIFEST, digest: subject } });
  const referrers = digestOf('referrers-index');
  manifests.set(referrers, { mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: referrer, artifactType: 'application/spdx+json' }] });
  const listing: ListedImage[] = [
    { digest: subject, tags: ['release'], pushedAt: old },
    { digest: referrers, tags: [subject.replace(':', '-')], pushedAt: old },
    { digest: referrer, tags: [], pushedAt: old },
  ];
  const { registry, asked } = countingRegistry(listing, manifests, configs);
  const inv = await readInventory(registry, { revisionKeys: [REV], concurrency: 4, untaggedNeedsRead: rule });
  assert.ok(asked.includes(`manifest ${referrers}`), 'the referrers index is read');
  assert.ok(asked.includes(`manifest ${referrer}`), 'and the referrer, as the index\'s child (its subject makes it an attachment)');
  const plan = await planOf(inv.graph);
  assert.equal(plan.delete.map((d) => d.digest), [], 'nothing goes: the subject is kept, and with it its referrers index and the referrer');
  assert.ok(plan.kept.find((k) => k.digest === referrer)?.reasons.some((r) => r.reason === 'closure'));

  // A referrer that lost the race to update the tag: no referrers index lists it. The repository uses the
  // tag schema, so every untagged digest is read there, and its subject keeps it.
  const lost = digestOf('lost-sbom');
  manifests.set(lost, { mediaType: OCI_MANIFEST, artifactType: 'application/spdx+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestOf('empty') }, layers: [], subject: { mediaType: OCI_MANIFEST, digest: subject } });
  const withLost = countingRegistry([...listing, { digest: lost, tags: [], pushedAt: old }], manifests, configs);
  const inv2 = await readInventory(withLost.registry, { revisionKeys: [REV], concurrency: 4, untaggedNeedsRead: rule });
  assert.ok(withLost.asked.includes(`manifest ${lost}`));
  const plan2 = await planOf(inv2.graph);
  assert.equal(plan2.delete.map((d) => d.digest), [], 'the lost referrer is kept with its subject');
});

test('an index nested in an annotated, dated index is read: its children are kept with the tagged index', async () => {
  const { old, manifests, configs, image, rule, plan: planOf } = keptReleaseWorld();
  const leaf = image('leaf');
  const inner = digestOf('inner-index');
  manifests.set(inner, { mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: leaf }] });
  const outer = digestOf('outer-index');
  manifests.set(outer, { mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_INDEX, digest: inner }], annotations: { [REV]: 'a'.repeat(40) } });
  const listing: ListedImage[] = [
    { digest: outer, tags: ['release'], pushedAt: old },
    { digest: inner, tags: [], pushedAt: old },
    { digest: leaf, tags: [], pushedAt: old },
  ];
  const { registry, asked } = countingRegistry(listing, manifests, configs);
  const inv = await readInventory(registry, { revisionKeys: [REV], concurrency: 4, untaggedNeedsRead: rule });
  assert.ok(asked.includes(`manifest ${inner}`), 'the nested index is read although its parent decides itself');
  assert.equal(inv.graph.nodes.get(leaf)?.parents, [inner]);
  const plan = await planOf(inv.graph);
  assert.equal(plan.delete.map((d) => d.digest), [], 'the tagged index is kept whole, down to the leaf');
});

test('reads run at the registry\'s own readConcurrency, not the run\'s concurrency', async () => {
  const manifests = new Map<string, unknown>();
  const listing: ListedImage[] = [];
  for (let i = 0; i < 40; i++) {
    const d = digestOf(`img-${i}`);
    manifests.set(d, { mediaType: OCI_MANIFEST, config: { mediaType: CONFIG, digest: digestOf(`cfg-${i}`) }, layers: [] });
    listing.push({ digest: d, tags: [`t${i}`] });
  }
  let inFlight = 0;
  let most = 0;
  const { registry } = countingRegistry(listing, manifests, new Map());
  const slow: Registry = {
    ...registry, readConcurrency: 16,
    getManifest: async (d) => {
      most = Math.max(most, (inFlight += 1));
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      return registry.getManifest(d);
    },
  };
  await readInventory(slow, { revisionKeys: [REV], concurrency: 4 });
  assert.is(most, 16);
});

test('a read that fails makes the inventory incomplete: nothing is planned', async () => {
  const w = world(true);
  w.manifests.delete(w.single);
  const { registry } = countingRegistry(w.listing, w.manifests, w.configs);
  try {
    await readInventory(registry, { revisionKeys: [REV], concurrency: 4 });
    assert.unreachable('must throw');
  } catch (err) {
    assert.is((err as Error).name, 'IncompleteInputError');
    assert.match((err as Error).message, /could not read manifest/);
  }
});

test.run();
