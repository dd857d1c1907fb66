import { describe, expect, it } from 'vitest';
import { NetworkCoordinates } from '../latency/NetworkCoordinates.js';
import { createRandom } from '../random/createRandom.js';
import { nodeRecord } from '../testing/nodeRecord.js';
import { FleetIndex } from './FleetIndex.js';
import { PlacementEngine } from './PlacementEngine.js';
import { newPlayerLatencyState, ProbePlanner } from './ProbePlanner.js';

/** Nodes at x on a line (height 1 ms), so a player at the origin is x + 2 ms from each. */
function planner(positions: Record<string, number>, options: { latencyBandMs?: number; learning?: number } = {}) {
  const coordinates = new NetworkCoordinates({ random: createRandom(1) });
  const index = new FleetIndex({ coordinates });
  for (const [id, x] of Object.entries(positions)) {
    index.sync(nodeRecord(id));
    coordinates.set(id, { vec: [x, 0, 0, 0], height: 1, error: 0.1 });
  }
  const engine = new PlacementEngine({ index, now: () => 0, random: createRandom(2) });
  const probePlanner = new ProbePlanner({
    engine,
    shortlistSize: 4,
    landmarkCount: 3,
    latencyBandMs: options.latencyBandMs ?? 5,
    playerLearningWeight: options.learning ?? 0,
  });
  const query = engine.compile({ runtime: 'scene', codec: 'h264', budgetMs: 30 });
  /** Probe results as the player would send them for `targets`, from the line geometry. */
  const answer = (targets: readonly { nodeId: string }[]) =>
    targets.map(({ nodeId }) => {
      const rtt = Math.abs(positions[nodeId]!) + 2;
      return { id: nodeId, rttMs: rtt + 1, minRttMs: rtt, jitterMs: 0.5, sent: 3, received: 3 };
    });
  return { planner: probePlanner, coordinates, query, answer };
}

describe('ProbePlanner', () => {
  it('starts a player nobody has located with landmarks, then the nodes its fitted coordinate predicts nearest', () => {
    const p = planner({ w1: 0, w2: 40, w3: 80, w4: 120, w5: 160, w6: 2 });
    const state = newPlayerLatencyState(0);
    const first = p.planner.nextTargets(p.query, state, false);
    expect(first).toHaveLength(3);
    expect(first.every((c) => Number.isNaN(c.predictedMs))).toBe(true);
    p.planner.absorb(state, first, p.answer(first), 10);
    expect(state).toMatchObject({ rounds: 1, probes: 3, measuredAt: 10 });
    // The fitted coordinate predicts what the landmarks measured.
    const predicted = [...state.measured.keys()].map((slot) => p.coordinates.predict(state.point!, slot));
    expect(predicted).toEqual([...state.measured.values()].map((rtt) => expect.closeTo(rtt, 1)));
    const second = p.planner.nextTargets(p.query, state, false);
    const firstIds = new Set(first.map((c) => c.nodeId));
    expect(second.length).toBeGreaterThan(0);
    expect(second.some((c) => firstIds.has(c.nodeId))).toBe(false); // nothing is probed twice
  });

  it('keeps the smallest sample of a result, and ignores empty results and nodes it did not ask about', () => {
    const p = planner({ a: 10, b: 20 });
    const state = newPlayerLatencyState(0);
    const targets = p.planner.nextTargets(p.query, state, false);
    p.planner.absorb(
      state,
      targets,
      [
        { id: 'a', rttMs: 15, minRttMs: 12, jitterMs: 1, sent: 3, received: 3 },
        { id: 'b', sent: 3, received: 0 },
        { id: 'stranger', rttMs: 1, minRttMs: 1, sent: 3, received: 3 },
      ],
      0,
    );
    expect([...state.measured]).toEqual([[p.coordinates.slotOf('a')!, 12]]);
    expect(p.coordinates.slotOf('stranger')).toBeUndefined();
  });

  it('settles at once on a fitting node in the lowest latency band, otherwise only after a refining round', () => {
    const p = planner({ near: 1, mid: 12, far: 100 });
    const state = newPlayerLatencyState(0);
    const targets = p.planner.nextTargets(p.query, state, false);
    p.planner.absorb(state, targets, p.answer(targets), 0);
    expect(p.planner.settled(p.query, state)).toBe(true); // near: 3 ms < 5 ms band

    const q = planner({ mid: 12, far: 100 });
    const other = newPlayerLatencyState(0);
    const landmarks = q.planner.nextTargets(q.query, other, false);
    q.planner.absorb(other, landmarks, q.answer(landmarks), 0);
    expect(q.planner.settled(q.query, other)).toBe(false); // mid fits (14 ms) but nobody looked around it yet
    q.planner.nextTargets(q.query, other, false);
    expect(other.refined).toBe(true);
    expect(q.planner.settled(q.query, other)).toBe(true);
  });

  it('nudges the measured nodes towards what the player saw only when learning is on', () => {
    const still = planner({ a: 10, b: 20, c: 30 });
    const moving = planner({ a: 10, b: 20, c: 30 }, { learning: 0.5 });
    for (const p of [still, moving]) {
      const state = newPlayerLatencyState(0);
      const targets = p.planner.nextTargets(p.query, state, false);
      // The player sees a 5 ms slower path to a than the coordinates say.
      const results = p.answer(targets).map((r) => (r.id === 'a' ? { ...r, minRttMs: r.minRttMs + 5 } : r));
      p.planner.absorb(state, targets, results, 0);
    }
    expect(still.coordinates.get('a')).toEqual({ vec: [10, 0, 0, 0], height: 1, error: 0.1 });
    expect(moving.coordinates.get('a')).not.toEqual({ vec: [10, 0, 0, 0], height: 1, error: 0.1 });
  });
});
