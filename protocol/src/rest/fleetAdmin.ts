import * as v from 'valibot';

/** A node id as agents register it. */
const NodeId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'a node id of 1-64 characters [A-Za-z0-9._:-]'));

/** `POST /admin/fleet/drain`: drain a node (no new sessions, current ones finish) or lift its drain. */
export const DrainNodeRequest = v.strictObject({
  nodeId: NodeId,
  draining: v.optional(v.boolean(), true),
});

export const DrainNodeResult = v.object({
  nodeId: v.string(),
  draining: v.boolean(),
  status: v.optional(v.string()),
  activeSessions: v.number(),
});

/**
 * `GET /admin/fleet/events` query. `limit` is lenient on purpose (an operator's
 * curl): anything but 1-500 falls back to 50 or is clamped, never refused.
 */
export const FleetEventsQuery = v.object({
  nodeId: v.optional(v.string()),
  limit: v.optional(v.string()),
});

/** Where a node says it is (each part optional, JSON drops the missing ones). */
const NodeLocation = v.object({
  region: v.optional(v.string()),
  country: v.optional(v.string()),
  city: v.optional(v.string()),
  lat: v.optional(v.number()),
  lon: v.optional(v.number()),
});

/** A node's network coordinate (Vivaldi): where RTTs place it. */
const NetworkCoordinate = v.object({ vec: v.array(v.number()), height: v.number(), error: v.number() });

/** One node as the operator sees it: live state, what is remembered, and the network view. */
export const FleetNode = v.object({
  nodeId: v.string(),
  address: v.nullable(v.string()),
  status: v.string(),
  draining: v.boolean(),
  location: NodeLocation,
  gpuModel: v.nullable(v.string()),
  capacity: v.number(),
  activeSessions: v.number(),
  reportedSessions: v.number(),
  cpuLoad: v.nullable(v.number()),
  pricePerBlock: v.number(),
  stakeWei: v.string(),
  reputation: v.number(),
  sessionsCompleted: v.number(),
  sessionsFailed: v.number(),
  probeUrl: v.nullable(v.string()),
  gatewayRttMs: v.nullable(v.number()),
  coordinate: v.nullable(NetworkCoordinate),
  lastHeartbeatAt: v.number(),
  firstSeenAt: v.number(),
});

export const FleetEvent = v.object({
  nodeId: v.string(),
  at: v.number(),
  kind: v.string(),
  detail: v.optional(v.string()),
});
