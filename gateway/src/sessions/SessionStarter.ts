import { FramewayError, SessionEndReason } from '@frameway/protocol';
import type { AgentApi } from '../agents/AgentApi.js';
import type { Session } from './Session.js';
import type { SessionMediaControl } from './SessionMediaControl.js';

/**
 * Why the gateway itself gave up starting a session on a node:
 * no_live_link: the node has no agent connected (it is as good as lost);
 * moved: the session moved to another node (failover) while this one started it.
 */
export type SessionStartFailure = 'no_live_link' | 'moved';

/** A start that failed on the gateway's side, with a typed reason (an agent's own refusal passes through as it came). */
export class SessionStartError extends FramewayError {
  readonly reason: SessionStartFailure;

  constructor(reason: SessionStartFailure, message: string) {
    super(reason === 'no_live_link' ? 'FW_ERR_AGENT_UNAVAILABLE' : 'FW_ERR_INVALID_STATE', message);
    this.reason = reason;
  }
}

export interface SessionStarterOptions {
  /** The outgoing door of a node's live agent link. */
  agentFor: (nodeId: string) => AgentApi | undefined;
  /** The session's media control loops, told what the started encoder can do. */
  mediaControlOf: (sessionId: string) => SessionMediaControl | undefined;
}

/** Asks a session's node to start it, sending RTP to the session's ingest. */
export class SessionStarter {
  readonly #options: SessionStarterOptions;

  constructor(options: SessionStarterOptions) {
    this.#options = options;
  }

  /** Rejects with a SessionStartError, or with the agent's FramewayError when it refused. */
  async start(session: Session): Promise<void> {
    const nodeId = session.nodeId!;
    const agent = this.#options.agentFor(nodeId);
    if (!agent) throw new SessionStartError('no_live_link', 'node has no live link');
    const route = session.route!;
    const started = await agent.startSession({
      sessionId: session.id,
      channel: session.channel,
      runtime: session.runtime,
      ...(session.spec.runtimeOptions ? { runtimeOptions: { ...session.spec.runtimeOptions } } : {}),
      video: session.video,
      rtp: route.ingest,
      ...(route.audioIngest ? { audioRtp: route.audioIngest } : {}),
    });
    // The session may have moved on (failover) or ended while the agent started it.
    if (session.ended || session.nodeId !== nodeId) {
      agent
        .stopSession(session.id, SessionEndReason.Terminated)
        .catch((error: unknown) => session.log.debug({ err: error }, 'stop of a superseded start failed'));
      if (session.ended) return;
      throw new SessionStartError('moved', 'the session moved while the node started it');
    }
    session.encoder = started.encoder;
    this.#options.mediaControlOf(session.id)?.encoderStarted(started.encoderControls);
    session.log.info({ encoder: started.encoder.name, controls: started.encoderControls }, 'agent started session');
  }

  /** Starts a freshly placed session; a failure ends it (a node with no live link counts as lost). */
  async startOrEnd(session: Session): Promise<void> {
    try {
      await this.start(session);
    } catch (error) {
      const fwError = error instanceof FramewayError ? error : new FramewayError('FW_ERR_INTERNAL', String(error));
      const lost = error instanceof SessionStartError && error.reason === 'no_live_link';
      session.end({
        reason: lost ? SessionEndReason.AgentLost : SessionEndReason.StartFailed,
        code: fwError.code,
        message: fwError.message,
      });
    }
  }
}
