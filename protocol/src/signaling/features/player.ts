import * as v from 'valibot';
import { Id, SessionEndReasonSchema, SessionStateName, ShortText, Uint, VideoParams } from '../common.js';
import { CoreMessageType } from './core.js';
import type { FeatureMessages } from './FeatureMessages.js';

/** Player <-> gateway, 200–219: join, WebRTC negotiation, session state. */
export const PlayerMessageType = {
  PlayerJoin: 200,
  PlayerJoined: 201,
  PlayerOffer: 202,
  PlayerAnswer: 203,
  IceCandidate: 204,
  PlayerLeave: 205,
  SessionState: 206,
  SessionEnded: 207,
} as const;

export const PlayerJoinPayload = v.object({
  token: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
  sdkVersion: v.optional(v.pipe(v.string(), v.maxLength(64))),
  /**
   * The player accepts the nearest free node even when it is over the
   * title's latency budget (it asked after a FW_ERR_NO_NODE_IN_BUDGET, or
   * prefers a laggy game to none); without it such a join is refused.
   */
  acceptOverBudget: v.optional(v.boolean()),
});

export const IceServer = v.object({
  urls: v.union([v.string(), v.array(v.string())]),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});

export const PlayerJoinedPayload = v.object({
  sessionId: Id,
  iceServers: v.array(IceServer),
  video: VideoParams,
});

const Sdp = v.pipe(v.string(), v.minLength(1), v.maxLength(60_000));
export const SdpPayload = v.object({ sdp: Sdp });

export const IceCandidatePayload = v.object({
  /** End of candidates is `{ candidate: '' }` with no sdpMid/sdpMLineIndex. */
  candidate: v.pipe(v.string(), v.maxLength(1024)),
  sdpMid: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
  sdpMLineIndex: v.optional(v.nullable(Uint)),
});

export const SessionStatePayload = v.object({
  sessionId: Id,
  state: v.picklist(Object.values(SessionStateName)),
  nodeId: v.optional(Id),
});

export const SessionEndedPayload = v.object({
  sessionId: Id,
  reason: SessionEndReasonSchema,
  code: v.optional(v.pipe(v.string(), v.maxLength(64))),
  message: v.optional(ShortText),
});

export type IceServer = v.InferOutput<typeof IceServer>;

export const playerMessages = {
  types: PlayerMessageType,
  schemas: {
    [PlayerMessageType.PlayerJoin]: PlayerJoinPayload,
    [PlayerMessageType.PlayerJoined]: PlayerJoinedPayload,
    [PlayerMessageType.PlayerOffer]: SdpPayload,
    [PlayerMessageType.PlayerAnswer]: SdpPayload,
    [PlayerMessageType.IceCandidate]: IceCandidatePayload,
    [PlayerMessageType.PlayerLeave]: v.object({}),
    [PlayerMessageType.SessionState]: SessionStatePayload,
    [PlayerMessageType.SessionEnded]: SessionEndedPayload,
  },
  replies: {
    [PlayerMessageType.PlayerJoin]: PlayerMessageType.PlayerJoined,
    [PlayerMessageType.PlayerOffer]: PlayerMessageType.PlayerAnswer,
    [PlayerMessageType.PlayerLeave]: CoreMessageType.Ack,
  },
  agentToGateway: [],
  gatewayToAgent: [],
  playerToGateway: [
    PlayerMessageType.PlayerJoin,
    PlayerMessageType.PlayerOffer,
    PlayerMessageType.IceCandidate,
    PlayerMessageType.PlayerLeave,
  ],
  gatewayToPlayer: [
    PlayerMessageType.PlayerJoined,
    PlayerMessageType.PlayerAnswer,
    PlayerMessageType.IceCandidate,
    PlayerMessageType.SessionState,
    PlayerMessageType.SessionEnded,
  ],
} as const satisfies FeatureMessages;
