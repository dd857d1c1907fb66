import { type AnyMessage, FramewayError, MessageType } from '@frameway/protocol';
import type { AgentLink } from './AgentLink.js';

/** Incoming messages from one agent, already validated by the signaling channel. */
export function handleAgentMessage(link: AgentLink, message: AnyMessage): void {
  switch (message.t) {
    case MessageType.AgentRegister: {
      if (link.nodeId !== undefined || link.registering) {
        link.channel.replyError(message.id, new FramewayError('FW_ERR_INVALID_STATE', 'agent is already registered'));
        return;
      }
      link.registering = true;
      const request = message;
      Promise.resolve()
        .then(() => link.options.onRegister(link, request.p))
        .then(
          ({ nodeId, heartbeatIntervalMs }) => {
            link.registering = false;
            if (link.closed) return;
            link.markRegistered(nodeId);
            link.channel.reply(request, MessageType.AgentRegistered, { nodeId, heartbeatIntervalMs });
          },
          (error: unknown) => {
            link.registering = false;
            const fwError =
              error instanceof FramewayError ? error : new FramewayError('FW_ERR_INTERNAL', String(error));
            link.channel.replyError(request.id, fwError);
            link.close(4003, fwError.code);
          },
        );
      return;
    }
    case MessageType.NodeDrain: {
      try {
        if (!link.options.onDrain)
          throw new FramewayError('FW_ERR_FORBIDDEN', 'this gateway does not take drain requests');
        link.options.onDrain(link, message.p);
        link.channel.reply(message, MessageType.Ack, {});
      } catch (error) {
        const fwError = error instanceof FramewayError ? error : new FramewayError('FW_ERR_INTERNAL', String(error));
        link.channel.replyError(message.id, fwError);
      }
      return;
    }
    case MessageType.AgentHeartbeat:
      link.options.onHeartbeat(link, message.p);
      return;
    case MessageType.QosAgentReport: {
      const request = message;
      const qos = link.options.qos;
      const nodeId = link.nodeId as string;
      (qos
        ? qos.acceptAgentReport(nodeId, request.p)
        : Promise.reject(new FramewayError('FW_ERR_INVALID_STATE', 'the QoS ledger is off on this gateway'))
      ).then(
        () => link.channel.reply(request, MessageType.Ack, {}),
        (error: unknown) => {
          const fwError = error instanceof FramewayError ? error : new FramewayError('FW_ERR_INTERNAL', String(error));
          link.log.debug({ code: fwError.code, msg: fwError.message }, 'QoS report refused');
          link.channel.replyError(request.id, fwError);
        },
      );
      return;
    }
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
