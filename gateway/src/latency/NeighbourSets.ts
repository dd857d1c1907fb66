/**
 * For every node, the few peers with the lowest RTT it has measured (both
 * ends of every agent↔agent probe count). Two uses: the fleet prober looks
 * for a node's real neighbourhood among its neighbours' neighbours (gossip),
 * and placement expands a player's best measured node to that node's
 * neighbours: measured locality, which no embedding error can hide
 * (Meridian's ring idea, Wong et al., SIGCOMM 2005).
 */
export class NeighbourSets {
  readonly #size: number;
  readonly #sets = new Map<string, Map<string, number>>();

  /** `size` lowest-RTT peers are kept per node. */
  constructor(size = 8) {
    this.#size = size;
  }

  /** Records one measured RTT between two nodes (both directions). */
  record(a: string, b: string, rttMs: number): void {
    if (a === b || !(rttMs > 0)) return;
    this.#add(a, b, rttMs);
    this.#add(b, a, rttMs);
  }

  /** A node's neighbours, lowest RTT first. */
  of(nodeId: string): readonly string[] {
    const set = this.#sets.get(nodeId);
    if (!set) return [];
    return [...set].sort((x, y) => x[1] - y[1]).map(([id]) => id);
  }

  /** A node's neighbours in no particular order (cheaper than `of`). */
  ids(nodeId: string): Iterable<string> {
    return this.#sets.get(nodeId)?.keys() ?? [];
  }

  has(nodeId: string, peerId: string): boolean {
    return this.#sets.get(nodeId)?.has(peerId) ?? false;
  }

  /** Neighbour count of a node. */
  sizeOf(nodeId: string): number {
    return this.#sets.get(nodeId)?.size ?? 0;
  }

  /** Forgets a node entirely (it left the fleet for good). */
  remove(nodeId: string): void {
    for (const peer of this.#sets.get(nodeId)?.keys() ?? []) this.#sets.get(peer)?.delete(nodeId);
    this.#sets.delete(nodeId);
  }

  #add(from: string, to: string, rttMs: number): void {
    let set = this.#sets.get(from);
    if (!set) {
      set = new Map();
      this.#sets.set(from, set);
    }
    set.set(to, rttMs);
    if (set.size <= this.#size) return;
    let worst: string | undefined;
    let worstRtt = Number.NEGATIVE_INFINITY;
    for (const [id, rtt] of set) {
      if (rtt > worstRtt) {
        worstRtt = rtt;
        worst = id;
      }
    }
    if (worst !== undefined) set.delete(worst);
  }
}
