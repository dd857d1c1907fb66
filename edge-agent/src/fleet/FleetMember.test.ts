import {
  type AnyMessage,
  agentChallengeMessage,
  MessageType,
  type PayloadOf,
  type SignalingChannel,
} from '@frameway/protocol';
import * as v from 'valibot';
import { verifyMessage } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { NodeKey } from '../identity/NodeKey.js';
import { FleetMember } from './FleetMember.js';
import { AgentFleetConfigSchema } from './fleetConfig.js';

const members: FleetMember[] = [];
afterEach(async () => {
  await Promise.all(members.splice(0).map((member) => member.close()));
});

function member(config: v.InferInput<typeof AgentFleetConfigSchema> = {}, gatewayUrl = 'ws://127.0.0.1:8080/ws/agent') {
  const m = new FleetMember({
    agentId: 'agent-1',
    gatewayUrl,
    config: v.parse(AgentFleetConfigSchema, config),
    key: NodeKey.ephemeral(),
  });
  members.push(m);
  return m;
}

/** The agent's end of the gateway link, recording replies and requests. */
function gatewayLink() {
  const replies: { request: AnyMessage; t: number; p: unknown }[] = [];
  const requests: { t: number; p: unknown }[] = [];
  const channel = {
    reply: (request: AnyMessage, t: number, p: unknown) => replies.push({ request, t, p }),
    request: async (t: number, p: unknown) => {
      requests.push({ t, p });
      return {};
    },
  } as unknown as SignalingChannel;
  return { channel, replies, requests };
}

const challenge = { nonce: `0x${'ab'.repeat(32)}`, gateway: 'http://127.0.0.1:8080' };
const challengeMessage = { t: MessageType.AgentChallenge, p: challenge } as AnyMessage;

describe('FleetMember', () => {
  it('signs the gateway’s challenge with its node key into the registration, with location, price and stake', async () => {
    const m = member({
      location: { country: 'DE', city: 'Berlin', lat: 52.52, lon: 13.4 },
      pricePerBlock: 1.5,
      stakeWei: '1000',
      encoderSessions: 3,
      probe: { enabled: false },
    });
    const { channel } = gatewayLink();
    const fields = m.registrationFields(channel); // waits for the challenge
    m.handleMessage(challengeMessage, channel);
    const registration = await fields;
    expect(registration).toMatchObject({
      location: { country: 'DE', city: 'Berlin', lat: 52.52, lon: 13.4 },
      pricePerBlock: 1.5,
      stakeWei: '1000',
      encoderSessions: 3,
      identity: { address: m.key.address, nonce: challenge.nonce },
    });
    expect(registration.probeUrl).toBeUndefined();
    const message = agentChallengeMessage({ ...challenge, agentId: 'agent-1' });
    await expect(
      verifyMessage({ address: m.key.address, message, signature: registration.identity!.signature as `0x${string}` }),
    ).resolves.toBe(true);
  });

  it('uses a challenge that arrived before registration, once', async () => {
    const m = member({ probe: { enabled: false }, challengeWaitMs: 1 });
    const { channel } = gatewayLink();
    m.handleMessage(challengeMessage, channel);
    expect((await m.registrationFields(channel)).identity?.nonce).toBe(challenge.nonce);
    expect((await m.registrationFields(channel)).identity).toBeUndefined();
  });

  it('registers unsigned when the gateway sends no challenge in time (an older gateway)', async () => {
    const m = member({ probe: { enabled: false }, challengeWaitMs: 1 });
    const registration = await m.registrationFields(gatewayLink().channel);
    expect(registration).toEqual({});
  });

  it('serves its probe echo on loopback when the gateway is on loopback, and registers its URL', async () => {
    const m = member({ probe: { port: 0 } });
    await m.start();
    expect(m.probeUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/probe$/);
    const socket = new WebSocket(m.probeUrl!);
    const echo = await new Promise<string>((resolve, reject) => {
      socket.once('open', () => socket.send('42'));
      socket.once('message', (data) => resolve(String(data)));
      socket.once('error', reject);
    });
    socket.terminate();
    expect(echo).toBe('42');
    const m2 = member({ probe: { port: 0, publicUrl: 'wss://node.example/probe' }, challengeWaitMs: 1 });
    await m2.start();
    expect(m2.probeUrl).toBe('wss://node.example/probe');
    expect((await m2.registrationFields(gatewayLink().channel)).probeUrl).toBe('wss://node.example/probe');
  });

  it('answers a fleet probe request with what it measured', async () => {
    const m = member({ probe: { port: 0 } });
    await m.start();
    const { channel, replies } = gatewayLink();
    const request = {
      t: MessageType.FleetProbeRequest,
      id: 7,
      p: { targets: [{ id: 'self', url: m.probeUrl! }], samples: 2, timeoutMs: 5000 },
    } as AnyMessage;
    m.handleMessage(request, channel);
    await new Promise<void>((resolve) => {
      const check = () => (replies.length > 0 ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(replies[0]!.request).toBe(request);
    expect(replies[0]!.t).toBe(MessageType.FleetProbeResults);
    const { results } = replies[0]!.p as PayloadOf<typeof MessageType.FleetProbeResults>;
    expect(results).toEqual([expect.objectContaining({ id: 'self', sent: 2, received: 2 })]);
  });

  it('follows the drain state the gateway reports, telling listeners only of changes', async () => {
    const m = member({ probe: { enabled: false } });
    const { channel, requests } = gatewayLink();
    const changes: boolean[] = [];
    m.on('drainChanged', (draining) => changes.push(draining));
    const state = (draining: boolean) =>
      ({ t: MessageType.NodeDrainState, p: { nodeId: 'agent-1', draining } }) as AnyMessage;
    m.handleMessage(state(true), channel);
    m.handleMessage(state(true), channel);
    expect(m.draining).toBe(true);
    m.handleMessage(state(false), channel);
    expect(changes).toEqual([true, false]);

    await m.requestDrain(channel, true, 'SIGUSR2');
    expect(requests).toEqual([{ t: MessageType.NodeDrain, p: { draining: true, reason: 'SIGUSR2' } }]);
    expect(m.draining).toBe(true);
    expect(changes).toEqual([true, false, true]);
  });
});
