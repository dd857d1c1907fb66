import { randomBytes, randomInt } from 'node:crypto';
import { encodeSrtpKeying, FramewayError, type IceServer, type SrtpKeying, TypedEmitter } from '@frameway/protocol';
import { createLogger } from '../../logging/logger.js';
import { PlayerFecControl } from '../fec/PlayerFecControl.js';
import type { DownlinkLossSimulator } from '../fec/WeriftFecSender.js';
import { SrtpIngest } from '../ingest/SrtpIngest.js';
import type {
  IceCandidateInit,
  MediaTarget,
  RepairStats,
  RouteOptions,
  RouteStats,
  RtpIngestAddress,
  SessionRoute,
  SessionRouteEvents,
} from '../MediaRouter.js';
import type { CandidateFilter } from '../sdp/candidateFilter.js';
import { PlayerBitrateControl } from './PlayerBitrateControl.js';
import { WeriftPlayerPeer } from './WeriftPlayerPeer.js';

export interface WeriftRouteConfig {
  rtpHost: string;
  iceServers: IceServer[];
  additionalHostAddresses: string[];
  candidateFilter: CandidateFilter;
  inputRatePerSecond: number;
  disconnectGraceMs: number;
  /** Loss repair on both legs (see GatewayConfig media.repair). */
  repair: boolean;
  /** Congestion control drives the encoder's target (media.adaptiveBitrate). */
  adaptiveBitrate: boolean;
  minBitrateKbps: number;
  /** Retransmitted bytes to a player per media byte. */
  retransmitShare: number;
  /** Forward error correction to the player (GatewayConfig media.fec). */
  fec: 'off' | 'auto' | 'on';
  /** Test and bench seam: a lossy downlink after FEC; never set by the gateway's configuration. */
  simulatedLoss?: DownlinkLossSimulator | undefined;
}

/** A fresh SRTP master key for one ingest stream (and again for each agent after a failover). */
function newKeying(): SrtpKeying {
  return encodeSrtpKeying(randomBytes(30));
}

/** Forged or replayed ingest packets are reported at most this often. */
const INGEST_WARNING_INTERVAL_MS = 10_000;

/** Payload type the agent's ffmpeg stamps on RTP; the player's negotiated PT replaces it per peer. */
const INGEST_PAYLOAD_TYPE = 96;
/** Payload type of the agent's Opus stream (its own port and SSRC: audio never waits on video, nor video on audio). */
const AUDIO_INGEST_PAYLOAD_TYPE = 111;
const OPUS_CLOCK_RATE = 48_000;

/**
 * A session's media path on werift: one SRTP ingest per stream (video with
 * NACK and keyframe detection, Opus audio), fanned out to the player's peer
 * connection; congestion control on the player leg sets the encoder target.
 */
export class WeriftSessionRoute extends TypedEmitter<SessionRouteEvents> implements SessionRoute {
  readonly sessionId: string;
  readonly #config: WeriftRouteConfig;
  readonly #ingest: SrtpIngest;
  readonly #audioIngest: SrtpIngest;
  readonly #log;
  readonly #bitrate: PlayerBitrateControl | undefined;
  readonly #fec: PlayerFecControl | undefined;
  /** Congestion control's last target before FEC took its share. */
  #rawTarget: MediaTarget | undefined;
  #keying: SrtpKeying;
  #audioKeying: SrtpKeying;
  #peer: WeriftPlayerPeer | undefined;
  #packetsForwarded = 0;
  #audioPacketsForwarded = 0;
  #inputMessages = 0;
  #inputRejected = 0;
  /** Retransmission counters of peers replaced by a reconnect. */
  #pastRetransmits = { admitted: 0, dropped: 0 };
  #mediaFlowing = false;
  #ingestWarnedAt = Number.NEGATIVE_INFINITY;
  #ingestRejectedSeen = 0;
  readonly #watch: ReturnType<typeof setInterval>;
  #closed = false;
  readonly #onClose: () => void;

