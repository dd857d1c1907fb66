import { afterEach, describe, expect, it, vi } from 'vitest';
import { FramewayError } from '../errors/FramewayError.js';
import type { AnyMessage } from './envelope.js';
import { AgentToGateway, GatewayToAgent, MessageType } from './messageTypes.js';
import { SignalingChannel } from './SignalingChannel.js';

/** Two channels wired back to back, like an agent and a gateway over a socket. */
function pair() {
  const gatewayInbox: AnyMessage[] = [];
  const agentInbox: AnyMessage[] = [];
  const errors: FramewayError[] = [];
  let gateway!: SignalingChannel;
  const agent: SignalingChannel = new SignalingChannel({
    send: (text) => gateway.receive(text),
    accepts: GatewayToAgent,
    onMessage: (m) => agentInbox.push(m),
    requestTimeoutMs: 200,
  });
  gateway = new SignalingChannel({
    send: (text) => agent.receive(text),
    accepts: AgentToGateway,
    onMessage: (m) => gatewayInbox.push(m),
    onProtocolError: (e) => errors.push(e),
  });
  return { agent, gateway, agentInbox, gatewayInbox, errors };
}

const registration = {
  agentId: 'agent-1',
  secret: 's3cret',
  version: '0.1.0',
  slots: 1,
  runtimes: ['scene' as const],
  encoders: [{ codec: 'h264' as const, name: 'libx264', hardware: false }],
  gpus: [],
};

afterEach(() => {
  vi.useRealTimers();
});

describe('SignalingChannel', () => {
  it('resolves a request with the typed reply payload', async () => {
    const { agent, gateway, gatewayInbox } = pair();
    const replied = agent.request(MessageType.AgentRegister, registration);
    const request = gatewayInbox[0]!;
    expect(request.t).toBe(MessageType.AgentRegister);
    gateway.reply(request, MessageType.AgentRegistered, { nodeId: 'agent-1', heartbeatIntervalMs: 1000 });
    await expect(replied).resolves.toEqual({ nodeId: 'agent-1', heartbeatIntervalMs: 1000 });
    expect(agent.pendingRequests).toBe(0);
  });

  it('rejects a request with the typed error the peer answered', async () => {
    const { agent, gateway, gatewayInbox } = pair();
    const replied = agent.request(MessageType.AgentRegister, registration);
    gateway.replyError(gatewayInbox[0]!.id, new FramewayError('FW_ERR_UNAUTHORIZED', 'bad secret'));
    await expect(replied).rejects.toMatchObject({ code: 'FW_ERR_UNAUTHORIZED', message: 'bad secret' });
  });

  it('times out a request nobody answers with FW_ERR_TIMEOUT', async () => {
    vi.useFakeTimers();
    const { agent } = pair();
    const replied = agent.request(MessageType.AgentRegister, registration, 50);
    const assertion = expect(replied).rejects.toMatchObject({ code: 'FW_ERR_TIMEOUT' });
    await vi.advanceTimersByTimeAsync(60);
    await assertion;
  });

  it('fails every pending request with FW_ERR_CONNECTION_CLOSED when closed', async () => {
    const { agent } = pair();
    const silent = new SignalingChannel({ send: () => {}, accepts: GatewayToAgent, onMessage: () => {} });
    const a = silent.request(MessageType.AgentRegister, registration);
    const b = silent.request(MessageType.Ping, { ts: 1 });
    silent.close('socket gone');
    await expect(a).rejects.toMatchObject({ code: 'FW_ERR_CONNECTION_CLOSED' });
    await expect(b).rejects.toMatchObject({ code: 'FW_ERR_CONNECTION_CLOSED' });
    await expect(silent.request(MessageType.Ping, { ts: 2 })).rejects.toMatchObject({
      code: 'FW_ERR_CONNECTION_CLOSED',
    });
    agent.close();
  });

  it('answers a malformed frame with an error reply and keeps working', async () => {
    const sent: string[] = [];
    const errors: FramewayError[] = [];
    const channel = new SignalingChannel({
      send: (text) => sent.push(text),
      accepts: AgentToGateway,
      onMessage: () => {},
      onProtocolError: (e) => errors.push(e),
    });
    channel.receive('not json');
    channel.receive('{"t":100,"id":4,"p":{}}');
    expect(errors.map((e) => e.code)).toEqual(['FW_ERR_BAD_MESSAGE', 'FW_ERR_INVALID_PAYLOAD']);
    expect(JSON.parse(sent[1]!)).toMatchObject({ t: MessageType.Error, id: 4, p: { code: 'FW_ERR_INVALID_PAYLOAD' } });
    expect(channel.closed).toBe(false);
  });

  it('refuses message types the remote side may not send', () => {
    const { gateway, gatewayInbox, errors } = pair();
    gateway.receive(JSON.stringify({ t: MessageType.KeyframeRequest, p: { sessionId: 's1' } }));
    expect(gatewayInbox).toHaveLength(0);
    expect(errors.map((e) => e.code)).toContain('FW_ERR_UNEXPECTED_MESSAGE');
  });

  it('rejects a reply of the wrong type', async () => {
    const { agent, gateway, gatewayInbox } = pair();
    const replied = agent.request(MessageType.AgentRegister, registration);
    gateway.reply(gatewayInbox[0]!, MessageType.Ack, {});
    await expect(replied).rejects.toMatchObject({ code: 'FW_ERR_UNEXPECTED_MESSAGE' });
  });

  it('closes itself when the transport throws on send', async () => {
    const channel = new SignalingChannel({
      send: () => {
        throw new Error('socket is closed');
      },
      accepts: GatewayToAgent,
      onMessage: () => {},
    });
    await expect(channel.request(MessageType.Ping, { ts: 1 })).rejects.toMatchObject({
      code: 'FW_ERR_CONNECTION_CLOSED',
    });
    expect(channel.closed).toBe(true);
  });
});
