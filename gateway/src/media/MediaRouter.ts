import type { FramewayError, IceServer, SrtpKeying, TypedEmitter, VideoCodec, VideoParams } from '@frameway/protocol';
import type { FecRouteStats } from './fec/PlayerFecControl.js';

/** Where an agent sends a session's RTP, and the SRTP key it protects it with. */
export interface RtpIngestAddress {
  host: string;
  port: number;
  payloadType: number;
  ssrc: number;
  srtp: SrtpKeying;
}

/** What congestion control wants the encoder to produce (and what it based that on). */
export interface MediaTarget {
  bitrateKbps: number;
  width: number;
  height: number;
  fps: number;
  /** Bandwidth estimate of the player's downlink, kbps (0 while there is none). */
  estimateKbps: number;
  /** Loss before repair over the last interval, 0..1. */
  lossFraction: number;
  /** Forward error correction rides on top of the bitrate (already taken off it). */
  fec?: boolean;
}

/** Loss repair and protection counters of one route, both legs. */
export interface RepairStats {
  /** Ingest packets that failed SRTP authentication or replayed; dropped. */
  ingestAuthFailures: number;
  ingestReplayed: number;
  /** Ingest packets asked for again (NACK), got back, and given up on. */
  ingestNacked: number;
  ingestRecovered: number;
  ingestLostUnrepaired: number;
  /** Keyframes seen on the ingest. */
  ingestKeyframes: number;
  /** Retransmissions sent to the player (RTX), and those refused over budget. */
  playerRetransmits: number;
  playerRetransmitsLimited: number;
}

export interface RouteOptions {
  sessionId: string;
  /** The session's full picture and bitrate: congestion control never asks for more. */
  video: VideoParams & { codec: VideoCodec; bitrateKbps: number };
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
  repair?: RepairStats;
  /** The last target congestion control set; absent while it has set none (or is off). */
  target?: MediaTarget;
  /** Forward error correction on the player leg, where the backend sends it. */
  fec?: FecRouteStats;
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
  /** A keyframe arrived from the agent (it answers keyframe requests). */
  ingestKeyframe: [];
  /** Congestion control wants the encoder to produce this from now on. */
  mediaTarget: [target: MediaTarget];
  /** A peer exceeded a media budget (NACK flood, forged packets); already dropped and counted. */
  mediaWarning: [error: FramewayError];
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
  /**
   * Failover: points the ingest at the session's next agent with a fresh SRTP
   * key (`ingest` then carries it); absent where the backend cannot.
   */
  relatchIngest?(): void;
  close(): void;
}

/** The media plane behind one interface; werift (embedded) and mediasoup (production) implement it. */
export interface MediaRouter {
  readonly backend: 'werift' | 'mediasoup';
  readonly iceServers: IceServer[];
  createRoute(options: RouteOptions): Promise<SessionRoute>;
  close(): Promise<void>;
}
