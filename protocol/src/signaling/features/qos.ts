import * as v from 'valibot';
import {
  AddressSchema,
  QosDomainSchema,
  SignatureSchema,
  SignedAgentReportSchema,
  SignedClientReportSchema,
} from '../../qos/qosReports.js';
import { Id, Uint } from '../common.js';
import { CoreMessageType } from './core.js';
import type { FeatureMessages } from './FeatureMessages.js';

/**
 * Quality of service, 300–339: per-minute QoS reports from agents and players
 * (EIP-712 signed, see `@frameway/protocol/qos`) and the messages that set
 * them up. Add types in this range only.
 */
export const QosMessageType = {
  /** Player -> gateway: bind this session key to my session (request; answered by QosKeyBound). */
  QosBindKey: 300,
  QosKeyBound: 301,
  /** Gateway -> agent and player: the session streams; report every `intervalMs` from now on. */
  QosStart: 302,
  /** Agent -> gateway: one signed minute report (request; answered by Ack once stored). */
  QosAgentReport: 303,
  /** Player -> gateway: one signed minute report (request; answered by Ack once stored). */
  QosClientReport: 304,
} as const;

export const QosBindKeyPayload = v.object({
  sessionId: Id,
  /** Address of the player's session key (the client generates it; the private key never leaves the client). */
  key: AddressSchema,
  /** EIP-712 `QosKeyBinding { sessionId, key }` signed by that key: proof the player holds it. */
  proof: SignatureSchema,
});

export const QosKeyBoundPayload = v.object({
  sessionId: Id,
  key: AddressSchema,
});

export const QosStartPayload = v.object({
  sessionId: Id,
  /** Domain every report of this session is signed under. */
  domain: QosDomainSchema,
  /** Report period (one minute in production). */
  intervalMs: v.pipe(Uint, v.minValue(100), v.maxValue(3_600_000)),
  /** How long ago (gateway clock) minute 0 began when this was sent; lets a late joiner align without clock sync. */
  elapsedMs: v.pipe(Uint, v.maxValue(Number.MAX_SAFE_INTEGER)),
});

export const qosMessages = {
  types: QosMessageType,
  schemas: {
    [QosMessageType.QosBindKey]: QosBindKeyPayload,
    [QosMessageType.QosKeyBound]: QosKeyBoundPayload,
    [QosMessageType.QosStart]: QosStartPayload,
    [QosMessageType.QosAgentReport]: SignedAgentReportSchema,
    [QosMessageType.QosClientReport]: SignedClientReportSchema,
  },
  replies: {
    [QosMessageType.QosBindKey]: QosMessageType.QosKeyBound,
    [QosMessageType.QosAgentReport]: CoreMessageType.Ack,
    [QosMessageType.QosClientReport]: CoreMessageType.Ack,
  },
  agentToGateway: [QosMessageType.QosAgentReport],
  gatewayToAgent: [QosMessageType.QosStart],
  playerToGateway: [QosMessageType.QosBindKey, QosMessageType.QosClientReport],
  gatewayToPlayer: [QosMessageType.QosKeyBound, QosMessageType.QosStart],
} as const satisfies FeatureMessages;
