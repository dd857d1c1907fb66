import { type FailoverReason, FramewayError, SessionEndReason, SessionStateName } from '@frameway/protocol';
import type { AgentApi } from '../agents/AgentApi.js';
import { createLogger } from '../logging/logger.js';
import type { Placer } from '../placement/Placer.js';
import type { NodeRegistry } from '../registry/NodeRegistry.js';
import type { NodeReservations } from './NodeReservations.js';
import type { Session } from './Session.js';
import type { SessionPlayer } from './SessionPlayer.js';
import type { SessionStarter } from './SessionStarter.js';

const log = createLogger('sessions.failover');

/** One failover in progress. */
interface Move {
  readonly from: string;
  readonly reason: FailoverReason;
  readonly why: string;
  /** Nodes not to try again: the one left and every one tried since. */
  readonly tried: string[];
  /** The node the player was last told it moves to. */
  announced: string;
  lastError: FramewayError | undefined;
}

export interface SessionFailoverOptions {
  registry: NodeRegistry;
  placer: Placer;
  reservations: NodeReservations;
  starter: SessionStarter;
  agentFor: (nodeId: string) => AgentApi | undefined;
  playerOf: (sessionId: string) => SessionPlayer | undefined;
  /** Off: a session ends with its node. */
  enabled: boolean;
  /** Nodes tried at most per failover. */
  maxAttempts: number;
  /** The session now runs on `to`. */
  onFailedOver: (session: Session, from: string, to: string) => void;
}

/**
 * Failover: place the session again (never on the node it leaves), start it
 * there with the same RTP ingest, and re-latch the ingest onto the new
 * agent's stream (sequence numbers and timestamps continue, so the player's
 * decoder only needs the keyframe the new encoder starts with). The player's
 * WebRTC peer lives on the gateway and is untouched: it sees a short freeze.
 * A degraded (still running) node keeps the session until the new one has
 * started, and gets it back when no other node can.
 */
export class SessionFailover {
  readonly #options: SessionFailoverOptions;
  readonly #moving = new Set<string>();

  constructor(options: SessionFailoverOptions) {
    this.#options = options;
  }

  /** True while a session is being moved to another node. */
  isMoving(sessionId: string): boolean {
    return this.#moving.has(sessionId);
  }

  /** Whether the session can be moved now: failover on, a placer that replaces, a route that re-latches. */
  canMove(session: Session): boolean {
    return (
      this.#options.enabled &&
      !session.ended &&
      session.nodeId !== undefined &&
      this.#options.placer.replace !== undefined &&
      session.route?.relatchIngest !== undefined &&
      !this.#moving.has(session.id)
    );
  }

  /** Moves the session (call `canMove` first); resolves true when it runs on another node. */
  async move(session: Session, reason: FailoverReason, why: string): Promise<boolean> {
    const from = session.nodeId!;
    const lost = reason === 'node_lost';
    this.#moving.add(session.id);
    if (lost) this.#options.reservations.release(session.id);
    session.log.info({ reason, why }, 'failing over');
    session.setState(SessionStateName.Starting);
    const move: Move = { from, reason, why, tried: [from], announced: from, lastError: undefined };
    try {
      for (let attempt = 0; attempt < this.#options.maxAttempts; attempt++) {
        const outcome = await this.#tryNextNode(session, move);
        if (outcome === 'ended') return false;
        if (outcome === 'no_node') break;
        if (outcome !== 'retry') {
          log.info({ sessionId: session.id, from, to: outcome.to, reason }, 'session failed over');
          this.#options.onFailedOver(session, from, outcome.to);
          return true;
        }
      }
      if (!session.ended) this.#stayOrEnd(session, move);
      return false;
    } finally {
      this.#moving.delete(session.id);
      // Ended mid-move: the node left behind may still run it.
      if (session.ended && !lost) this.#stopOn(from, session);
    }
  }

  /** One attempt: a node from the placer, a slot on it, the player told, the agent's start. */
  async #tryNextNode(session: Session, move: Move): Promise<{ to: string } | 'retry' | 'no_node' | 'ended'> {
    const { registry, placer, reservations, starter } = this.#options;
    let to: string;
    try {
      const player = this.#options.playerOf(session.id);
      to = await placer.replace!(session.placementRequest(), { reason: move.reason, exclude: move.tried, player });
    } catch (error) {
      move.lastError = toFramewayError(error);
      return 'no_node';
    }
    if (session.ended) return 'ended';
    move.tried.push(to);
    try {
      registry.reserve(to);
    } catch (error) {
      move.lastError = toFramewayError(error);
      return 'retry';
    }
    session.assignNode(to);
    session.route!.relatchIngest!();
    this.#tellPlayer(session, { fromNodeId: move.from, toNodeId: to, reason: move.reason, message: move.why });
    move.announced = to;
    try {
      await starter.start(session);
    } catch (error) {
      registry.release(to);
      move.lastError = toFramewayError(error);
      if (session.ended) return 'ended';
      session.log.warn({ code: move.lastError.code, detail: move.lastError.message }, 'failover start failed');
      return 'retry';
    }
    if (session.ended) {
      registry.release(to);
      return 'ended';
    }
    reservations.adopt(session.id, to);
    if (move.reason !== 'node_lost') this.#stopOn(move.from, session);
    return { to };
  }

  /** No other node took it: a degraded node still running it keeps it; otherwise the session ends. */
  #stayOrEnd(session: Session, move: Move): void {
    const { from, reason, why, lastError } = move;
    if (reason !== 'node_lost' && this.#options.registry.get(from)?.status !== 'down' && this.#options.agentFor(from)) {
      session.assignNode(from);
      session.route!.relatchIngest!();
      if (move.announced !== from) {
        // The player was told it moved to a node that did not start: it is told it is back.
        const message = `no other node could take the session; staying on ${from}`;
        this.#tellPlayer(session, { fromNodeId: move.announced, toNodeId: from, reason, message });
      }
      session.log.info({ code: lastError?.code }, 'failover found no other node; staying');
      return;
    }
    session.end({
      reason: SessionEndReason.AgentLost,
      code: lastError?.code === 'FW_ERR_NO_NODE_IN_BUDGET' ? lastError.code : 'FW_ERR_AGENT_UNAVAILABLE',
      message: `${why}; failover failed: ${lastError?.message ?? 'no node available'}`,
    });
  }

  #tellPlayer(
    session: Session,
    move: { fromNodeId: string; toNodeId: string; reason: FailoverReason; message: string },
  ): void {
    this.#options.playerOf(session.id)?.api.sessionFailover({ sessionId: session.id, ...move });
  }

  #stopOn(nodeId: string, session: Session): void {
    this.#options
      .agentFor(nodeId)
      ?.stopSession(session.id, SessionEndReason.Terminated)
      .catch((error: unknown) => session.log.debug({ err: error }, 'stop on the node left behind failed'));
  }
}

function toFramewayError(error: unknown): FramewayError {
  return error instanceof FramewayError
    ? error
    : new FramewayError('FW_ERR_INTERNAL', String(error), undefined, { cause: error });
}
