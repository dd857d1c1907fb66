import { describe, expect, it } from 'vitest';
import { type NodeRegistration, NodeRegistry } from './NodeRegistry.js';

const registration = (agentId: string, slots = 2): NodeRegistration => ({
  agentId,
  version: '0.1.0',
  slots,
  runtimes: ['scene'],
  encoders: [{ codec: 'h264', name: 'libx264', hardware: false }],
  gpus: [],
});

describe('NodeRegistry', () => {
  it('marks a node down when its heartbeats stop, and only then', () => {
    let now = 0;
    const registry = new NodeRegistry({ heartbeatTimeoutMs: 1000, now: () => now });
    const down: string[] = [];
    registry.on('nodeDown', (node, reason) => down.push(`${node.nodeId}:${reason}`));
    registry.register(registration('a'));
    registry.register(registration('b'));
    now = 900;
    registry.heartbeat('a', { activeSessions: 0 });
    now = 1500;
    expect(registry.sweep()).toEqual(['b']);
    expect(down).toEqual(['b:heartbeat timeout']);
    expect(registry.get('a')?.status).toBe('up');
    now = 2000;
    expect(registry.sweep()).toEqual(['a']);
  });

  it('reserves slots up to capacity and releases them', () => {
    const registry = new NodeRegistry({ heartbeatTimeoutMs: 1000 });
    registry.register(registration('a', 1));
    registry.reserve('a');
    expect(() => registry.reserve('a')).toThrow(expect.objectContaining({ code: 'FW_ERR_NO_CAPACITY' }));
    registry.release('a');
    registry.reserve('a');
    expect(registry.get('a')?.reservedSessions).toBe(1);
  });

  it('refuses to reserve on a node that is down', () => {
    const registry = new NodeRegistry({ heartbeatTimeoutMs: 1000 });
    registry.register(registration('a'));
    registry.markDown('a', 'socket closed');
    expect(() => registry.reserve('a')).toThrow(expect.objectContaining({ code: 'FW_ERR_AGENT_UNAVAILABLE' }));
  });

  it('replaces a live node when the same agent registers again, emitting nodeDown for the old one', () => {
    const registry = new NodeRegistry({ heartbeatTimeoutMs: 1000 });
    const events: string[] = [];
    registry.on('nodeDown', (_node, reason) => events.push(`down:${reason}`));
    registry.on('nodeUp', (node) => events.push(`up:${node.nodeId}`));
    registry.register(registration('a'));
    registry.register(registration('a'));
    expect(events).toEqual(['up:a', 'down:replaced by a new registration', 'up:a']);
    expect(registry.get('a')?.status).toBe('up');
  });
});