  private constructor(
    options: RouteOptions,
    config: WeriftRouteConfig,
    ingests: { video: SrtpIngest; audio: SrtpIngest; keying: SrtpKeying; audioKeying: SrtpKeying },
    log: ReturnType<typeof createLogger>,
    onClose: () => void,
  ) {
    super((error, event) => log.error({ err: error, event }, 'listener threw'));
    this.#onClose = onClose;
    this.sessionId = options.sessionId;
    this.#config = config;
    this.#ingest = ingests.video;
    this.#audioIngest = ingests.audio;
    this.#keying = ingests.keying;
    this.#audioKeying = ingests.audioKeying;
    this.#log = log;
    this.#ingest.on('keyframe', () => this.emit('ingestKeyframe'));
    // Packets the ingest could not get back: the picture is broken until the next keyframe.
    this.#ingest.on('unrepairable', () => this.emit('keyframeRequest'));
    this.#watch = setInterval(() => this.#warnAboutIngest(), INGEST_WARNING_INTERVAL_MS / 5);
    this.#watch.unref();
    if (config.adaptiveBitrate) {
      this.#bitrate = new PlayerBitrateControl({
        video: options.video,
        minKbps: config.minBitrateKbps,
        onTarget: (target) => {
          this.#rawTarget = target;
          this.emit('mediaTarget', this.#fec ? this.#fec.adjust(target) : target);
        },
      });
    }
    if (config.fec !== 'off') {
      const bitrate = this.#bitrate;
      let protecting = config.fec === 'on';
      this.#fec = new PlayerFecControl({
        mode: config.fec,
        // Congestion control's loss (transport-wide feedback, receiver reports without it); the player's NACKs count too.
        ...(bitrate ? { loss: () => bitrate.decision.lossFraction } : {}),
        onChange: (decision) => {
          const now = decision.packetsPerFec !== undefined;
          const line = now === protecting ? 'player FEC strength changed' : now ? 'player FEC on' : 'player FEC off';
          if (now === protecting) this.#log.debug({ packetsPerFec: decision.packetsPerFec ?? null }, line);
          else this.#log.info({ packetsPerFec: decision.packetsPerFec ?? null }, line);
          protecting = now;
          // The encoder's share of the budget moved with it.
          if (this.#rawTarget && this.#fec) this.emit('mediaTarget', this.#fec.adjust(this.#rawTarget));
        },
      });
    }
  }

  static async create(
    options: RouteOptions,
    config: WeriftRouteConfig,
    onClose: () => void = () => {},
  ): Promise<WeriftSessionRoute> {
    const log = createLogger('media.werift.route', { sessionId: options.sessionId });
    let route: WeriftSessionRoute | undefined;
    const keying = newKeying();
    const audioKeying = newKeying();
    const video = await SrtpIngest.open({
      host: config.rtpHost,
      ssrc: randomInt(1, 0xffff_ffff),
      payloadType: INGEST_PAYLOAD_TYPE,
      keying,
      repair: config.repair,
      video: true,
      logger: log.child({ stream: 'video' }),
      onPacket: (packet) => route?.forwardFromIngest(packet),
    });
    let audio: SrtpIngest;
    try {
      audio = await SrtpIngest.open({
        host: config.rtpHost,
        ssrc: randomInt(1, 0xffff_ffff),
        payloadType: AUDIO_INGEST_PAYLOAD_TYPE,
        clockRate: OPUS_CLOCK_RATE,
        keying: audioKeying,
        repair: false,
        video: false,
        logger: log.child({ stream: 'audio' }),
        onPacket: (packet) => route?.forwardAudioFromIngest(packet),
      });
    } catch (error) {
      video.close();
      throw error;
    }
    route = new WeriftSessionRoute(options, config, { video, audio, keying, audioKeying }, log, onClose);
    return route;
  }

  get ingest(): RtpIngestAddress {
    return {
      host: this.#config.rtpHost,
      port: this.#ingest.port,
      payloadType: INGEST_PAYLOAD_TYPE,
      ssrc: this.#ingest.ssrc,
      srtp: this.#keying,
    };
  }

  /** Where the agent sends the session's Opus audio. */
  get audioIngest(): RtpIngestAddress {
    return {
      host: this.#config.rtpHost,
      port: this.#audioIngest.port,
      payloadType: AUDIO_INGEST_PAYLOAD_TYPE,
      ssrc: this.#audioIngest.ssrc,
      srtp: this.#audioKeying,
    };
  }

  async answerPlayer(offerSdp: string): Promise<string> {
    if (this.#closed) throw new FramewayError('FW_ERR_SESSION_ENDED', 'session media route is closed');
    this.#retirePeer();
    const peer = new WeriftPlayerPeer({
      sessionId: this.sessionId,
      iceServers: this.#config.iceServers,
      additionalHostAddresses: this.#config.additionalHostAddresses,
      candidateFilter: this.#config.candidateFilter,
      inputRatePerSecond: this.#config.inputRatePerSecond,
      disconnectGraceMs: this.#config.disconnectGraceMs,
      repair: this.#config.repair,
      retransmitShare: this.#config.retransmitShare,
      transportFeedback: this.#bitrate?.newTransport(),
      fec: this.#config.fec !== 'off',
      simulatedLoss: this.#config.simulatedLoss,
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
    peer.on('feedback', (feedback) => {
      this.#bitrate?.playerFeedback(feedback);
      if (feedback.fractionLost !== undefined) this.#fec?.reportLoss(feedback.fractionLost);
    });
    peer.on('retransmitsLimited', (dropped) =>
      this.emit(
        'mediaWarning',
        new FramewayError(
          'FW_ERR_MEDIA_RATE_LIMITED',
          `${dropped} NACKed retransmissions over the budget (${this.#config.retransmitShare} × the media rate) dropped`,
        ),
      ),
    );
    peer.on('connected', () => {
      this.#log.info('player media connected');
      this.#fec?.attach(peer);
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
    const target = this.#bitrate?.target;
    const fec = this.#fec?.stats();
    return {
      packetsIn,
      bytesIn,
      packetsRejected,
      packetsForwarded: this.#packetsForwarded,
      inputMessages: this.#inputMessages,
      inputRejected: this.#inputRejected,
      playerConnected: this.#peer?.connected ?? false,
      audioPacketsIn: this.#audioIngest.counters.packetsIn,
      audioPacketsForwarded: this.#audioPacketsForwarded,
      repair: this.#repairStats(),
      ...(target ? { target } : {}),
      ...(fec ? { fec } : {}),
    };
  }

  /** Failover: the next sender that authenticates with a fresh key (the new agent's) takes over the ingest. */
  relatchIngest(): void {
    if (this.#closed) return;
    this.#keying = newKeying();
    this.#audioKeying = newKeying();
    this.#ingest.relatch(this.#keying);
    this.#audioIngest.relatch(this.#audioKeying);
    this.#mediaFlowing = false;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watch);
    this.#ingest.close();
    this.#audioIngest.close();
    this.#retirePeer();
    this.#bitrate?.close();
    this.#fec?.close();
    this.removeAllListeners();
    this.#onClose();
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

  #retirePeer(): void {
    const peer = this.#peer;
    if (!peer) return;
    const { admitted, dropped } = peer.retransmitCounters;
    this.#pastRetransmits = {
      admitted: this.#pastRetransmits.admitted + admitted,
      dropped: this.#pastRetransmits.dropped + dropped,
    };
    this.#fec?.detach(peer);
    peer.close();
    this.#peer = undefined;
  }

  #repairStats(): RepairStats {
    const ingest = this.#ingest.counters;
    const current = this.#peer?.retransmitCounters ?? { admitted: 0, dropped: 0 };
    return {
      ingestAuthFailures: ingest.authFailures,
      ingestReplayed: ingest.replayed,
      ingestNacked: ingest.nackedPackets,
      ingestRecovered: ingest.recovered,
      ingestLostUnrepaired: ingest.lostUnrepaired,
      ingestKeyframes: ingest.keyframes,
      playerRetransmits: this.#pastRetransmits.admitted + current.admitted,
      playerRetransmitsLimited: this.#pastRetransmits.dropped + current.dropped,
    };
  }

  /** Forged or replayed packets on the ingest: someone is sending into it. One typed warning per interval. */
  #warnAboutIngest(): void {
    const { authFailures, replayed } = this.#ingest.counters;
    const rejected = authFailures + replayed;
    if (rejected === this.#ingestRejectedSeen) return;
    const now = performance.now();
    if (now - this.#ingestWarnedAt < INGEST_WARNING_INTERVAL_MS) return;
    this.#ingestWarnedAt = now;
    this.emit(
      'mediaWarning',
      new FramewayError(
        'FW_ERR_MEDIA_MALFORMED',
        `${rejected - this.#ingestRejectedSeen} ingest packets failed SRTP authentication or replayed; dropped`,
      ),
    );
    this.#ingestRejectedSeen = rejected;
  }
}
