// Deterministic synthetic input for the planner bench: a git history (trunk, feature branches, merges,
// tags), an in-memory GitHistory port, and a registry listing with manifest/config facts.
// Everything comes from one seeded PRNG, so the same seed gives the same world byte for byte.
import { REVISION_LABEL } from '@regsweep/core/internal';

/** mulberry32: small, fast, good enough for test data. Returns floats in [0, 1). */
export function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export const SIZES = { images: 100_000, refs: 2_000, commits: 100_000, tags: 297, signatures: 2_000, unmapped: 500 };

/**
 * Builds the world. `now` is fixed so that time windows (168h, 2h) always cut at the same commits.
 */
export function makeWorld(seed = 20261120, now = new Date('2026-11-20T12:00:00Z')) {
  const rnd = prng(seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  // Strings are made flat (sequential), as JSON.parse gives them to a real adapter; concatenated
  // (cons) strings would be flattened by the planner's first run and bill it for the generator's work.
  const HEX = '0123456789abcdef';
  const flat = (prefix, n) => {
    const buf = Buffer.allocUnsafe(prefix.length + n);
    buf.write(prefix, 'latin1');
    for (let i = prefix.length; i < buf.length; i++) buf[i] = HEX.charCodeAt(Math.floor(rnd() * 16));
    return buf.toString('latin1');
  };
  const hex = (n) => flat('', n);
  const text = (s) => Buffer.from(s, 'latin1').toString('latin1');

  // ---- history: one commit per step, dates strictly increasing over two years ---------------------
  const span = 730 * DAY;
  const start = now.getTime() - span - HOUR;
  const commits = [];
  const byId = new Map();
  const trunk = [];
  const commit = (parents) => {
    const i = commits.length;
    const info = { id: hex(40), parents, date: new Date(start + Math.floor(((i + 0.1 + 0.8 * rnd()) / SIZES.commits) * span)) };
    commits.push(info);
    byId.set(info.id, info);
    return info;
  };
  let trunkTip = commit([]);
  trunk.push(trunkTip);
  const open = [];
  const finished = [];
  let featureNo = 0;
  while (commits.length < SIZES.commits) {
    const r = rnd();
    if (open.length === 0 || r < 0.04) {
      const f = { name: text(`${pick(['feature', 'fix', 'chore', 'feat'])}/${pick(['RS', 'OPS', 'WEB'])}-${++featureNo}-${pick(['login', 'cache', 'api', 'ui', 'deps', 'ci'])}`), tip: commit([trunkTip.id]), merged: false };
      open.push(f);
    } else if (r < 0.19) {
      trunkTip = commit([trunkTip.id]);
      trunk.push(trunkTip);
    } else if (r < 0.215) {
      const i = Math.floor(rnd() * open.length);
      const f = open[i];
      open.splice(i, 1);
      trunkTip = commit([trunkTip.id, f.tip.id]);
      trunk.push(trunkTip);
      f.merged = true;
      finished.push(f);
    } else if (r < 0.22) {
      const f = pick(open); // sync merge: trunk into the feature
      f.tip = commit([f.tip.id, trunkTip.id]);
    } else {
      const f = pick(open);
      f.tip = commit([f.tip.id]);
      if (rnd() < 0.004) finished.push(...open.splice(open.indexOf(f), 1)); // abandoned
    }
  }

  // ---- references: main, staging, production, feature branches, tags on trunk commits ------------
  const refs = [];
  const branch = (name, c) => refs.push({ kind: 'branch', name, commit: c.id, date: c.date });
  branch('main', trunkTip);
  branch('staging', trunk[trunk.length - 40]);
  branch('production', trunk[trunk.length - 400]);
  // Every open or abandoned feature keeps its branch; merged ones keep it 40% of the time.
  const candidates = [...open, ...finished].filter((f) => !f.merged || rnd() < 0.4);
  const wantBranches = SIZES.refs - SIZES.tags - 3;
  if (candidates.length < wantBranches) throw new Error(`only ${candidates.length} feature branches, need ${wantBranches}`);
  while (candidates.length > wantBranches) candidates.splice(Math.floor(rnd() * candidates.length), 1);
  for (const f of candidates) branch(f.name, f.tip);
  const tagged = new Map();
  for (let t = 0; t < SIZES.tags; t++) {
    const c = trunk[Math.floor(((t + 0.5) / SIZES.tags) * (trunk.length - 1))];
    const name = `v${1 + Math.floor(t / 100)}.${Math.floor(t / 10) % 10}.${t % 10}`;
    tagged.set(c.id, name);
    const annotated = rnd() < 0.5;
    refs.push({ kind: 'tag', name, commit: c.id, date: annotated ? new Date(c.date.getTime() + Math.floor(rnd() * 6 * HOUR)) : c.date });
  }
  const tipOf = new Map();
  for (const r of refs) if (r.kind === 'branch') tipOf.set(r.commit, r.name);

  // ---- images --------------------------------------------------------------------------------------
  const listing = [];
  const manifests = new Map();
  const configs = new Map();
  const digest = () => flat('sha256:', 64);
  const built = (c) => new Date(c.date.getTime() + 3 * 60_000 + Math.floor(rnd() * 20 * 60_000));
  const image = (revision, created, tags, listed = true) => {
    const d = digest();
    const cfg = digest();
    manifests.set(d, { kind: 'image', mediaType: OCI_MANIFEST, configDigest: cfg, children: [], annotations: {} });
    configs.set(cfg, { labels: revision ? { [REVISION_LABEL]: revision } : {}, created });
    if (listed) listing.push({ digest: d, tags, mediaType: OCI_MANIFEST, pushedAt: created });
    return d;
  };
  const commitTags = (c) => {
    const r = rnd();
    const tags = r < 0.4 ? [text(`sha-${c.id.slice(0, 7)}`)] : r < 0.8 ? [c.id] : [text(`sha-${c.id.slice(0, 7)}`), c.id];
    const b = tipOf.get(c.id);
    if (b) tags.push(b === 'main' ? 'latest' : text(b.toLowerCase().replace(/[^a-z0-9._-]/g, '-')));
    const t = tagged.get(c.id);
    if (t) tags.push(t);
    return tags;
  };
  const reserved = SIZES.signatures + SIZES.unmapped + 2_500; // ~2,500 untagged fill the rest
  const tagged_images = [];
  for (const c of commits) {
    if (listing.length + 3 > SIZES.images - reserved) break;
    const merge = c.parents.length > 1;
    if (rnd() < (merge ? 0.6 : 0.07)) continue;
    const created = built(c);
    if (rnd() < 0.03) {
      const children = ['linux/amd64', 'linux/arm64'].map((platform) => ({ digest: image(c.id, created, []), mediaType: OCI_MANIFEST, platform }));
      const d = digest();
      manifests.set(d, { kind: 'index', mediaType: OCI_INDEX, children, annotations: {} });
      listing.push({ digest: d, tags: commitTags(c), mediaType: OCI_INDEX, pushedAt: created });
      tagged_images.push(d);
    } else tagged_images.push(image(c.id, created, commitTags(c)));
  }
  for (let i = 0; i < SIZES.signatures; i++) {
    const subject = pick(tagged_images);
    const d = digest();
    manifests.set(d, { kind: 'image', mediaType: OCI_MANIFEST, children: [], annotations: {} });
    listing.push({ digest: d, tags: [text(`${subject.replace(':', '-')}.sig`)], mediaType: OCI_MANIFEST });
  }
  for (let i = 0; i < SIZES.unmapped; i++) {
    image(undefined, new Date(start + Math.floor(rnd() * span)), [text(`${pick(['redis', 'postgres', 'nginx'])}-${i}.${Math.floor(rnd() * 10)}`)]);
  }
  while (listing.length < SIZES.images) {
    const c = commits[Math.floor(rnd() * commits.length)];
    image(c.id, built(c), []); // a re-push left the old digest untagged
  }

  // Cluster uses: some tags and some digests of the newest images.
  const clusterImages = [];
  for (let i = 0; i < 200; i++) {
    const item = listing[Math.floor(rnd() * listing.length)];
    const where = { context: 'prod', namespace: 'app', kind: 'Deployment', name: `d${i}` };
    const image = item.tags.length > 0 && rnd() < 0.5 ? `ghcr.io/acme/app:${item.tags[0]}` : `ghcr.io/acme/app@${item.digest}`;
    clusterImages.push({ image, where });
  }

  const merges = commits.filter((c) => c.parents.length > 1).length;
  const indexes = listing.filter((l) => l.mediaType === OCI_INDEX).length;
  const untagged = listing.filter((l) => l.tags.length === 0).length - 2 * indexes;
  const composition = `${listing.length - indexes * 3 - SIZES.signatures - SIZES.unmapped - untagged} single-arch images, ${indexes} indexes ` +
    `(+${2 * indexes} untagged children), ${SIZES.signatures} cosign signatures, ${untagged} untagged, ${SIZES.unmapped} unmapped; ` +
    `${merges} merge commits`;
  return { now, refs, commits, byId, listing, manifests, configs, clusterImages, trunkLength: trunk.length, features: featureNo, composition };
}

/** An in-memory GitHistory over the world's commits; `onCall` lets the bench sample memory. */
export function memoryHistory(world, onCall = () => {}) {
  const sorted = [...world.byId.keys()].sort();
  const stats = { commitsCalls: 0, commitsAsked: 0, prefixes: 0 };
  return {
    stats,
    async refs() {
      onCall();
      return world.refs.slice();
    },
    async commits(ids) {
      onCall();
      stats.commitsCalls += 1;
      stats.commitsAsked += ids.length;
      const out = new Map();
      for (const id of ids) {
        const c = world.byId.get(id);
        if (c) out.set(id, c);
      }
      return out;
    },
    async resolvePrefixes(prefixes) {
      onCall();
      stats.prefixes += prefixes.length;
      const out = new Map();
      for (const p of prefixes) {
        let lo = 0;
        let hi = sorted.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (sorted[mid] < p) lo = mid + 1;
          else hi = mid;
        }
        if (sorted[lo]?.startsWith(p) && !sorted[lo + 1]?.startsWith(p)) out.set(p, sorted[lo]);
      }
      return out;
    },
  };
}
