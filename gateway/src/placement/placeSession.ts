import { FramewayError, type RuntimeKind, type VideoCodec } from '@frameway/protocol';
import type { NodeRecord } from '../registry/NodeRecord.js';

export interface PlacementRequest {
  runtime: RuntimeKind;
  codec: VideoCodec;
}

export type RejectionReason = 'not_up' | 'runtime_missing' | 'codec_missing' | 'full';

/** Why each node was passed over; what FW_ERR_NO_CAPACITY carries for diagnosis. */
export interface PlacementDecision {
  node: Readonly<NodeRecord>;
  rejected: Record<string, RejectionReason>;
}

/**
 * Chooses the node for a new session: hard constraints first (healthy,
 * runtime, encoder for the codec, a free slot), then the least loaded by
 * free-slot fraction, hardware encoders before software, node id as the
 * deterministic tie-break. Throws FW_ERR_NO_CAPACITY when nothing fits.
 */
export function placeSession(nodes: Iterable<Readonly<NodeRecord>>, request: PlacementRequest): PlacementDecision {
  const rejected: Record<string, RejectionReason> = {};
  let best: Readonly<NodeRecord> | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const node of nodes) {
    const reason = rejectionOf(node, request);
    if (reason) {
      rejected[node.nodeId] = reason;
      continue;
    }
    const freeFraction = (node.capacity - node.reservedSessions) / Math.max(1, node.capacity);
    const hardware = node.encoders.some((e) => e.codec === request.codec && e.hardware) ? 1 : 0;
    const score = freeFraction * 10 + hardware;
    if (score > bestScore || (score === bestScore && best && node.nodeId < best.nodeId)) {
      best = node;
      bestScore = score;
    }
  }
  if (!best) {
    throw new FramewayError('FW_ERR_NO_CAPACITY', 'no healthy node has a free slot for this session', { rejected });
  }
  return { node: best, rejected };
}

function rejectionOf(node: Readonly<NodeRecord>, request: PlacementRequest): RejectionReason | undefined {
  if (node.status !== 'up') return 'not_up';
  if (!node.runtimes.includes(request.runtime)) return 'runtime_missing';
  if (!node.encoders.some((e) => e.codec === request.codec)) return 'codec_missing';
  if (node.reservedSessions >= node.capacity) return 'full';
  return undefined;
}
