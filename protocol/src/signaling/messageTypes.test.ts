import { describe, expect, it } from 'vitest';
import { features, MessageType } from './messageTypes.js';
import { payloadSchemas } from './payloads.js';

const ranges: Record<string, [number, number]> = {
  core: [1, 99],
  agent: [100, 119],
  fleet: [120, 149],
  player: [200, 219],
  placement: [220, 239],
  qos: [300, 339],
  media: [340, 359],
};

describe('message type table', () => {
  it('keeps every feature inside its reserved range without collisions', () => {
    const seen = new Map<number, string>();
    const names = ['core', 'agent', 'fleet', 'player', 'placement', 'qos', 'media'];
    features.forEach((feature, index) => {
      const [min, max] = ranges[names[index]!]!;
      for (const [name, t] of Object.entries(feature.types)) {
        expect(t, `${name} in ${names[index]}`).toBeGreaterThanOrEqual(min);
        expect(t, `${name} in ${names[index]}`).toBeLessThanOrEqual(max);
        expect(seen.has(t), `${name} collides with ${seen.get(t)}`).toBe(false);
        seen.set(t, name);
      }
    });
    expect(seen.size).toBe(Object.keys(MessageType).length);
  });

  it('has a payload schema for every type and a known type for every reply and direction entry', () => {
    const types = new Set<number>(Object.values(MessageType));
    for (const t of types) {
      expect(payloadSchemas[t as MessageType], `schema for ${t}`).toMatchObject({ kind: 'schema', async: false });
    }
    for (const feature of features) {
      for (const [request, reply] of Object.entries(feature.replies)) {
        expect(types.has(Number(request))).toBe(true);
        expect(types.has(reply as number)).toBe(true);
      }
      for (const list of [
        feature.agentToGateway,
        feature.gatewayToAgent,
        feature.playerToGateway,
        feature.gatewayToPlayer,
      ]) {
        for (const t of list) expect(types.has(t)).toBe(true);
      }
    }
  });
});
