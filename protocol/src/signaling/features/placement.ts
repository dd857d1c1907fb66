import * as v from 'valibot';
import { Id, ShortText, Uint } from '../common.js';
import type { FeatureMessages } from './FeatureMessages.js';

/** Player placement (latency-aware placement), 220–239: probe shortlist, probe results, queue position, failover. */
export const PlacementMessageType = {
  ProbeRequest: 220,
  ProbeResults: 221,
  QueuePosition: 222,
  SessionFailover: 223,
  LinkStatsRequest: 224,
  LinkStats: 225,
} as const;

/** Most targets one probe round may name; a browser opens one WebSocket per target. */
export const MAX_PROBE_TARGETS = 32;

/** Where a probe goes: a node (or the gateway) by id, and its WebSocket echo endpoint. */
export const ProbeTarget = v.object({
  id: Id,
  url: v.pipe(v.string(), v.maxLength(512), v.regex(/^wss?:\/\/[^\s]+$/i, 'a ws:// or wss:// URL')),
});

const Millis = v.pipe(v.number(), v.minValue(0), v.maxValue(600_000));

/** The outcome of probing one target: RTT statistics over the samples that came back. */
export const ProbeResult = v.object({
  id: Id,
  /** Median round trip of the samples received; absent when none came back. */
  rttMs: v.optional(Millis),
  minRttMs: v.optional(Millis),
  /** Mean absolute difference of consecutive samples (RFC 3550's jitter, unsmoothed). */
  jitterMs: v.optional(Millis),
  sent: v.pipe(Uint, v.maxValue(1000)),
  received: v.pipe(Uint, v.maxValue(1000)),
});

/** Asks the prober (player or agent) to measure RTT to each target, several samples each, in parallel. */
export const ProbeRequestPayload = v.object({
  /** Placement round (1 = landmarks or shortlist, 2 = refined shortlist); echoed nowhere, for logs. */
  round: v.pipe(Uint, v.maxValue(16)),
  targets: v.pipe(v.array(ProbeTarget), v.minLength(1), v.maxLength(MAX_PROBE_TARGETS)),
  samples: v.pipe(Uint, v.minValue(1), v.maxValue(20)),
  /** The whole round ends after this long; unanswered samples count as lost. */
  timeoutMs: v.pipe(Uint, v.minValue(50), v.maxValue(10_000)),
});

export const ProbeResultsPayload = v.object({
  results: v.pipe(v.array(ProbeResult), v.maxLength(MAX_PROBE_TARGETS)),
  /**
   * The prober's IANA time zone (a browser's `Intl` zone): a coarse location
   * hint, used only to choose which nodes to probe next.
   */
  timeZone: v.optional(v.pipe(v.string(), v.maxLength(64), v.regex(/^[A-Za-z0-9_+\-/]+$/, 'an IANA time zone name'))),
});

/** The player waits for a node within its budget to free up; sent whenever its place changes. */
export const QueuePositionPayload = v.object({
  sessionId: Id,
  /** 1 = next to be placed. */
  position: v.pipe(Uint, v.minValue(1)),
  queueLength: v.pipe(Uint, v.minValue(1)),
  /** Time the player has been waiting. */
  waitedMs: Uint,
  /** The queue gives up (and placement fails) after this much more time. */
  remainingMs: Uint,
});

export const FailoverReason = {
  /** The node died or its link dropped. */
  NodeLost: 'node_lost',
  /** The session's round trip stayed over budget and a better node was found. */
  Degraded: 'degraded',
} as const;
export type FailoverReason = (typeof FailoverReason)[keyof typeof FailoverReason];

/** The session moves to another node: expect a short freeze while the new node starts. */
export const SessionFailoverPayload = v.object({
  sessionId: Id,
  fromNodeId: Id,
  toNodeId: Id,
  reason: v.picklist(Object.values(FailoverReason)),
  message: v.optional(ShortText),
});

/** The player's current media-path figures, from its WebRTC stats; every field is optional. */
export const LinkStatsPayload = v.object({
  rttMs: v.optional(Millis),
  jitterMs: v.optional(Millis),
  lossPercent: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100))),
  fps: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1000))),
  freezeCount: v.optional(Uint),
});

export type ProbeTarget = v.InferOutput<typeof ProbeTarget>;
export type ProbeResult = v.InferOutput<typeof ProbeResult>;
export type LinkStats = v.InferOutput<typeof LinkStatsPayload>;

export const placementMessages = {
  types: PlacementMessageType,
  schemas: {
    [PlacementMessageType.ProbeRequest]: ProbeRequestPayload,
    [PlacementMessageType.ProbeResults]: ProbeResultsPayload,
    [PlacementMessageType.QueuePosition]: QueuePositionPayload,
    [PlacementMessageType.SessionFailover]: SessionFailoverPayload,
    [PlacementMessageType.LinkStatsRequest]: v.object({}),
    [PlacementMessageType.LinkStats]: LinkStatsPayload,
  },
  replies: {
    [PlacementMessageType.ProbeRequest]: PlacementMessageType.ProbeResults,
    [PlacementMessageType.LinkStatsRequest]: PlacementMessageType.LinkStats,
  },
  agentToGateway: [],
  gatewayToAgent: [],
  playerToGateway: [PlacementMessageType.ProbeResults, PlacementMessageType.LinkStats],
  gatewayToPlayer: [
    PlacementMessageType.ProbeRequest,
    PlacementMessageType.QueuePosition,
    PlacementMessageType.SessionFailover,
    PlacementMessageType.LinkStatsRequest,
  ],
} as const satisfies FeatureMessages;
