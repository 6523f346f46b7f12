/**
 * Closure (docs/cleanup-semantics.md §5): whatever a kept image needs is kept with it — the children
 * of a kept index, the attachments (signatures, attestations, SBOMs) of a kept image. Pure.
 */
import type { Digest } from '../ports.js';
import type { ImageGraph } from '../graph/graph.js';
import type { KeptReasons } from './kept-reasons.js';
import type { Reason } from './types.js';

/**
 * On a registry that cannot list untagged digests, an attachment whose subject is not listed may
 * still have its subject there, untagged (and in use by digest): keep it rather than orphan-delete it.
 */
export function keepAttachmentsOfUnlistedSubjects(graph: ImageGraph, add: (d: Digest, r: Reason) => void): void {
  graph.nodes.forEach((n) => {
    if (n.listed && n.kind === 'attachment' && n.subject && !graph.nodes.has(n.subject)) {
      add(n.digest, { reason: 'closure', rule: 'closure', of: n.subject, detail: `attachment of ${n.subject}, which this registry cannot list because it has no tag; kept in case it exists` });
    }
  });
}

/** Adds a closure reason to everything a kept digest reaches, breadth first from every kept digest. */
export function closeOverKept(graph: ImageGraph, reasons: KeptReasons, add: (d: Digest, r: Reason) => void): void {
  const queue = [...reasons.digests()];
  const closureOf = (d: Digest, from: Digest, what: string): void => {
    if (!reasons.has(d)) queue.push(d);
    add(d, { reason: 'closure', rule: 'closure', of: from, detail: `${what} ${from}` });
  };
  /** Each digest of the list that has no closure reason yet gets one (from `from`). */
  const closeOverAll = (list: readonly Digest[], from: Digest, what: string): void => {
    for (let j = 0; j < list.length; j++) {
      const d = list[j] as Digest;
      if (!reasons.get(d)?.some((r) => r.reason === 'closure')) closureOf(d, from, what);
    }
  };
  for (let i = 0; i < queue.length; i++) {
    const n = graph.nodes.get(queue[i] as Digest);
    if (!n) continue;
    closeOverAll(n.children, n.digest, 'child of kept index');
    closeOverAll(n.attachments, n.digest, 'attachment of kept image');
  }
}
