import { type AnyMessage, FramewayError, MessageType, SessionEndReason } from '@frameway/protocol';
import type { PlayerTokens } from '../auth/PlayerTokens.js';
import type { PlayerQosHandler } from '../ledger/QosIntake.js';
import type { SessionManager } from '../sessions/SessionManager.js';
import type { PlayerLink } from './PlayerLink.js';

export interface PlayerContext {
  tokens: PlayerTokens;
  sessions: SessionManager;
  /** The QoS ledger: key binding and signed minute reports; absent = refused. */
  qos?: PlayerQosHandler | undefined;
}

/** Incoming messages from one player, already validated. Throws FramewayErrors that become Error replies. */
export async function handlePlayerMessage(link: PlayerLink, message: AnyMessage): Promise<void> {
  const { sessions, tokens } = link.context;
  switch (message.t) {
    case MessageType.PlayerJoin: {
      if (link.session) throw new FramewayError('FW_ERR_INVALID_STATE', 'already joined');
      const claims = tokens.verify(message.p.token);
      // A valid join is under way: placement (probe rounds, a queue) may take longer than the join timeout.
      link.joinStarted();
      link.acceptOverBudget = message.p.acceptOverBudget === true;
      let session: Awaited<ReturnType<typeof sessions.join>>;
      try {
        session = await sessions.join(link, claims);
      } catch (error) {
        link.joinFailed();
        throw error;
      }
      link.channel.reply(message, MessageType.PlayerJoined, {
        sessionId: session.id,
        iceServers: sessions.iceServers,
        video: { width: session.video.width, height: session.video.height, fps: session.video.fps },
      });
      link.api.sessionState(session.id, session.state, session.nodeId);
      return;
    }
    case MessageType.PlayerOffer: {
      const sdp = await sessions.answer(requireSession(link), message.p.sdp);
      link.channel.reply(message, MessageType.PlayerAnswer, { sdp });
      return;
    }
    case MessageType.IceCandidate:
      await sessions.addPlayerCandidate(requireSession(link), message.p);
      return;
    case MessageType.PlayerLeave: {
      const session = requireSession(link);
      link.channel.reply(message, MessageType.Ack, {});
      sessions.end(session.id, { reason: SessionEndReason.PlayerLeft });
      return;
    }
    case MessageType.QosBindKey: {
      const session = requireSession(link);
      if (message.p.sessionId !== session.id) throw new FramewayError('FW_ERR_FORBIDDEN', 'not your session');
      const start = await requireQos(link).bindClientKey(session.id, message.p.key, message.p.proof);
      link.channel.reply(message, MessageType.QosKeyBound, { sessionId: session.id, key: message.p.key });
      if (start) link.api.qosStart(start);
      return;
    }
    case MessageType.QosClientReport: {
      // A report may follow the session's end by a moment: judge it against the socket's session, ended or not.
      const session = link.session;
      if (!session) throw new FramewayError('FW_ERR_INVALID_STATE', 'join first');
      await requireQos(link).acceptClientReport(session.id, message.p);
      link.channel.reply(message, MessageType.Ack, {});
      return;
    }
    case MessageType.Ping:
      link.channel.reply(message, MessageType.Pong, { ts: message.p.ts });
      return;
    case MessageType.Error:
      link.log.debug({ code: message.p.code, msg: message.p.message }, 'player reported an error');
      return;
    default:
      throw new FramewayError('FW_ERR_UNEXPECTED_MESSAGE', `message type ${message.t} is not handled from players`);
  }
}

function requireQos(link: PlayerLink): PlayerQosHandler {
  const qos = link.context.qos;
  if (!qos) throw new FramewayError('FW_ERR_INVALID_STATE', 'the QoS ledger is off on this gateway');
  return qos;
}

function requireSession(link: PlayerLink) {
  const session = link.session;
  if (!session) throw new FramewayError('FW_ERR_INVALID_STATE', 'join first');
  if (session.ended) throw new FramewayError('FW_ERR_SESSION_ENDED', 'the session has ended');
  return session;
}
