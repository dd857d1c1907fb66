import type { FeatureMessages } from './FeatureMessages.js';

/** Quality of service, 300–339: per-minute QoS reports from agents and players (EIP-712 signed). Reserved; add types in this range only. */
export const QosMessageType = {} as const;

export const qosMessages = {
  types: QosMessageType,
  schemas: {},
  replies: {},
  agentToGateway: [],
  gatewayToAgent: [],
  playerToGateway: [],
  gatewayToPlayer: [],
} as const satisfies FeatureMessages;
