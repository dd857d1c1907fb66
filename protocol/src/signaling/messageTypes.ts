import { agentMessages } from './features/agent.js';
import { coreMessages } from './features/core.js';
import { fleetMessages } from './features/fleet.js';
import { mediaMessages } from './features/media.js';
import { placementMessages } from './features/placement.js';
import { playerMessages } from './features/player.js';
import { qosMessages } from './features/qos.js';

/**
 * Every feature's slice of the contract. Message type numbers are grouped by range:
 *   1–99    core (errors, acks, keep-alive), every link       features/core.ts
 *   100–119 edge agent <-> gateway: registration, sessions    features/agent.ts
 *   120–149 fleet: agent identity, latency probes, drain      features/fleet.ts
 *   200–219 player <-> gateway: join, WebRTC, session state   features/player.ts
 *   220–239 player placement: probes, queue, failover         features/placement.ts
 *   300–339 quality of service reports                        features/qos.ts
 *   340–359 media control: encoder target, stream quality     features/media.ts
 */
export const features = [
  coreMessages,
  agentMessages,
  fleetMessages,
  playerMessages,
  placementMessages,
  qosMessages,
  mediaMessages,
] as const;

/** The signaling message types: one table, composed from the features. */
export const MessageType = {
  ...coreMessages.types,
  ...agentMessages.types,
  ...fleetMessages.types,
  ...playerMessages.types,
  ...placementMessages.types,
  ...qosMessages.types,
  ...mediaMessages.types,
} as const;

export type MessageType = (typeof MessageType)[keyof typeof MessageType];
export type MessageTypeName = keyof typeof MessageType;

const namesByType = new Map<number, MessageTypeName>(
  Object.entries(MessageType).map(([name, t]) => [t, name as MessageTypeName]),
);

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'number' && namesByType.has(value);
}

/** The name of a message type, for logs. */
export function messageTypeName(t: number): string {
  return namesByType.get(t) ?? `Unknown(${t})`;
}

/**
 * Which reply type answers each request type. Replies carry the request's `id`.
 * A request type may also be sent as a notification (no `id`) when the sender
 * does not wait for the answer, e.g. PlayerLeave right before closing.
 */
export const ReplyTypeOf = {
  ...coreMessages.replies,
  ...agentMessages.replies,
  ...fleetMessages.replies,
  ...playerMessages.replies,
  ...placementMessages.replies,
  ...qosMessages.replies,
  ...mediaMessages.replies,
} as const;

export type RequestType = keyof typeof ReplyTypeOf;
export type ReplyType = (typeof ReplyTypeOf)[RequestType] | typeof MessageType.Error;

const replyTypes = new Set<number>([...Object.values(ReplyTypeOf), MessageType.Error]);

/** True for the types that only ever travel as the answer to a request. */
export function isReplyType(t: number): t is ReplyType {
  return replyTypes.has(t);
}

const directionSet = (pick: (feature: (typeof features)[number]) => readonly number[]): ReadonlySet<MessageType> =>
  new Set(features.flatMap((feature) => pick(feature)) as MessageType[]);

/** Message types each side may send; a receiver rejects anything else. */
export const AgentToGateway = directionSet((f) => f.agentToGateway);
export const GatewayToAgent = directionSet((f) => f.gatewayToAgent);
export const PlayerToGateway = directionSet((f) => f.playerToGateway);
export const GatewayToPlayer = directionSet((f) => f.gatewayToPlayer);
