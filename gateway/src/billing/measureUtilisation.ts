import type { NodeRecord } from '../registry/NodeRecord.js';

/**
 * Utilisation in basis points (0-10000): reserved sessions / slots of the
 * session's node (`node`), or of every node that is up (`fleet`). A node
 * the registry no longer knows falls back to the fleet.
 */
export function measureUtilisation(
  nodes: readonly Readonly<NodeRecord>[],
  basis: 'node' | 'fleet',
  nodeId: string | undefined,
): number {
  const node = basis === 'node' && nodeId !== undefined ? nodes.find((n) => n.nodeId === nodeId) : undefined;
  const counted = node ? [node] : nodes.filter((n) => n.status === 'up');
  let reserved = 0;
  let slots = 0;
  for (const n of counted) {
    reserved += n.reservedSessions;
    slots += n.slots;
  }
  if (slots <= 0) return 10_000;
  return Math.min(10_000, Math.floor((reserved * 10_000) / slots));
}
