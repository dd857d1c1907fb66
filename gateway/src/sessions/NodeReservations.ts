import type { NodeRegistry } from '../registry/NodeRegistry.js';

/**
 * The node each session holds a slot on, so that exactly one slot is released
 * per session however it ends (a failover moves the slot; the end frees it).
 */
export class NodeReservations {
  readonly #registry: NodeRegistry;
  readonly #heldOn = new Map<string, string>();

  constructor(registry: NodeRegistry) {
    this.#registry = registry;
  }

  /** Takes a slot on `nodeId` for the session; throws the registry's FramewayError when the node is full or gone. */
  hold(sessionId: string, nodeId: string): void {
    this.#registry.reserve(nodeId);
    this.#heldOn.set(sessionId, nodeId);
  }

  /** Records a slot already taken on the registry (failover: the new node's, once it started the session). */
  adopt(sessionId: string, nodeId: string): void {
    this.release(sessionId);
    this.#heldOn.set(sessionId, nodeId);
  }

  /** Gives the session's slot back; nothing when it holds none. */
  release(sessionId: string): void {
    const nodeId = this.#heldOn.get(sessionId);
    if (nodeId === undefined) return;
    this.#heldOn.delete(sessionId);
    this.#registry.release(nodeId);
  }
}
