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

/** A session's media path on werift: one RTP ingest fanned out to the player's peer connection. */
export class WeriftSessionRoute extends TypedEmitter<SessionRouteEvents> implements SessionRoute {
  readonly sessionId: string;
  readonly #config: WeriftRouteConfig;
  readonly #ingest: RtpIngest;
  readonly #log;
  #peer: WeriftPlayerPeer | undefined;
  #packetsForwarded = 0;
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
    route = new WeriftSessionRoute(options, config, ingest, log, onClose);
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
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ingest.close();
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
}
