/**
 * The image graph of one repository (cleanup-semantics.md §1): digests with their tags, indexes with
 * their children, attachments with their subjects. Built from the registry listing and manifest facts.
 */
import type { Digest, ListedImage } from '../ports.js';
import type { BlobRef, ConfigFacts, ManifestFacts } from './manifest.js';

export type { BlobRef } from './manifest.js';

/** What a manifest is: an image, a multi-arch index, an attachment (signature, attestation) or unknown. */
export type NodeKind = 'image' | 'index' | 'attachment' | 'unknown';

export interface ImageNode {
  digest: Digest;
  /** The node's position in `ImageGraph.nodes` (0, 1, 2, … in the order the nodes were made): per-node facts of a plan live in arrays by it. */
  index: number;
  tags: string[];
  /** The listing entry; undefined for an index child the registry does not list. */
  listed: ListedImage | undefined;
  kind: NodeKind;
  /** The index's children (index only). */
  children: Digest[];
  /** Indexes in the repository that list this digest as a child. */
  parents: Digest[];
  /** What this attachment belongs to (OCI `subject`, or the digest in a cosign-style tag). */
  subject?: Digest;
  /** Attachments whose subject is this digest. */
  attachments: Digest[];
  /** Revision label or annotation values found on the manifest (index: own annotation). */
  revisions: string[];
  /** Image config `created`; for an index, its newest child's. */
  created?: Date;
  platform?: string;
  /** An image's config and layers with their sizes, where its manifest was read (else empty). */
  blobs: BlobRef[];
}

export interface ImageGraph {
  nodes: Map<Digest, ImageNode>;
}

/** Cosign-style attachment tags, optionally with a prefix: `sha256-<hex>.sig|.att|.sbom`, and the
 * OCI referrers tag schema `sha256-<hex>` (an index of referrers). */
const ATTACHMENT_TAG = /(?:^|[^0-9a-f])sha256-([0-9a-f]{64})(?:\.(sig|att|sbom))?$/;

/** The OCI referrers tag schema alone (`sha256-<hex>`, no suffix): an index listing the subject's referrers. */
const REFERRERS_TAG = /(?:^|[^0-9a-f])sha256-[0-9a-f]{64}$/;

export function isReferrersTag(tag: string): boolean {
  return REFERRERS_TAG.test(tag);
}

export function attachmentTagSubject(tag: string): Digest | undefined {
  const m = ATTACHMENT_TAG.exec(tag);
  return m ? `sha256:${m[1]}` : undefined;
}

export interface ReadFacts {
  manifests: Map<Digest, ManifestFacts>;
  configs: Map<Digest, ConfigFacts>;
}

export function buildGraph(listing: readonly ListedImage[], facts: ReadFacts, revisionKeys: readonly string[]): ImageGraph {
  const nodes = new Map<Digest, ImageNode>();
  const node = (digest: Digest): ImageNode => {
    let n = nodes.get(digest);
    if (!n) {
      // Every key from the start (one hidden class for all nodes): the planner reads these for every image.
      n = { digest, index: nodes.size, tags: [], listed: undefined, kind: 'unknown', children: [], parents: [], subject: undefined, attachments: [], revisions: [], created: undefined, platform: undefined, blobs: [] };
      nodes.set(digest, n);
    }
    return n;
  };
  for (const item of listing) {
    const n = node(item.digest);
    n.listed = item;
    for (const t of item.tags) if (!n.tags.includes(t)) n.tags.push(t);
  }
  // Index children first, so every child node exists before revisions and dates are derived.
  for (const [digest, m] of facts.manifests) {
    if (!nodes.has(digest) || m.kind !== 'index') continue;
    const n = node(digest);
    for (const c of m.children) {
      const child = node(c.digest);
      if (!n.children.includes(c.digest)) n.children.push(c.digest);
      if (!child.parents.includes(digest)) child.parents.push(digest);
      if (c.platform && !child.platform) child.platform = c.platform;
    }
  }
  for (const n of nodes.values()) {
    const m = facts.manifests.get(n.digest);
    if (m) {
      n.kind = m.kind;
      if (m.blobs) n.blobs = m.blobs;
      n.revisions = revisionKeys.map((k) => m.annotations[k]).filter((v): v is string => !!v);
      const config = m.configDigest ? facts.configs.get(m.configDigest) : undefined;
      if (config) {
        for (const k of revisionKeys) {
          const v = config.labels[k];
          if (v && !n.revisions.includes(v)) n.revisions.push(v);
        }
        if (config.created) n.created = config.created;
      }
      if (m.subject) n.subject = m.subject;
    }
    if (!n.subject && n.tags.length > 0) {
      const subjects = n.tags.map(attachmentTagSubject);
      const first = subjects[0];
      if (first && subjects.every((s) => s === first)) n.subject = first;
    }
    if (n.subject) n.kind = 'attachment';
  }
  for (const n of nodes.values()) {
    if (n.subject) {
      const s = nodes.get(n.subject);
      if (s && !s.attachments.includes(n.digest)) s.attachments.push(n.digest);
    }
    if (n.kind === 'index') {
      const created = n.children.map((c) => nodes.get(c)?.created?.getTime() ?? Number.NEGATIVE_INFINITY);
      const newest = Math.max(...created);
      if (Number.isFinite(newest) && !n.created) n.created = new Date(newest);
    }
  }
  return { nodes };
}

/** Revision values of an image: its own, else (an index) every child's (§3.1). */
export function imageRevisions(graph: ImageGraph, n: ImageNode): string[] {
  if (n.revisions.length > 0 || n.kind !== 'index') return n.revisions;
  const out: string[] = [];
  for (const c of n.children) for (const r of graph.nodes.get(c)?.revisions ?? []) if (!out.includes(r)) out.push(r);
  return out;
}
