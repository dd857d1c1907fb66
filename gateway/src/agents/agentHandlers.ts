import { type AnyMessage, FramewayError, MessageType } from '@frameway/protocol';
import type { AgentLink } from './AgentLink.js';

/** Incoming messages from one agent, already validated by the signaling channel. */
export function handleAgentMessage(link: AgentLink, message: AnyMessage): void {
  switch (message.t) {
    case MessageType.AgentRegister: {
      if (link.nodeId !== undefined) {
        link.channel.replyError(message.id, new FramewayError('FW_ERR_INVALID_STATE', 'agent is already registered'));
        return;
      }
      try {
        const { nodeId, heartbeatIntervalMs } = link.options.onRegister(link, message.p);
        link.markRegistered(nodeId);
        link.channel.reply(message, MessageType.AgentRegistered, { nodeId, heartbeatIntervalMs });
      } catch (error) {
        const fwError = error instanceof FramewayError ? error : new FramewayError('FW_ERR_INTERNAL', String(error));
        link.channel.replyError(message.id, fwError);
        link.close(4003, fwError.code);
      }
      return;
    }
    case MessageType.AgentHeartbeat:
      link.options.onHeartbeat(link, message.p);
      return;
    case MessageType.AgentSessionEnded:
      link.reportSessionEnded(message.p.sessionId, message.p.reason, message.p.message);
      return;
    case MessageType.Ping:
      link.channel.reply(message, MessageType.Pong, { ts: message.p.ts });
      return;
    case MessageType.Error:
      link.log.warn({ code: message.p.code, msg: message.p.message }, 'agent reported an error');
      return;
    default:
      link.channel.replyError(
        message.id,
        new FramewayError('FW_ERR_UNEXPECTED_MESSAGE', `message type ${message.t} is not handled from agents`),
      );
  }
}
