import type { FramewayError, IceServer, TypedEmitter, VideoCodec, VideoParams } from '@frameway/protocol';

/** Where an agent sends a session's RTP. */
export interface RtpIngestAddress {
  host: string;
  port: number;
  payloadType: number;
  ssrc: number;
}

export interface RouteOptions {
  sessionId: string;
  video: VideoParams & { codec: VideoCodec };
}

export interface RouteStats {
  packetsIn: number;
  bytesIn: number;
  packetsRejected: number;
  packetsForwarded: number;
  inputMessages: number;
  inputRejected: number;
  playerConnected: boolean;
  /** Opus RTP packets from the agent, and those sent on to the player (0 where the backend takes no audio). */
  audioPacketsIn?: number;
  audioPacketsForwarded?: number;
}

export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null | undefined;
  sdpMLineIndex?: number | null | undefined;
}

export type SessionRouteEvents = {
  /** The first RTP packet from the agent arrived: media is flowing. */
  mediaFlowing: [];
  /** A validated input message from the player, ready to forward to the agent. */
  input: [bytes: Uint8Array];
  /** The player sent input the codec rejects; already dropped. */
  inputRejected: [error: FramewayError];
  /** The player's decoder needs a keyframe (PLI/FIR). */
  keyframeRequest: [];
  playerConnected: [];
  /** The player's transport failed or closed. */
  playerDisconnected: [reason: string];
  /** A local ICE candidate to trickle to the player. */
  localCandidate: [candidate: IceCandidateInit];
};

/** One session's media path: RTP in from the agent, WebRTC out to the player, input back. */
export interface SessionRoute extends TypedEmitter<SessionRouteEvents> {
  readonly sessionId: string;
  readonly ingest: RtpIngestAddress;
  /** Where the agent sends the session's Opus audio (a second RTP stream); absent when the backend takes none. */
  readonly audioIngest?: RtpIngestAddress | undefined;
  /** Answers the player's offer; a new offer replaces the previous player transport (reconnect). */
  answerPlayer(offerSdp: string): Promise<string>;
  addPlayerCandidate(candidate: IceCandidateInit): Promise<void>;
  stats(): RouteStats;
  close(): void;
}

/** The media plane behind one interface; werift (embedded) and mediasoup (production) implement it. */
export interface MediaRouter {
  readonly backend: 'werift' | 'mediasoup';
  readonly iceServers: IceServer[];
  createRoute(options: RouteOptions): Promise<SessionRoute>;
  close(): Promise<void>;
}
