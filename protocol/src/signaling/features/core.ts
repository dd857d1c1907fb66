import * as v from 'valibot';
import type { FeatureMessages } from './FeatureMessages.js';

/** Core messages, 1–99: errors, acks and keep-alive, in either direction on every link. */
export const CoreMessageType = {
  Error: 1,
  Ack: 2,
  Ping: 3,
  Pong: 4,
} as const;

export const ErrorPayload = v.object({
  code: v.pipe(v.string(), v.maxLength(64)),
  message: v.pipe(v.string(), v.maxLength(1024)),
  details: v.optional(v.record(v.string(), v.unknown())),
});

export const EmptyPayload = v.object({});
export const PingPayload = v.object({ ts: v.number() });

export const coreMessages = {
  types: CoreMessageType,
  schemas: {
    [CoreMessageType.Error]: ErrorPayload,
    [CoreMessageType.Ack]: EmptyPayload,
    [CoreMessageType.Ping]: PingPayload,
    [CoreMessageType.Pong]: PingPayload,
  },
  replies: { [CoreMessageType.Ping]: CoreMessageType.Pong },
  agentToGateway: [CoreMessageType.Error, CoreMessageType.Ack, CoreMessageType.Ping, CoreMessageType.Pong],
  gatewayToAgent: [CoreMessageType.Error, CoreMessageType.Ack, CoreMessageType.Ping, CoreMessageType.Pong],
  playerToGateway: [CoreMessageType.Error, CoreMessageType.Ping, CoreMessageType.Pong],
  gatewayToPlayer: [CoreMessageType.Error, CoreMessageType.Ack, CoreMessageType.Ping, CoreMessageType.Pong],
} as const satisfies FeatureMessages;
