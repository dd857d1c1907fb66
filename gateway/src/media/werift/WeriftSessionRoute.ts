import { randomInt } from 'node:crypto';
import { FramewayError, type IceServer, TypedEmitter } from '@frameway/protocol';
import { createLogger } from '../../logging/logger.js';
import type { IceCandidateInit, RouteOptions, RouteStats, SessionRoute, SessionRouteEvents } from '../MediaRouter.js';
import { RtpIngest } from '../RtpIngest.js';
import type { CandidateFilter } from '../sdp/candidateFilter.js';
import { WeriftPlayerPeer } from './WeriftPlayerPeer.js';

export interface WeriftRouteConfig {
  rtpHost: string;
  iceServers: IceServer[];
  additionalHostAddresses: string[];
  candidateFilter: CandidateFilter;
  inputRatePerSecond: number;
  disconnectGraceMs: number;
}

/** Payload type the agent's ffmpeg stamps on RTP; the player's negotiated PT replaces it per peer. */
const INGEST_PAYLOAD_TYPE = 96;
/** Payload type of the agent's Opus stream (its own port and SSRC: audio never waits on video, nor video on audio). */
const AUDIO_INGEST_PAYLOAD_TYPE = 111;
const OPUS_CLOCK_RATE = 48_000;

/** A session's media path on werift: one RTP ingest fanned out to the player's peer connection. */
export class WeriftSessionRoute extends TypedEmitter<SessionRouteEvents> implements SessionRoute {
  readonly sessionId: string;
  readonly #config: WeriftRouteConfig;
  readonly #ingest: RtpIngest;
  readonly #log;
  #peer: WeriftPlayerPeer | undefined;
  #packetsForwarded = 0;
  #audioIngest: RtpIngest | undefined;
  #audioPacketsForwarded = 0;
  #inputMessages = 0;
  #inputRejected = 0;
  #mediaFlowing = false;
  #closed = false;
  readonly #onClose: () => void;

  private constructor(
    options: RouteOptions,
    config: WeriftRouteConfig,
    ingest: RtpIngest,
    log: ReturnType<typeof createLogger>,
    onClose: () => void,
  ) {
    super((error, event) => log.error({ err: error, event }, 'listener threw'));
    this.#onClose = onClose;
    this.sessionId = options.sessionId;
    this.#config = config;
    this.#ingest = ingest;
    this.#log = log;
  }

  static async create(
    options: RouteOptions,
    config: WeriftRouteConfig,
    onClose: () => void = () => {},
  ): Promise<WeriftSessionRoute> {
    const log = createLogger('media.werift.route', { sessionId: options.sessionId });
    const ssrc = randomInt(1, 0xffff_ffff);
    let route: WeriftSessionRoute | undefined;
    const ingest = await RtpIngest.open({
      host: config.rtpHost,
      ssrc,
      payloadType: INGEST_PAYLOAD_TYPE,
      onPacket: (packet) => route?.forwardFromIngest(packet),
    });
    let audioIngest: RtpIngest;
    try {
      audioIngest = await RtpIngest.open({
        host: config.rtpHost,
        ssrc: randomInt(1, 0xffff_ffff),
        payloadType: AUDIO_INGEST_PAYLOAD_TYPE,
        clockRate: OPUS_CLOCK_RATE,
        onPacket: (packet) => route?.forwardAudioFromIngest(packet),
      });
    } catch (error) {
      ingest.close();
      throw error;
    }
    route = new WeriftSessionRoute(options, config, ingest, log, onClose);
    route.#audioIngest = audioIngest;
    return route;
  }

  get ingest() {
    return {
      host: this.#config.rtpHost,
      port: this.#ingest.port,
      payloadType: INGEST_PAYLOAD_TYPE,
      ssrc: this.#ingestSsrc(),
    };
  }

  /** Where the agent sends the session's Opus audio. */
  get audioIngest() {
    const audio = this.#audioIngest as RtpIngest;
    return {
      host: this.#config.rtpHost,
      port: audio.port,
      payloadType: AUDIO_INGEST_PAYLOAD_TYPE,
      ssrc: audio.ssrc,
    };
  }

  async answerPlayer(offerSdp: string): Promise<string> {
    if (this.#closed) throw new FramewayError('FW_ERR_SESSION_ENDED', 'session media route is closed');
    this.#peer?.close();
    const peer = new WeriftPlayerPeer({
      sessionId: this.sessionId,
      iceServers: this.#config.iceServers,
      additionalHostAddresses: this.#config.additionalHostAddresses,
      candidateFilter: this.#config.candidateFilter,
      inputRatePerSecond: this.#config.inputRatePerSecond,
      disconnectGraceMs: this.#config.disconnectGraceMs,
    });
    this.#peer = peer;
    peer.on('input', (bytes) => {
      this.#inputMessages++;
      this.emit('input', bytes);
    });
    peer.on('inputRejected', (error) => {
      this.#inputRejected++;
      this.emit('inputRejected', error);
    });
    peer.on('keyframeRequest', () => this.emit('keyframeRequest'));
    peer.on('localCandidate', (candidate) => this.emit('localCandidate', candidate));
    peer.on('connected', () => {
      this.#log.info('player media connected');
      this.emit('playerConnected');
      // A fresh decoder needs a keyframe; ask for one instead of waiting for the next GOP.
      this.emit('keyframeRequest');
    });
    peer.on('disconnected', (reason) => {
      if (this.#peer === peer) this.emit('playerDisconnected', reason);
    });
    return peer.answer(offerSdp);
  }

  async addPlayerCandidate(candidate: IceCandidateInit): Promise<void> {
    await this.#peer?.addCandidate(candidate);
  }

  stats(): RouteStats {
    const { packetsIn, bytesIn, packetsRejected } = this.#ingest.counters;
    return {
      packetsIn,
      bytesIn,
      packetsRejected,
      packetsForwarded: this.#packetsForwarded,
      inputMessages: this.#inputMessages,
      inputRejected: this.#inputRejected,
      playerConnected: this.#peer?.connected ?? false,
      audioPacketsIn: this.#audioIngest?.counters.packetsIn ?? 0,
      audioPacketsForwarded: this.#audioPacketsForwarded,
    };
  }

  /** Failover: the next valid RTP sender (the new agent) takes over the ingest; `mediaFlowing` fires again. */
  relatchIngest(): void {
    if (this.#closed) return;
    this.#ingest.relatch();
    this.#audioIngest?.relatch();
    this.#mediaFlowing = false;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ingest.close();
    this.#audioIngest?.close();
    this.#peer?.close();
    this.#peer = undefined;
    this.removeAllListeners();
    this.#onClose();
  }

  #ingestSsrc(): number {
    return this.#ingest.ssrc;
  }

  /** @internal Called by the ingest for every accepted RTP packet. */
  forwardFromIngest(packet: Buffer): void {
    if (!this.#mediaFlowing) {
      this.#mediaFlowing = true;
      this.#log.info('media flowing from agent');
      this.emit('mediaFlowing');
    }
    if (this.#peer?.forwardVideo(packet)) this.#packetsForwarded++;
  }

  /** @internal Called by the audio ingest for every accepted Opus RTP packet. */
  forwardAudioFromIngest(packet: Buffer): void {
    if (this.#peer?.forwardAudio(packet)) this.#audioPacketsForwarded++;
  }
}
