import { encodeMessage, MessageType, PlayerToGateway, SignalingChannel } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { fakeSocket } from '../testing/fakeSocket.js';
import { PlayerApi } from './PlayerApi.js';

/** A PlayerApi over a gateway-side channel whose sent messages land in `sent`; `answer` feeds a reply back. */
function api() {
  const { connection, sent } = fakeSocket();
  const channel = new SignalingChannel({
    send: (text) => {
      connection.send(text);
    },
    accepts: PlayerToGateway,
    onMessage: () => {},
  });
  return { api: new PlayerApi(channel), channel, sent };
}

describe('PlayerApi', () => {
  it('tells the player about a failover, its message cut to the wire limit', () => {
    const { api: player, sent } = api();
    player.sessionFailover({
      sessionId: 's1',
      fromNodeId: 'a',
      toNodeId: 'b',
      reason: 'node_lost',
      message: 'x'.repeat(2000),
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      t: MessageType.SessionFailover,
      p: { sessionId: 's1', fromNodeId: 'a', toNodeId: 'b' },
    });
    expect((sent[0]!.p as { message: string }).message).toHaveLength(1024);
  });

  it('sends a queue position tagged with the session', () => {
    const { api: player, sent } = api();
    player.queuePosition('s1', { position: 2, queueLength: 3, waitedMs: 10, remainingMs: 990 });
    expect(sent).toEqual([
      {
        t: MessageType.QueuePosition,
        p: { sessionId: 's1', position: 2, queueLength: 3, waitedMs: 10, remainingMs: 990 },
      },
    ]);
  });

  it('sends a probe round as a request and resolves with the player’s results', async () => {
    const { api: player, channel, sent } = api();
    const request = { round: 1, targets: [{ id: 'a', url: 'ws://a/probe' }], samples: 3, timeoutMs: 500 };
    const results = player.probe(request, 1500);
    expect(sent[0]).toMatchObject({ t: MessageType.ProbeRequest, p: request });
    const reply = { results: [{ id: 'a', rttMs: 12, minRttMs: 11, jitterMs: 0.5, sent: 3, received: 3 }] };
    channel.receive(encodeMessage(MessageType.ProbeResults, reply, sent[0]!.id));
    await expect(results).resolves.toEqual(reply);
  });
});
