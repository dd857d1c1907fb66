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
export interface LedgerSessionSource {
  on<E extends keyof LedgerSessionEvents>(event: E, listener: (...args: LedgerSessionEvents[E]) => void): unknown;
  off<E extends keyof LedgerSessionEvents>(event: E, listener: (...args: LedgerSessionEvents[E]) => void): unknown;
  /** The session's player, to tell it QosStart. */
  playerOf(sessionId: string): { readonly api: QosStartDoor } | undefined;
}

/** The one call the ledger makes on an agent or a player: tell it the QoS reporting grid. */
export interface QosStartDoor {
  qosStart(start: QosStartPayload): void;
}

export interface QosLedgerWiring {
  sessions: LedgerSessionSource;
  /** The outgoing door of a node's live agent link. */
  agentFor: (nodeId: string) => QosStartDoor | undefined;
}

/**
 * Connects the ledger to the session lifecycle: allocation on `placed`,
 * minute 0 and QosStart to agent and player on `streaming` (and to the new
 * agent after a failover), the close on `ended`. Returns a detach function.
 */
export function attachQosLedger(ledger: QosLedger, wiring: QosLedgerWiring): () => void {
  const { sessions, agentFor } = wiring;
  const tell = (session: LedgerSessionFacts, start: QosStartPayload | undefined, nodeId = session.nodeId): void => {
    if (!start) return;
    if (nodeId) agentFor(nodeId)?.qosStart(start);
    sessions.playerOf(session.id)?.api.qosStart(start);
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
    if (start) agentFor(to)?.qosStart(start);
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
