import { MessageType, type SignalingChannel, type TypedEmitter } from '@frameway/protocol';
import type { QosStartPayload } from './QosIntake.js';
import type { QosLedger } from './QosLedger.js';

/** A session as the ledger reads it from the lifecycle events: plain facts, no live object. */
export interface LedgerSessionFacts {
  readonly id: string;
  readonly playerId: string;
  readonly nodeId?: string | undefined;
  readonly video: { readonly fps: number };
  readonly spec: { readonly latencyBudgetMs: number };
}

/** The lifecycle events the ledger follows (the session manager emits them). */
export type LedgerSessionEvents = {
  placed: [session: LedgerSessionFacts, nodeId: string];
  streaming: [session: LedgerSessionFacts];
  failedOver: [session: LedgerSessionFacts, fromNodeId: string, toNodeId: string];
  ended: [session: LedgerSessionFacts, info: { reason: string }];
};

/** Where sessions come from: the session manager, seen through the events above only. */
export interface LedgerSessionSource extends Pick<TypedEmitter<LedgerSessionEvents>, 'on' | 'off'> {
  /** The session's player, to tell it QosStart. */
  playerOf(sessionId: string): { readonly channel: Pick<SignalingChannel, 'notify'> } | undefined;
}

export interface QosLedgerWiring {
  sessions: LedgerSessionSource;
  /** The signaling channel of a node's live agent link. */
  agentChannel: (nodeId: string) => Pick<SignalingChannel, 'notify'> | undefined;
}

/**
 * Connects the ledger to the session lifecycle: allocation on `placed`,
 * minute 0 and QosStart to agent and player on `streaming` (and to the new
 * agent after a failover), the close on `ended`. Returns a detach function.
 */
export function attachQosLedger(ledger: QosLedger, wiring: QosLedgerWiring): () => void {
  const { sessions, agentChannel } = wiring;
  const tell = (session: LedgerSessionFacts, start: QosStartPayload | undefined, nodeId = session.nodeId): void => {
    if (!start) return;
    if (nodeId) agentChannel(nodeId)?.notify(MessageType.QosStart, start);
    sessions.playerOf(session.id)?.channel.notify(MessageType.QosStart, start);
  };
  const placed = (session: LedgerSessionFacts, nodeId: string) =>
    ledger.sessionPlaced({
      sessionId: session.id,
      playerId: session.playerId,
      nodeId,
      targetFps: session.video.fps,
      latencyBudgetMs: session.spec.latencyBudgetMs,
    });
  const streaming = (session: LedgerSessionFacts) => tell(session, ledger.sessionStreaming(session.id));
  const failedOver = (session: LedgerSessionFacts, _from: string, to: string) => {
    ledger.sessionFailedOver(session.id, to);
    const start = ledger.startPayload(session.id);
    if (start) agentChannel(to)?.notify(MessageType.QosStart, start);
  };
  const ended = (session: LedgerSessionFacts, info: { reason: string }) => ledger.sessionEnded(session.id, info.reason);
  sessions.on('placed', placed);
  sessions.on('streaming', streaming);
  sessions.on('failedOver', failedOver);
  sessions.on('ended', ended);
  return () => {
    sessions.off('placed', placed);
    sessions.off('streaming', streaming);
    sessions.off('failedOver', failedOver);
    sessions.off('ended', ended);
  };
}
