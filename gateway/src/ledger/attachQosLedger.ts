import { MessageType, type SignalingChannel } from '@frameway/protocol';
import type { Session } from '../sessions/Session.js';
import type { SessionManager } from '../sessions/SessionManager.js';
import type { QosLedger, QosStartPayload } from './QosLedger.js';

export interface QosLedgerWiring {
  sessions: SessionManager;
  /** The signaling channel of a node's live agent link. */
  agentChannel: (nodeId: string) => SignalingChannel | undefined;
}

/**
 * Connects the ledger to the session lifecycle: allocation on `placed`,
 * minute 0 and QosStart to agent and player on `streaming` (and to the new
 * agent after a failover), the close on `ended`. Returns a detach function.
 */
export function attachQosLedger(ledger: QosLedger, wiring: QosLedgerWiring): () => void {
  const { sessions, agentChannel } = wiring;
  const tell = (session: Session, start: QosStartPayload | undefined, nodeId = session.nodeId): void => {
    if (!start) return;
    if (nodeId) agentChannel(nodeId)?.notify(MessageType.QosStart, start);
    sessions.playerOf(session.id)?.channel.notify(MessageType.QosStart, start);
  };
  const placed = (session: Session, nodeId: string) =>
    ledger.sessionPlaced({
      sessionId: session.id,
      playerId: session.playerId,
      nodeId,
      targetFps: session.video.fps,
      latencyBudgetMs: session.spec.latencyBudgetMs,
    });
  const streaming = (session: Session) => tell(session, ledger.sessionStreaming(session.id));
  const failedOver = (session: Session, _from: string, to: string) => {
    ledger.sessionFailedOver(session.id, to);
    const start = ledger.startPayload(session.id);
    if (start) agentChannel(to)?.notify(MessageType.QosStart, start);
  };
  const ended = (session: Session, info: { reason: string }) => ledger.sessionEnded(session.id, info.reason);
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
