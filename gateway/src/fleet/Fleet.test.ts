import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentChallengeMessage, type MessageType, type PayloadOf } from '@frameway/protocol';
import * as v from 'valibot';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentLink } from '../agents/AgentLink.js';
import { type NodeRegistration, NodeRegistry } from '../registry/NodeRegistry.js';
import { type Db, openDatabase } from '../store/openDatabase.js';
import type { AgentChallenge } from './AgentIdentityVerifier.js';
import { Fleet } from './Fleet.js';
import { FleetConfigSchema, PlacementConfigSchema } from './fleetConfig.js';

const dirs: string[] = [];
const running: { fleet: Fleet; db: Db }[] = [];
afterEach(() => {
  for (const { fleet: f, db } of running.splice(0)) {
    f.close();
    db.close();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function registration(agentId: string, patch: Partial<NodeRegistration> = {}): NodeRegistration {
  return {
    agentId,
    version: '0.1.0',
    slots: 2,
    runtimes: ['scene'],
    encoders: [{ codec: 'h264', name: 'libx264', hardware: false }],
    gpus: [],
    probeUrl: `ws://127.0.0.1:1/probe/${agentId}`,
    ...patch,
  };
}

/** A fleet on a fake clock, with agents that only record the drain states the gateway sends them. */
function fleet(db: Db = openDatabase({ path: ':memory:' })) {
  const clock = { now: 1_000_000 };
  const now = () => clock.now;
  const registry = new NodeRegistry({ heartbeatTimeoutMs: 6000, now });
  const drainStates: [string, boolean][] = [];
  const agent = {
    api: { drainState: (nodeId: string, draining: boolean) => drainStates.push([nodeId, draining]) },
  } as unknown as AgentLink;
  const f = new Fleet({
    fleet: v.parse(FleetConfigSchema, {}),
    placement: v.parse(PlacementConfigSchema, {}),
    db,
    registry,
    gatewayName: () => 'http://127.0.0.1:8080',
    gatewayProbeUrl: () => undefined,
    agentFor: () => agent,
    now,
  });
  running.push({ fleet: f, db });
  const query = () => f.engine.compile({ runtime: 'scene', codec: 'h264', budgetMs: 30 });
  /** The node placement picks when the player measured every node at `rtt` ms. */
  const placeWith = (rtts: Record<string, number>) => {
    const measured = new Map(Object.entries(rtts).map(([id, rtt]) => [f.coordinates.slotOf(id)!, rtt]));
    const decision = f.engine.choose(query(), measured);
    return decision.placed ? decision.nodeId : undefined;
  };
  return { f, db, registry, clock, drainStates, placeWith };
}

describe('Fleet', () => {
  it('marks a node down once its heartbeats stop, and placement stops choosing it', () => {
    const { f, registry, clock, placeWith } = fleet();
    registry.register(registration('a'));
    registry.register(registration('b'));
    expect(placeWith({ a: 10, b: 5 })).toBe('b');
    clock.now += 4000;
    registry.heartbeat('a', { activeSessions: 0 });
    clock.now += 2001; // b: 6001 ms without a heartbeat
    expect(registry.sweep()).toEqual(['b']);
    expect(registry.get('b')?.status).toBe('down');
    expect(placeWith({ a: 10, b: 5 })).toBe('a');
    expect(f.store.events('b')[0]).toMatchObject({ kind: 'down', detail: 'heartbeat timeout' });
    clock.now += 6001;
    expect(registry.sweep()).toEqual(['a']);
    expect(placeWith({ a: 10, b: 5 })).toBeUndefined();
  });

  it('costs a node reputation when it goes down with sessions on it', () => {
    const { registry } = fleet();
    registry.register(registration('idle'));
    registry.register(registration('busy'));
    registry.reserve('busy');
    registry.markDown('idle', 'agent link closed');
    registry.markDown('busy', 'agent link closed');
    expect(registry.get('idle')).toMatchObject({ reputation: 0.5, sessionsFailed: 0 });
    expect(registry.get('busy')?.reputation).toBeLessThan(0.5);
    expect(registry.get('busy')?.sessionsFailed).toBe(1);
  });

  it('drains a node: it takes no new sessions, keeps the ones it has, and the drain outlives a reconnect', () => {
    const { f, registry, drainStates, placeWith } = fleet();
    registry.register(registration('a'));
    registry.register(registration('b'));
    registry.reserve('a');
    expect(f.drain('a', true, 'admin')).toBe(true);
    expect(drainStates).toEqual([['a', true]]);
    expect(registry.get('a')).toMatchObject({ status: 'draining', drainRequested: true, reservedSessions: 1 });
    expect(placeWith({ a: 1, b: 25 })).toBe('b');
    expect(() => registry.reserve('a')).toThrow(expect.objectContaining({ code: 'FW_ERR_AGENT_UNAVAILABLE' }));
    registry.release('a'); // its session ends normally
    expect(registry.get('a')?.reservedSessions).toBe(0);

    registry.markDown('a', 'agent restarted');
    registry.register(registration('a'));
    expect(registry.get('a')?.status).toBe('draining');

    expect(f.drain('a', false, 'agent')).toBe(true);
    expect(drainStates).toHaveLength(1); // the agent asked itself: nothing to tell it
    expect(placeWith({ a: 1, b: 25 })).toBe('a');
    expect(f.store.events('a').map((e) => `${e.kind}:${e.detail}`)).toContain('drain:admin');
    expect(f.store.events('a').map((e) => `${e.kind}:${e.detail}`)).toContain('undrain:agent');
    expect(f.drain('ghost', true, 'admin')).toBe(false);
  });

  it('remembers nodes, their coordinates, reputation and drain across a gateway restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-fleet-'));
    dirs.push(dir);
    const path = join(dir, 'gateway.db');
    const first = fleet(openDatabase({ path }));
    first.registry.register(registration('a', { location: { lat: 52.52, lon: 13.4 } }));
    first.registry.register(registration('b'));
    first.f.coordinates.observe('a', 'b', 12);
    first.registry.recordOutcome('a', true);
    first.f.drain('b', true, 'admin');
    const coordinate = first.f.coordinates.get('a')!;
    const reputation = first.registry.get('a')!.reputation;
    first.f.close(); // writes everything out
    first.db.close();

    const second = fleet(openDatabase({ path }));
    expect(second.registry.get('a')).toMatchObject({ status: 'down', reputation, sessionsCompleted: 1 });
    expect(second.registry.get('b')).toMatchObject({ status: 'down', drainRequested: true });
    const restored = second.f.coordinates.get('a')!;
    for (const [i, x] of restored.vec.entries()) expect(x).toBeCloseTo(coordinate.vec[i]!, 2);
    expect(restored.height).toBeCloseTo(coordinate.height, 2);
    expect(second.placeWith({ a: 5, b: 5 })).toBeUndefined(); // down until the agents come back
    second.registry.register(registration('a'));
    second.registry.register(registration('b'));
    expect(second.registry.get('b')?.status).toBe('draining');
    expect(second.placeWith({ a: 5, b: 1 })).toBe('a');
  });

  it('does not turn a location-seeded guess into a known coordinate across a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-fleet-'));
    dirs.push(dir);
    const path = join(dir, 'gateway.db');
    const first = fleet(openDatabase({ path }));
    first.registry.register(registration('guessed', { location: { lat: 48.85, lon: 2.35 } }));
    first.registry.register(registration('x'));
    first.registry.register(registration('y'));
    first.f.coordinates.observe('x', 'y', 9);
    const slot = (f: Fleet, id: string) => f.coordinates.slotOf(id)!;
    expect(first.f.coordinates.isKnown(slot(first.f, 'guessed'))).toBe(false);
    expect(first.f.coordinates.isKnown(slot(first.f, 'x'))).toBe(true);
    first.f.close();
    first.db.close();

    const second = fleet(openDatabase({ path }));
    second.registry.register(registration('guessed', { location: { lat: 48.85, lon: 2.35 } }));
    expect(second.f.coordinates.isKnown(slot(second.f, 'guessed'))).toBe(false);
    expect(second.f.coordinates.isKnown(slot(second.f, 'x'))).toBe(true);
  });

  it('admits an agent that signed its connection’s challenge, and refuses reserved ids', async () => {
    const { f } = fleet();
    const key = privateKeyToAccount(generatePrivateKey());
    const challenge = f.newChallenge();
    expect(challenge.gateway).toBe('http://127.0.0.1:8080');
    let open: AgentChallenge | undefined = challenge;
    const link = {
      takeChallenge: () => {
        const taken = open;
        open = undefined;
        return taken;
      },
    } as unknown as AgentLink;
    const register: PayloadOf<typeof MessageType.AgentRegister> = {
      agentId: 'agent-1',
      secret: 's',
      version: '0.1.0',
      slots: 2,
      runtimes: ['scene'],
      encoders: [{ codec: 'h264', name: 'libx264', hardware: false }],
      gpus: [],
      identity: {
        address: key.address,
        nonce: challenge.nonce,
        signature: await key.signMessage({ message: agentChallengeMessage({ ...challenge, agentId: 'agent-1' }) }),
      },
    };
    await expect(f.admit(link, register)).resolves.toMatchObject({
      agentId: 'agent-1',
      address: key.address.toLowerCase(),
    });
    // The connection's challenge is used up: the same registration again is refused.
    await expect(f.admit(link, register)).rejects.toMatchObject({ code: 'FW_ERR_UNAUTHORIZED' });
    await expect(f.admit(link, { ...register, agentId: 'fw:gateway' })).rejects.toMatchObject({
      code: 'FW_ERR_INVALID_PAYLOAD',
    });
  });
});
