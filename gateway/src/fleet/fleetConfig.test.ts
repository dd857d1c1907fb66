import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { FleetConfigSchema, PlacementConfigSchema } from './fleetConfig.js';

describe('fleet and placement config', () => {
  it('defaults to signed agents, latency placement without a queue, failover and in-session rechecks', () => {
    expect(v.parse(FleetConfigSchema, {})).toMatchObject({
      requireIdentity: true,
      minStakeWei: '0',
      initialReputation: 0.5,
      probePeers: 6,
    });
    expect(v.parse(PlacementConfigSchema, {})).toMatchObject({
      strategy: 'latency',
      unknownLatency: 'allow',
      queue: { enabled: false, maxWaitMs: 8000 },
      failover: { enabled: true, maxAttempts: 2 },
      recheck: { enabled: true, overBudgetChecks: 3, tolerance: 0.2, mediaRelay: true },
    });
  });

  it('rejects unknown keys, short admin tokens and malformed values', () => {
    const fails = (schema: v.GenericSchema, input: unknown) => !v.safeParse(schema, input).success;
    expect(fails(FleetConfigSchema, { probeInterval: 1000 })).toBe(true);
    expect(fails(FleetConfigSchema, { adminToken: 'short' })).toBe(true);
    expect(fails(FleetConfigSchema, { minStakeWei: '1e18' })).toBe(true);
    expect(fails(FleetConfigSchema, { gatewayProbeUrl: 'http://gw/probe' })).toBe(true);
    expect(fails(FleetConfigSchema, { probePeers: 32 })).toBe(true);
    expect(fails(PlacementConfigSchema, { strategy: 'random' })).toBe(true);
    expect(fails(PlacementConfigSchema, { queue: { enabled: true, maxWait: 1 } })).toBe(true);
    expect(fails(PlacementConfigSchema, { recheck: { overBudgetChecks: 0 } })).toBe(true);
    expect(fails(FleetConfigSchema, { adminToken: 'a-long-enough-admin-token', minStakeWei: '100' })).toBe(false);
  });
});
