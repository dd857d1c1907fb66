import type { FailoverReason, MessageType, PayloadOf, RuntimeKind, VideoCodec } from '@frameway/protocol';

/**
 * What placement needs to know about the session it places: plain data,
 * never the live session. The field names follow the session's own getters,
 * so a session (or a snapshot of one) is a request as it is.
 */
export interface PlacementRequest {
  /** The session's id: keys what placement keeps about its player until `forget`. */
  readonly id: string;
  readonly playerId: string;
  readonly runtime: RuntimeKind;
  readonly codec: VideoCodec;
  /** Largest acceptable player↔node round trip. */
  readonly latencyBudgetMs: number;
  /** Allowed regions; empty or absent = anywhere. */
  readonly regions?: readonly string[] | undefined;
  /** Aborted when the session ends: placement stops probing or queueing with FW_ERR_SESSION_ENDED. */
  readonly signal?: AbortSignal | undefined;
}

export type ProbeRequest = PayloadOf<typeof MessageType.ProbeRequest>;
export type ProbeResults = PayloadOf<typeof MessageType.ProbeResults>;
export type QueuePosition = Omit<PayloadOf<typeof MessageType.QueuePosition>, 'sessionId'>;

/**
 * The player's side of placement, as placement sees it: it measures round
 * trips to nodes on request and hears where it stands in the queue. The
 * players/ side implements it over the player's socket; placement never
 * holds the socket.
 */
export interface PlayerProber {
  /** True once the player went away: nothing more is asked of it. */
  readonly closed: boolean;
  /** The player accepted the nearest free node even when it is over the latency budget. */
  readonly acceptOverBudget: boolean;
  /** One probe round; rejects when the player refuses it or does not answer within `timeoutMs`. */
  probe(request: ProbeRequest, timeoutMs: number): Promise<ProbeResults>;
  /** Tells the queued player where it stands. */
  queuePosition(sessionId: string, update: QueuePosition): void;
}

/** Why and from where a running session is being moved. */
export interface ReplaceRequest {
  reason: FailoverReason;
  /** Nodes not to use: the one being left and any that already failed to start it. */
  exclude: readonly string[];
  /** The session's player, when connected (a placer may re-probe through it). */
  player: PlayerProber | undefined;
}

/**
 * Chooses the node a session runs on. It may talk to the player first (latency
 * probes through its prober) and throws a FramewayError
 * (FW_ERR_NO_CAPACITY, FW_ERR_NO_NODE_IN_BUDGET) when nothing fits.
 */
export interface Placer {
  place(request: PlacementRequest, player: PlayerProber): Promise<string>;
  /**
   * Chooses a new node for a session that is already running (failover).
   * Placers without it cannot fail over: the session ends with its node.
   */
  replace?(request: PlacementRequest, move: ReplaceRequest): Promise<string>;
  /** Forgets what was kept for a session (its player's measurements) once it has ended. */
  forget?(sessionId: string): void;
}
