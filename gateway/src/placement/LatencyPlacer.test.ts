import {
  FramewayError,
  GatewayToPlayer,
  MessageType,
  type PayloadOf,
  PlayerToGateway,
  SignalingChannel,
} from '@frameway/protocol';
import { describe, expect, it, vi } from 'vitest';
import { NetworkCoordinates } from '../latency/NetworkCoordinates.js';
import { createRandom } from '../random/createRandom.js';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { Session, type SessionSpec } from '../sessions/Session.js';
import { nodeRecord } from '../testing/nodeRecord.js';
import { sessionSpec } from '../testing/sessionSpec.js';
import { FleetIndex } from './FleetIndex.js';
import { LatencyPlacer } from './LatencyPlacer.js';
import { PlacementEngine } from './PlacementEngine.js';
import { PlacementQueue } from './PlacementQueue.js';
import type { PlacementRequest, PlayerProber } from './Placer.js';

/** Nodes on a line: a node at `x` is x + 2 ms from a player at the origin (1 ms access link each side). */
interface LineNode {
  id: string;
  x: number;
  patch?: Partial<NodeRecord>;
}

function fleet(nodes: readonly LineNode[], queue?: PlacementQueue) {
  const coordinates = new NetworkCoordinates({ random: createRandom(1) });
  const index = new FleetIndex({ coordinates });
  for (const node of nodes) {
    index.sync(nodeRecord(node.id, node.patch));
    coordinates.set(node.id, { vec: [node.x, 0, 0, 0], height: 1, error: 0.1 });
  }
  const engine = new PlacementEngine({ index, now: () => 0, random: createRandom(2) });
  const placer = new LatencyPlacer({ engine, queue, now: () => 0 });
  const rttTo = (nodeId: string): number | undefined => {
    const node = nodes.find((n) => n.id === nodeId);
    return node === undefined ? undefined : Math.abs(node.x) + 2;
  };
  return { index, engine, placer, rttTo };
}

/** What placement is told about a session: plain data, no live session. */
function session(patch: Partial<SessionSpec> = {}): PlacementRequest {
  const spec = sessionSpec(patch);
  return {
    id: spec.id,
    playerId: spec.playerId,
    runtime: spec.runtime,
    codec: spec.video.codec,
    latencyBudgetMs: spec.latencyBudgetMs,
    regions: spec.regions,
  };
}

type ProbeRequest = PayloadOf<typeof MessageType.ProbeRequest>;
type QueuePosition = PayloadOf<typeof MessageType.QueuePosition>;

/**
 * A player at the end of a real signaling channel pair: it answers probe
 * requests from `rttTo` (or, like an old SDK, refuses them) and records
 * queue positions.
 */
function fakePlayer(rttTo: (nodeId: string) => number | undefined, options: { probes?: boolean } = {}) {
  const requests: ProbeRequest[] = [];
  const positions: QueuePosition[] = [];
  const hooks: { onProbe?: () => void } = {};
  let gateway: SignalingChannel | undefined;
  const player: SignalingChannel = new SignalingChannel({
    send: (text) => queueMicrotask(() => gateway?.receive(text)),
    accepts: GatewayToPlayer,
    onMessage: (message) => {
      if (message.t === MessageType.QueuePosition) positions.push(message.p);
      if (message.t !== MessageType.ProbeRequest) return;
      requests.push(message.p);
      hooks.onProbe?.();
      if (options.probes === false) {
        player.replyError(message.id, new FramewayError('FW_ERR_UNEXPECTED_MESSAGE', 'this SDK does not probe'));
        return;
      }
      const { samples } = message.p;
      player.reply(message, MessageType.ProbeResults, {
        results: message.p.targets.map(({ id }) => {
          const rtt = rttTo(id);
          return rtt === undefined
            ? { id, sent: samples, received: 0 }
            : { id, rttMs: rtt + 0.5, minRttMs: rtt, jitterMs: 0.2, sent: samples, received: samples };
        }),
      });
    },
  });
  gateway = new SignalingChannel({
    send: (text) => queueMicrotask(() => player.receive(text)),
    accepts: PlayerToGateway,
    onMessage: () => {},
  });
  const channel = gateway;
  const link: PlayerProber & { acceptOverBudget: boolean } = {
    get closed() {
      return channel.closed;
    },
    acceptOverBudget: false,
    probe: (request, timeoutMs) => channel.request(MessageType.ProbeRequest, request, timeoutMs),
    queuePosition: (sessionId, update) => channel.notify(MessageType.QueuePosition, { sessionId, ...update }),
  };
  return { link, requests, positions, hooks };
}

async function rejection(promise: Promise<unknown>): Promise<FramewayError> {
  try {
    await promise;
  } catch (error) {
    return error as FramewayError;
  }
  throw new Error('expected a rejection');
}

const line: LineNode[] = [
  { id: 'a', x: 5 },
  { id: 'b', x: 15 },
  { id: 'c', x: 80 },
];

