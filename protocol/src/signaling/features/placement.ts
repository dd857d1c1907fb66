import type { FeatureMessages } from './FeatureMessages.js';

/** Player placement (latency-aware placement), 220–239: probe shortlist, probe results, queue position, failover. Reserved; add types in this range only. */
export const PlacementMessageType = {} as const;

export const placementMessages = {
  types: PlacementMessageType,
  schemas: {},
  replies: {},
  agentToGateway: [],
  gatewayToAgent: [],
  playerToGateway: [],
  gatewayToPlayer: [],
} as const satisfies FeatureMessages;
