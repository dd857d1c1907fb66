import * as v from 'valibot';
import { SessionEndReasonSchema, SessionStateName } from '../signaling/common.js';
import {
  Currency,
  MinorUnits,
  NonNegativeInt,
  PageCursor,
  PageLimit,
  PlayerId,
  Region,
  ResourceId,
  Timestamp,
} from './common.js';

const MetadataKey = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a metadata key of 1-64 characters'));
const Metadata = v.pipe(
  v.record(MetadataKey, v.pipe(v.string(), v.maxLength(512))),
  v.maxEntries(16, 'at most 16 metadata entries'),
  v.description("The studio's own key/value pairs, returned as given (at most 16)."),
);

export const CreateSessionRequest = v.strictObject({
  titleId: ResourceId,
  playerId: PlayerId,
  /** Run in this region only; must be one of the title's regions when the title lists any. */
  region: v.optional(Region),
  /** Shorter than the title's maxSessionMinutes, never longer. */
  maxDurationMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(24 * 60))),
  /** Lifetime of the player token; the session ends if nobody joins within the gateway's unjoined timeout. */
  tokenTtlSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(30), v.maxValue(86_400))),
  metadata: v.optional(Metadata),
});

export const SessionState = v.picklist(Object.values(SessionStateName));

/** What the gateway measures live; null until measured. */
export const SessionLive = v.object({
  rttMs: v.nullable(v.number()),
  fps: v.nullable(v.number()),
  latencyMs: v.nullable(v.number()),
  measuredAt: v.nullable(Timestamp),
});

export const SessionBilling = v.object({
  currency: Currency,
  blockMinutes: v.number(),
  /** Locked when the session is placed: the dynamic price at the node's (or fleet's) utilisation then. */
  pricePerBlock: v.nullable(MinorUnits),
  utilisationPercent: v.nullable(v.number()),
  /** Blocks charged so far (started blocks count whole). */
  blocks: NonNegativeInt,
  amount: MinorUnits,
});

export const Session = v.object({
  id: ResourceId,
  titleId: ResourceId,
  playerId: PlayerId,
  state: SessionState,
  nodeId: v.nullable(v.string()),
  region: v.nullable(v.string()),
  createdAt: Timestamp,
  /** When media first reached the gateway: the start of billable time. */
  startedAt: v.nullable(Timestamp),
  endedAt: v.nullable(Timestamp),
  endReason: v.nullable(SessionEndReasonSchema),
  endCode: v.nullable(v.string()),
  failovers: NonNegativeInt,
  live: SessionLive,
  billing: SessionBilling,
  metadata: v.record(v.string(), v.string()),
});

export const SessionHistoryEntry = v.object({
  at: Timestamp,
  type: v.picklist(['created', 'placed', 'streaming', 'failed_over', 'ended', 'sla_breach']),
  data: v.record(v.string(), v.unknown()),
});

export const SessionDetail = v.object({
  ...Session.entries,
  history: v.array(SessionHistoryEntry),
});

export const CreatedSession = v.object({
  session: Session,
  /** Opens this session only, for this player, until expiresAt. */
  playerToken: v.string(),
  /** The web player with the token in the URL fragment (never sent to servers). */
  playUrl: v.pipe(v.string(), v.url()),
  signalingUrl: v.pipe(v.string(), v.url()),
  expiresAt: Timestamp,
});

export const SessionIdParams = v.strictObject({ sessionId: ResourceId });

export const ListSessionsQuery = v.strictObject({
  state: v.optional(SessionState),
  titleId: v.optional(ResourceId),
  playerId: v.optional(PlayerId),
  createdAfter: v.optional(Timestamp),
  createdBefore: v.optional(Timestamp),
  cursor: PageCursor,
  limit: PageLimit,
});

export type CreateSessionRequest = v.InferInput<typeof CreateSessionRequest>;
export type Session = v.InferOutput<typeof Session>;
export type SessionDetail = v.InferOutput<typeof SessionDetail>;
export type CreatedSession = v.InferOutput<typeof CreatedSession>;
