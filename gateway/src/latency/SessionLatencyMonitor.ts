import type { LinkStats } from '@frameway/protocol';
import { createLogger } from '../logging/logger.js';

const log = createLogger('latency.session-monitor');

/** What the monitor reads of a session. */
export interface MonitoredSession {
  readonly id: string;
  readonly nodeId: string | undefined;
  readonly budgetMs: number;
}

/** A better node for a session, if the placer knows one. */
export interface MoveCandidate {
  nodeId: string;
  rttMs: number | undefined;
}

export interface SessionLatencyMonitorOptions {
  /** Sessions that are streaming right now. */
  sessions: () => Iterable<MonitoredSession>;
  /** Asks the session's player for its WebRTC figures; undefined when it cannot answer. */
  linkStats: (sessionId: string) => Promise<LinkStats | undefined>;
  /** node↔gateway RTT, added when media relays through the gateway; undefined = not relayed or unknown. */
  relayHopMs: (nodeId: string) => number | undefined;
  /** A node within budget the session could move to, or undefined. */
  alternative: (sessionId: string, currentNodeId: string) => MoveCandidate | undefined;
  /** Moves the session (failover with reason 'degraded'). */
  migrate: (sessionId: string) => void;
  intervalMs: number;
  /** Consecutive over-budget checks before a move. */
  overBudgetChecks: number;
  /** Over budget means over budget × (1 + tolerance). */
  tolerance: number;
  /** A moved session stays put for this long. */
  cooldownMs: number;
  now?: () => number;
}

interface Track {
  over: number;
  lastRttMs: number | undefined;
  movedAt: number;
}

/**
 * In-session latency: every interval it asks each streaming session's player
 * for the RTT its WebRTC stack measures (plus the node↔gateway hop when the
 * gateway relays), and when a session stays over its budget for several
 * checks in a row and the placer knows a node within budget, moves it there.
 */
export class SessionLatencyMonitor {
  readonly #options: Required<SessionLatencyMonitorOptions>;
  readonly #tracks = new Map<string, Track>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #checking = false;

  constructor(options: SessionLatencyMonitorOptions) {
    this.#options = { now: Date.now, ...options };
  }

  /** The session's last measured path RTT. */
  rttOf(sessionId: string): number | undefined {
    return this.#tracks.get(sessionId)?.lastRttMs;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.check(), this.#options.intervalMs);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  forget(sessionId: string): void {
    this.#tracks.delete(sessionId);
  }

  /** One pass over every streaming session. */
  async check(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      const sessions = [...this.#options.sessions()];
      await Promise.all(sessions.map((session) => this.#checkOne(session)));
    } finally {
      this.#checking = false;
    }
  }

  async #checkOne(session: MonitoredSession): Promise<void> {
    const nodeId = session.nodeId;
    if (nodeId === undefined) return;
    let stats: LinkStats | undefined;
    try {
      stats = await this.#options.linkStats(session.id);
    } catch {
      stats = undefined;
    }
    if (stats?.rttMs === undefined) return;
    const rtt = stats.rttMs + (this.#options.relayHopMs(nodeId) ?? 0);
    let track = this.#tracks.get(session.id);
    if (!track) {
      track = { over: 0, lastRttMs: undefined, movedAt: Number.NEGATIVE_INFINITY };
      this.#tracks.set(session.id, track);
    }
    track.lastRttMs = rtt;
    if (rtt <= session.budgetMs * (1 + this.#options.tolerance)) {
      track.over = 0;
      return;
    }
    track.over++;
    const now = this.#options.now();
    if (track.over < this.#options.overBudgetChecks || now - track.movedAt < this.#options.cooldownMs) return;
    const candidate = this.#options.alternative(session.id, nodeId);
    if (!candidate || candidate.rttMs === undefined) return;
    // Like for like: relayed media would reach the candidate over the same player↔gateway leg plus its own
    // hop, so that is its path RTT; only without a relay is its probed (direct) RTT the path.
    const candidateHop = this.#options.relayHopMs(candidate.nodeId);
    const candidateRtt = candidateHop === undefined ? candidate.rttMs : stats.rttMs + candidateHop;
    // A move freezes the picture: only for a path that would be within budget, not merely a bit better.
    if (candidateRtt >= rtt || candidateRtt > session.budgetMs * (1 + this.#options.tolerance)) return;
    log.info(
      {
        sessionId: session.id,
        nodeId,
        rttMs: rtt,
        budgetMs: session.budgetMs,
        to: candidate.nodeId,
        toRttMs: candidateRtt,
      },
      'session over its latency budget; moving it',
    );
    track.over = 0;
    track.movedAt = now;
    this.#options.migrate(session.id);
  }
}
