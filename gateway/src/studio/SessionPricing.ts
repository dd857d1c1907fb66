import type { NodeRecord } from '../registry/NodeRecord.js';
import type { SessionRecord } from './SessionRecords.js';

/**
 * What studio sessions need from billing, as a port that Billing implements.
 * Billing reads the studio's session records, so the studio may not import
 * billing back: that would make the two folders a circle.
 */
export interface SessionPricing {
  /** Currency and block length stamped on a session record when it is created. */
  readonly terms: { readonly currency: string; readonly blockMinutes: number };
  /** Utilisation (basis points) and block price for a session just placed on `nodeId`. */
  priceAtPlacement(
    nodes: readonly Readonly<NodeRecord>[],
    nodeId: string,
  ): { utilisationBp: number; pricePerBlock: number };
  /** What a session costs so far. */
  bill(record: SessionRecord): { blocks: number; amount: number };
}