describe('LatencyPlacer', () => {
  it('has the player probe the nodes and places it on the nearest one within budget', async () => {
    const f = fleet(line);
    const player = fakePlayer(f.rttTo);
    const s = session();
    await expect(f.placer.place(s, player.link)).resolves.toBe('a');
    expect(player.requests[0]).toMatchObject({ round: 1, samples: 5, timeoutMs: 1500 });
    expect(player.requests[0]!.targets.map((t) => t.id).sort()).toEqual(['a', 'b', 'c']);
    expect(player.requests[0]!.targets.find((t) => t.id === 'a')?.url).toBe('ws://127.0.0.1:1/probe/a');
    const state = f.placer.stateOf(s.id)!;
    // The minimum of the samples is the path's RTT.
    expect(Object.fromEntries([...state.measured].map(([slot, rtt]) => [f.index.coordinates.idOf(slot), rtt]))).toEqual(
      { a: 7, b: 17, c: 82 },
    );
    // The fitted coordinate predicts what the player measured.
    const predicted = [...state.measured.keys()].map((slot) => f.index.coordinates.predict(state.point!, slot));
    expect(predicted).toEqual([...state.measured.values()].map((rtt) => expect.closeTo(rtt, 1)));
  });

  it('fails with FW_ERR_NO_NODE_IN_BUDGET naming the nearest free node when none is within the budget', async () => {
    const f = fleet([
      { id: 'far', x: 50 },
      { id: 'farther', x: 90 },
    ]);
    const error = await rejection(f.placer.place(session({ latencyBudgetMs: 30 }), fakePlayer(f.rttTo).link));
    expect(error).toBeInstanceOf(FramewayError);
    expect(error.code).toBe('FW_ERR_NO_NODE_IN_BUDGET');
    expect(error.details).toMatchObject({
      budgetMs: 30,
      reason: 'over_budget',
      best: { nodeId: 'far', rttMs: 52, source: 'measured' },
    });
    expect(error.message).toContain('nearest free node far at 52.0 ms');
  });

  it('fails with FW_ERR_NO_CAPACITY, before any probe, when no node offers the runtime', async () => {
    const f = fleet(line);
    const player = fakePlayer(f.rttTo);
    const error = await rejection(f.placer.place(session({ runtime: 'x11' }), player.link));
    expect(error.code).toBe('FW_ERR_NO_CAPACITY');
    expect(player.requests).toEqual([]);
  });

  it('places a player who accepts an over-budget node on the nearest free one, and only then', async () => {
    const f = fleet([
      { id: 'far', x: 50 },
      { id: 'farther', x: 90 },
      { id: 'full', x: 40, patch: { slots: 1, reservedSessions: 1 } },
    ]);
    const accepting = fakePlayer(f.rttTo);
    (accepting.link as { acceptOverBudget: boolean }).acceptOverBudget = true;
    await expect(f.placer.place(session({ id: 'yes' }), accepting.link)).resolves.toBe('far');
    const refusing = fakePlayer(f.rttTo);
    (refusing.link as { acceptOverBudget: boolean }).acceptOverBudget = false;
    const error = await rejection(f.placer.place(session({ id: 'no' }), refusing.link));
    expect(error.code).toBe('FW_ERR_NO_NODE_IN_BUDGET');
  });

  it('without a queue, fails when only full nodes are within the budget', async () => {
    const f = fleet([
      { id: 'near', x: 5, patch: { slots: 1, reservedSessions: 1 } },
      { id: 'far', x: 60 },
    ]);
    const error = await rejection(f.placer.place(session(), fakePlayer(f.rttTo).link));
    expect(error.code).toBe('FW_ERR_NO_NODE_IN_BUDGET');
    expect(error.details).toMatchObject({ reason: 'full_in_budget', best: { nodeId: 'far', rttMs: 62 } });
  });

  it('with a queue, has the player wait with position updates until a node within budget frees up', async () => {
    const queue = new PlacementQueue({ maxLength: 10, maxWaitMs: 60_000, retryIntervalMs: 3_600_000, now: () => 0 });
    const f = fleet(
      [
        { id: 'near', x: 5, patch: { slots: 1, reservedSessions: 1 } },
        { id: 'far', x: 60 },
      ],
      queue,
    );
    const player = fakePlayer(f.rttTo);
    const placed = f.placer.place(session(), player.link);
    await vi.waitFor(() => expect(queue.length).toBe(1), { timeout: 5000 });
    await vi.waitFor(() => expect(player.positions).toHaveLength(1), { timeout: 5000 });
    expect(player.positions[0]).toEqual({
      sessionId: 's1',
      position: 1,
      queueLength: 1,
      waitedMs: 0,
      remainingMs: 60_000,
    });
    queue.retry(); // still full
    expect(queue.length).toBe(1);
    f.index.sync(nodeRecord('near', { slots: 1, reservedSessions: 0 }));
    queue.kick();
    await expect(placed).resolves.toBe('near');
    queue.close();
  });

  it('places a player that cannot probe on what its coordinate from a previous session predicts', async () => {
    const f = fleet(line);
    await f.placer.place(session({ id: 's1' }), fakePlayer(f.rttTo).link);
    f.index.sync(nodeRecord('a', { slots: 1, reservedSessions: 1 }));
    const oldSdk = fakePlayer(f.rttTo, { probes: false });
    const s2 = session({ id: 's2' });
    await expect(f.placer.place(s2, oldSdk.link)).resolves.toBe('b');
    expect(oldSdk.requests).toHaveLength(1);
    expect(f.placer.stateOf(s2.id)).toMatchObject({ cannotProbe: true });
  });

  it('fails over to the best node measured at placement, excluding the one being left', async () => {
    const f = fleet(line);
    const s = session();
    await f.placer.place(s, fakePlayer(f.rttTo).link);
    await expect(f.placer.replace(s, { reason: 'node_lost', exclude: ['a'], player: undefined })).resolves.toBe('b');
    const error = await rejection(f.placer.replace(s, { reason: 'node_lost', exclude: ['a', 'b'], player: undefined }));
    expect(error.code).toBe('FW_ERR_NO_NODE_IN_BUDGET');
    expect(error.details).toMatchObject({ best: { nodeId: 'c', rttMs: 82 } });
  });

  it('offers an alternative node within budget for a degraded session, never the current one', async () => {
    const f = fleet(line);
    const s = session();
    await f.placer.place(s, fakePlayer(f.rttTo).link);
    expect(f.placer.alternative(s, ['a'])).toMatchObject({ placed: true, nodeId: 'b', rttMs: 17, source: 'measured' });
    f.placer.forget(s.id);
    expect(f.placer.stateOf(s.id)).toBeUndefined();
  });

  it('stops placing when the session ends while the player probes', async () => {
    const f = fleet(line);
    const player = fakePlayer(f.rttTo);
    const s = new Session(sessionSpec(), 1, 0);
    player.hooks.onProbe = () => s.end({ reason: 'player_left' }, 0);
    const error = await rejection(f.placer.place(s.placementRequest(), player.link));
    expect(error.code).toBe('FW_ERR_SESSION_ENDED');
  });
});

