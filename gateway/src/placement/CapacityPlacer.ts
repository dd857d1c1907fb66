import type { NodeRegistry } from '../registry/NodeRegistry.js';
import type { PlacementRequest, Placer } from './Placer.js';
import { placeSession } from './placeSession.js';

/** Places on the least-loaded capable node, ignoring latency: for a single-site deployment. */
export class CapacityPlacer implements Placer {
  readonly #registry: NodeRegistry;

  constructor(registry: NodeRegistry) {
    this.#registry = registry;
  }

  async place(request: PlacementRequest): Promise<string> {
    return placeSession(this.#registry.list(), { runtime: request.runtime, codec: request.codec }).node.nodeId;
  }
}
