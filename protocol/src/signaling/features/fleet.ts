import type { FeatureMessages } from './FeatureMessages.js';

/** Fleet (issue: latency-aware placement), 120–149: agent identity challenge, agent↔agent and agent↔gateway latency probes, drain. Reserved; add types in this range only. */
export const FleetMessageType = {} as const;

export const fleetMessages = {
  types: FleetMessageType,
  schemas: {},
  replies: {},
  agentToGateway: [],
  gatewayToAgent: [],
  playerToGateway: [],
  gatewayToPlayer: [],
} as const satisfies FeatureMessages;
