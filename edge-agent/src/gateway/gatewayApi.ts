import { MessageType, type PayloadOf, type ReplyPayloadOf, type SignalingChannel } from '@frameway/protocol';

/**
 * Outgoing calls from the agent to the gateway. `register` awaits the reply;
 * the notifications do not (and are dropped when the link is down: the
 * gateway reconciles on the next registration).
 */
export function register(
  channel: SignalingChannel,
  payload: PayloadOf<typeof MessageType.AgentRegister>,
): Promise<ReplyPayloadOf<typeof MessageType.AgentRegister>> {
  return channel.request(MessageType.AgentRegister, payload);
}

export function sendHeartbeat(channel: SignalingChannel, payload: PayloadOf<typeof MessageType.AgentHeartbeat>): void {
  channel.notify(MessageType.AgentHeartbeat, payload);
}

export function notifySessionEnded(
  channel: SignalingChannel,
  payload: PayloadOf<typeof MessageType.AgentSessionEnded>,
): void {
  channel.notify(MessageType.AgentSessionEnded, payload);
}
