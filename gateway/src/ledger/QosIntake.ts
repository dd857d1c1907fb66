import type { MessageType, PayloadOf } from '@frameway/protocol';
import type { SignedAgentReport, SignedClientReport } from '@frameway/protocol/qos';

// The ledger's intake port: what the agent and player links hand the QoS
// ledger, as types only. The links depend on these interfaces, never on the
// ledger's implementation; the Gateway wires the concrete ledger into them.

export type QosStartPayload = PayloadOf<typeof MessageType.QosStart>;

/** What the player link needs from the ledger. */
export interface PlayerQosHandler {
  /** Binds the player's session key; resolves with QosStart when the session already streams. */
  bindClientKey(sessionId: string, key: string, proof: string): Promise<QosStartPayload | undefined>;
  acceptClientReport(sessionId: string, signed: SignedClientReport): Promise<void>;
}

/** What the agent link needs from the ledger. */
export interface AgentQosHandler {
  acceptAgentReport(nodeId: string, signed: SignedAgentReport): Promise<void>;
}

/** Both doors: what a ledger (or a fake in a test) offers the links. */
export interface QosIntake extends PlayerQosHandler, AgentQosHandler {}
