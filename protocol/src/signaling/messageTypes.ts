/**
 * The signaling message types, grouped by range:
 *   1–99    core (errors, acks, keep-alive), either direction
 *   100–199 edge agent <-> gateway
 *   200–299 player <-> gateway
 */
export const MessageType = {
  Error: 1,
  Ack: 2,
  Ping: 3,
  Pong: 4,

  AgentRegister: 100,
  AgentRegistered: 101,
  AgentHeartbeat: 102,
  SessionStart: 110,
  SessionStarted: 111,
  SessionStop: 112,
  AgentSessionEnded: 113,
  KeyframeRequest: 114,

  PlayerJoin: 200,
  PlayerJoined: 201,
  PlayerOffer: 202,
  PlayerAnswer: 203,
  IceCandidate: 204,
  PlayerLeave: 205,
  SessionState: 206,
  SessionEnded: 207,
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
  [MessageType.Ping]: MessageType.Pong,
  [MessageType.AgentRegister]: MessageType.AgentRegistered,
  [MessageType.SessionStart]: MessageType.SessionStarted,
  [MessageType.SessionStop]: MessageType.Ack,
  [MessageType.PlayerJoin]: MessageType.PlayerJoined,
  [MessageType.PlayerOffer]: MessageType.PlayerAnswer,
  [MessageType.PlayerLeave]: MessageType.Ack,
} as const;

export type RequestType = keyof typeof ReplyTypeOf;
export type ReplyType = (typeof ReplyTypeOf)[RequestType] | typeof MessageType.Error;

const replyTypes = new Set<number>([...Object.values(ReplyTypeOf), MessageType.Error]);

/** True for the types that only ever travel as the answer to a request. */
export function isReplyType(t: number): t is ReplyType {
  return replyTypes.has(t);
}

/** Message types each side may send; a receiver rejects anything else. */
export const AgentToGateway: ReadonlySet<MessageType> = new Set([
  MessageType.Error,
  MessageType.Ack,
  MessageType.Ping,
  MessageType.Pong,
  MessageType.AgentRegister,
  MessageType.AgentHeartbeat,
  MessageType.SessionStarted,
  MessageType.AgentSessionEnded,
]);

export const GatewayToAgent: ReadonlySet<MessageType> = new Set([
  MessageType.Error,
  MessageType.Ack,
  MessageType.Ping,
  MessageType.Pong,
  MessageType.AgentRegistered,
  MessageType.SessionStart,
  MessageType.SessionStop,
  MessageType.KeyframeRequest,
]);

export const PlayerToGateway: ReadonlySet<MessageType> = new Set([
  MessageType.Error,
  MessageType.Ping,
  MessageType.Pong,
  MessageType.PlayerJoin,
  MessageType.PlayerOffer,
  MessageType.IceCandidate,
  MessageType.PlayerLeave,
]);

export const GatewayToPlayer: ReadonlySet<MessageType> = new Set([
  MessageType.Error,
  MessageType.Ack,
  MessageType.Ping,
  MessageType.Pong,
  MessageType.PlayerJoined,
  MessageType.PlayerAnswer,
  MessageType.IceCandidate,
  MessageType.SessionState,
  MessageType.SessionEnded,
]);
