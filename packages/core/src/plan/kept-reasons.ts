/**
 * The reasons each digest is kept for, while the plan collects them (unit-reasons.ts, closure.ts):
 * for the graph's nodes in an array by node index, so that reading them for 100,000 images in the
 * graph's order is one array read each (a Map of 50,000 digests costs a cache miss or two per
 * lookup); for digests the graph does not hold (a workload's image the registry does not list), a Map.
 */
import type { Digest } from '../ports.js';
import type { ImageGraph, ImageNode } from '../graph/graph.js';
import type { Reason } from './types.js';

export class KeptReasons {
  private readonly byIndex: Array<Reason[] | undefined>;
  private readonly elsewhere = new Map<Digest, Reason[]>();
  /** The digests with reasons, in the order their first reason came (closure walks them in it). */
  private readonly order: Digest[] = [];

  constructor(private readonly graph: ImageGraph) {
    this.byIndex = new Array<Reason[] | undefined>(graph.nodes.size);
    // Two nodes with one index would share their reasons: a graph not numbered as buildGraph numbers it is refused.
    let position = 0;
    graph.nodes.forEach((n) => {
      if (n.index !== position) throw new Error(`planCleanup: graph node ${n.digest} has index ${String(n.index)}, not its position ${position} (make graphs with buildGraph)`);
      position += 1;
    });
  }

  /** The node's reasons (a node of this graph). */
  of(n: ImageNode): Reason[] | undefined {
    return this.byIndex[n.index];
  }

  get(d: Digest): Reason[] | undefined {
    const n = this.graph.nodes.get(d);
    return n ? this.byIndex[n.index] : this.elsewhere.get(d);
  }

  has(d: Digest): boolean {
    return this.get(d) !== undefined;
  }

  add(d: Digest, r: Reason): void {
    const list = this.get(d);
    if (list) list.push(r);
    else this.enter(d, [r]);
  }

  /** Enters the first reasons of a node that has none yet. */
  set(n: ImageNode, list: Reason[]): void {
    this.byIndex[n.index] = list;
    this.order.push(n.digest);
  }

  /** The digests with reasons, in the order their first reason came. */
  digests(): readonly Digest[] {
    return this.order;
  }

  private enter(d: Digest, list: Reason[]): void {
    const n = this.graph.nodes.get(d);
    if (n) this.byIndex[n.index] = list;
    else this.elsewhere.set(d, list);
    this.order.push(d);
  }
}
