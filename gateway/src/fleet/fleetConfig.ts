import * as v from 'valibot';

const PositiveMs = v.pipe(v.number(), v.integer(), v.minValue(1));
const Count = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

/** The fleet: node identity, admin API, peer probing, persistence (gateway/src/fleet, gateway/src/latency). */
export const FleetConfigSchema = v.strictObject({
  /** Agents must sign the registration challenge with their node key; false admits unsigned (older) agents. */
  requireIdentity: v.optional(v.boolean(), true),
  /** Bearer token for /admin/fleet/* (node list, drain); the admin API answers 403 without one. */
  adminToken: v.optional(v.pipe(v.string(), v.minLength(16, 'adminToken must be at least 16 characters'))),
  /** Nodes claiming less stake (wei, decimal) are not placed on. */
  minStakeWei: v.optional(v.pipe(v.string(), v.regex(/^\d{1,78}$/)), '0'),
  /** Reputation of a node never seen before (0..1). */
  initialReputation: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.5),
  /** How often each agent is asked to probe a few peers and the gateway (network coordinates). */
  probeIntervalMs: v.optional(PositiveMs, 10_000),
  /** Agents asked per probe tick (the rest wait for their turn). */
  probeNodesPerTick: v.optional(Count(1, 10_000), 64),
  /** Peers each agent probes per request, besides the gateway. */
  probePeers: v.optional(Count(0, 31), 6),
  probeSamples: v.optional(Count(1, 20), 3),
  probeTimeoutMs: v.optional(v.pipe(PositiveMs, v.minValue(50), v.maxValue(10_000)), 1000),
  /** The gateway's own probe endpoint as agents reach it; derived from the public URL when absent. */
  gatewayProbeUrl: v.optional(v.pipe(v.string(), v.regex(/^wss?:\/\//i, 'a ws:// or wss:// URL'))),
  /** How often changed nodes and coordinates are written to the database. */
  persistIntervalMs: v.optional(PositiveMs, 5000),
  /** Fleet events older than this are deleted at start. */
  eventRetentionMs: v.optional(PositiveMs, 30 * 24 * 3600_000),
});

/** Latency-aware placement, queueing, failover and in-session RTT checks (gateway/src/placement). */
export const PlacementConfigSchema = v.strictObject({
  /** latency: probe and predict (default); capacity: least-loaded node, ignoring latency (single site). */
  strategy: v.optional(v.picklist(['latency', 'capacity']), 'latency'),
  shortlistSize: v.optional(Count(1, 32), 8),
  landmarkCount: v.optional(Count(1, 32), 16),
  probeSamples: v.optional(Count(1, 20), 5),
  probeTimeoutMs: v.optional(v.pipe(PositiveMs, v.minValue(50), v.maxValue(10_000)), 1500),
  maxRounds: v.optional(Count(1, 8), 4),
  /** RTTs in one band count as equal; reputation, price and load decide among them. */
  latencyBandMs: v.optional(v.pipe(v.number(), v.minValue(0.1), v.maxValue(100)), 5),
  /** Nodes with no latency data (no probe endpoint): 'allow' places on them when nothing measured fits. */
  unknownLatency: v.optional(v.picklist(['allow', 'reject']), 'allow'),
  queue: v.optional(
    v.strictObject({
      enabled: v.optional(v.boolean(), false),
      maxLength: v.optional(Count(1, 1_000_000), 1000),
      /**
       * The join waits this long at most, after up to maxRounds × probeTimeoutMs of probing: keep the sum
       * below the SDK's connectTimeoutMs (10 s by default) or raise that in the client.
       */
      maxWaitMs: v.optional(PositiveMs, 8000),
      retryIntervalMs: v.optional(PositiveMs, 1000),
    }),
    {},
  ),
  failover: v.optional(
    v.strictObject({
      enabled: v.optional(v.boolean(), true),
      /** New nodes tried per failover before the session ends. */
      maxAttempts: v.optional(Count(1, 8), 2),
    }),
    {},
  ),
  /** In-session RTT checks from the player's WebRTC stats. */
  recheck: v.optional(
    v.strictObject({
      enabled: v.optional(v.boolean(), true),
      intervalMs: v.optional(PositiveMs, 5000),
      /** Consecutive checks over budget × (1 + tolerance) before the session moves. */
      overBudgetChecks: v.optional(Count(1, 100), 3),
      tolerance: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(5)), 0.2),
      /** A session that moved is not moved again for this long. */
      cooldownMs: v.optional(PositiveMs, 60_000),
      /** Media relays through this gateway: the node↔gateway RTT adds to the player's WebRTC RTT. */
      mediaRelay: v.optional(v.boolean(), true),
    }),
    {},
  ),
});

export type FleetConfig = Readonly<v.InferOutput<typeof FleetConfigSchema>>;
export type PlacementConfig = Readonly<v.InferOutput<typeof PlacementConfigSchema>>;

/** Placement settings when nothing is configured (the placement benchmark runs with these). */
export const DEFAULT_PLACEMENT_CONFIG: PlacementConfig = v.parse(PlacementConfigSchema, {});