describe('LatencyPlacer failover onto nodes whose coordinates never learned', () => {
  /**
   * A session placed on `seed` (the only node then: the player's coordinate
   * is fitted from it), then nodes a, b, c join (learned at `learnedAt`, or
   * coordinates that never learned: all at the origin, so they predict alike),
   * then `seed` fails.
   */
  async function failover(learnedAt?: Record<'a' | 'b' | 'c', number>) {
    const f = fleet([{ id: 'seed', x: 5 }]);
    const s = session();
    await expect(f.placer.place(s, fakePlayer(f.rttTo).link)).resolves.toBe('seed');
    for (const id of ['a', 'b', 'c'] as const) {
      f.index.sync(nodeRecord(id));
      if (learnedAt) f.index.coordinates.set(id, { vec: [learnedAt[id], 0, 0, 0], height: 1, error: 0.1 });
    }
    f.index.sync(nodeRecord('seed', { status: 'down' }));
    const coordinates = f.index.coordinates;
    expect(['a', 'b', 'c'].map((id) => coordinates.isKnown(coordinates.slotOf(id)!))).toEqual([
      !!learnedAt,
      !!learnedAt,
      !!learnedAt,
    ]);
    const replace = (player: PlayerProber | undefined) =>
      f.placer.replace(s, { reason: 'node_lost', exclude: ['seed'], player });
    return { f, s, replace };
  }

  it('has the player probe once and places on the lowest measured RTT, not on the guess', async () => {
    const { f, s, replace } = await failover();
    // Without the player, the guess: every unlearned node predicts the same RTT, the node id decides.
    await expect(replace(undefined)).resolves.toBe('a');
    const rtts: Record<string, number> = { a: 27, b: 14, c: 6 };
    const player = fakePlayer((id) => rtts[id]);
    await expect(replace(player.link)).resolves.toBe('c');
    expect(player.requests).toHaveLength(1);
    expect(player.requests[0]!.targets.map((t) => t.id).sort()).toEqual(['a', 'b', 'c']);
    const measured = f.placer.stateOf(s.id)!.measured;
    expect(measured.get(f.index.coordinates.slotOf('c')!)).toBe(6);
  });

  it('keeps the predicted choice when the probe round places nothing', async () => {
    const { replace } = await failover();
    const player = fakePlayer(() => undefined); // every probe is lost
    await expect(replace(player.link)).resolves.toBe('a');
    expect(player.requests).toHaveLength(1);
  });

  it('places on the prediction, without a probe, when the predicted node has a learned coordinate', async () => {
    const { replace } = await failover({ a: 60, b: 6, c: 90 });
    const player = fakePlayer((id) => ({ a: 3, b: 20, c: 3 })[id]);
    await expect(replace(player.link)).resolves.toBe('b');
    expect(player.requests).toEqual([]);
  });
});
