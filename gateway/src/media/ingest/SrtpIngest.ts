import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { type SrtpKeying, TypedEmitter } from '@frameway/protocol';
import { createLogger, type Logger } from '../../logging/logger.js';
import { buildGenericNacks, buildPictureLossIndication, buildReceiverReport } from './buildRtcpFeedback.js';
import { detectH264Keyframe } from './detectH264Keyframe.js';
import { IngestCrypto, type PlainRtp, srtcpIndex } from './IngestCrypto.js';
import { type NackArrival, NackTracker, type NackTrackerOptions } from './NackTracker.js';
import { ReceptionStats } from './ReceptionStats.js';
import { ReplayWindow } from './ReplayWindow.js';
import { readSenderReport } from './readSenderReport.js';
import { StreamRebaser } from './StreamRebaser.js';
import { rolloverCounter } from './unwrapSequence.js';

/** Largest datagram accepted; the agent sends at most 1200 bytes + the SRTP tag. */
const MAX_PACKET_BYTES = 1500;
const NACK_POLL_MS = 5;
/** Floor between two PLIs whatever the caller does: one keyframe answers both. */
const MIN_PLI_SPACING_MS = 20;

export interface SrtpIngestOptions {
  host: string;
  /** SSRC the agent was told to use; other streams are dropped. */
  ssrc: number;
  payloadType: number;
  /** SessionStart.rtp.srtp: the master key this session's agent protects its stream with. */
  keying: SrtpKeying;
  /** Every authenticated packet, decrypted (plain RTP), rebased after a relatch. */
  onPacket: (packet: Buffer) => void;
  /** RTP clock rate: jitter units and the timestamp gap after a relatch (90 kHz video, 48 kHz Opus). */
  clockRate?: number;
  /** NACK and keyframe requests (default true); false is the ingest without repair, the bench's baseline. */
  repair?: boolean;
  /** H.264 video (default true): keyframe detection and NACK. An audio ingest sets false. */
  video?: boolean;
  /** Monotonic clock in ms (tests inject one). */
  now?: () => number;
  logger?: Logger;
  /** Receiver report period (default 500 ms). */
  reportIntervalMs?: number;
  /** NACK limits (defaults: 512 missing, 10 NACKs, 1000 ms, 10 ms floor). */
  nack?: NackTrackerOptions;
  /** Replay window in packets (default 2048). */
  replayWindow?: number;
}

export interface SrtpIngestCounters {
  packetsIn: number;
  bytesIn: number;
  /** Wrong source, size, version, payload type or SSRC. */
  packetsRejected: number;
  authFailures: number;
  replayed: number;
  rtcpIn: number;
  rtcpAuthFailures: number;
  /** Authenticated SRTCP that is malformed, a replay, or not from the agent's SSRC. */
  rtcpDropped: number;
  nacksSent: number;
  nackedPackets: number;
  recovered: number;
  lostUnrepaired: number;
  plisSent: number;
  keyframes: number;
  relatches: number;
  rrSent: number;
}

export interface SrtpIngestStats {
  /** Loss before repair in the last report interval, 0..1. */
  lossFraction: number;
  /** From answered NACKs; undefined until one was answered. */
  rttMs: number | undefined;
  jitterMs: number;
}

export type SrtpIngestEvents = {
  /** A keyframe started (once per access unit). */
  keyframe: [info: { rtpTimestamp: number }];
  /** Packets were given up; the picture is broken until a keyframe: the caller asks for one. */
  unrepairable: [info: { lost: number }];
};

/**
 * The agent→gateway media leg of one stream: SRTP in, plain RTP out to the
 * player side, SRTCP feedback (NACK, PLI, receiver reports) back to the agent
 * over the same socket. Successor of RtpIngest, with its latching and
 * failover: only a packet that authenticates can latch the ingest, and
 * `relatch(newKeying)` moves it to the next agent, whose stream is rebased to
 * continue the forwarded one (see RtpIngest).
 */
export class SrtpIngest extends TypedEmitter<SrtpIngestEvents> {
  readonly #counters = zeroCounters();
  readonly #options: SrtpIngestOptions;
  readonly #socket: Socket;
  readonly #log: Logger;
  readonly #repair: boolean;
  readonly #video: boolean;
  readonly #clockRate: number;
  /** Our RTCP sender SSRC, random and never the agent's. */
  readonly #ssrc: number;
  readonly #replay: ReplayWindow;
  readonly #rtcpReplay = new ReplayWindow({ size: 64 });
  readonly #nacks: NackTracker | undefined;
  readonly #reception: ReceptionStats;
  #crypto: IngestCrypto;
  #source: { key: string; address: string; port: number } | undefined;
  /** The sender left behind by the last relatch: refused until another one latches. */
  #barred: string | undefined;
  readonly #rebaser: StreamRebaser;
  #lastSr: { lsr: number; at: number } | undefined;
  #lastKeyframeTs: number | undefined;
  #lastPliAt = Number.NEGATIVE_INFINITY;
  #packetsAtLastReport = 0;
  #reportTimer: NodeJS.Timeout | undefined;
  #nackTimer: NodeJS.Timeout | undefined;
  readonly #clock: () => number;
  #port = 0;
  #closed = false;

  private constructor(options: SrtpIngestOptions) {
    super((error, event) => this.#log.error({ err: error, event }, 'ingest listener threw'));
    this.#options = options;
    this.#clock = options.now ?? (() => performance.now());
    this.#crypto = IngestCrypto.fromKeying(options.keying);
    this.#log = options.logger ?? createLogger('media.ingest', { ssrc: options.ssrc });
    this.#repair = options.repair ?? true;
    this.#video = options.video ?? true;
    this.#clockRate = options.clockRate ?? 90_000;
    this.#ssrc = randomSsrcOtherThan(options.ssrc);
    this.#replay = new ReplayWindow(options.replayWindow === undefined ? {} : { size: options.replayWindow });
    this.#nacks = this.#repair && this.#video ? new NackTracker(options.nack) : undefined;
    this.#reception = new ReceptionStats(this.#clockRate);
    this.#rebaser = new StreamRebaser(this.#clockRate);
    this.#socket = createSocket({
      type: options.host.includes(':') ? 'udp6' : 'udp4',
      recvBufferSize: 4 * 1024 * 1024,
    });
    this.#socket.on('message', (packet, remote) => this.#receive(packet, remote));
    this.#socket.on('error', (error) => {
      this.#log.warn({ err: error }, 'ingest socket failed');
      this.close();
    });
  }

  /** Binds a UDP port on `host`; throws FramewayError FW_ERR_INVALID_PAYLOAD for bad keying. */
  static async open(options: SrtpIngestOptions): Promise<SrtpIngest> {
    const ingest = new SrtpIngest(options);
    await new Promise<void>((resolve, reject) => {
      ingest.#socket.once('error', reject);
      ingest.#socket.bind(0, options.host, () => {
        ingest.#socket.off('error', reject);
        resolve();
      });
    });
    ingest.#port = ingest.#socket.address().port;
    return ingest;
  }

  get ssrc(): number {
    return this.#options.ssrc;
  }

  /** The SSRC of our SRTCP (NACK, PLI, RR). */
  get feedbackSsrc(): number {
    return this.#ssrc;
  }

  get port(): number {
    return this.#port;
  }

  /** The sender currently latched (`address:port`), if any. */
  get source(): string | undefined {
    return this.#source?.key;
  }

  get counters(): SrtpIngestCounters {
    return { ...this.#counters };
  }

  stats(): SrtpIngestStats {
    return {
      lossFraction: this.#reception.lossFraction,
      rttMs: this.#nacks?.rttMs,
      jitterMs: this.#reception.jitterMs,
    };
  }

  /**
   * Moves to the next agent: its fresh key replaces the old one (whose packets
   * then fail authentication), the old sender is refused, and the next packet
   * that authenticates from anywhere else latches and is rebased onto the
   * forwarded stream. Throws (changing nothing) for bad keying.
   */
  relatch(keying: SrtpKeying): void {
    this.#crypto = IngestCrypto.fromKeying(keying);
    this.#barred = this.#source?.key;
    this.#source = undefined;
    this.#rebaser.expectNewSender();
    this.#replay.reset();
    this.#rtcpReplay.reset();
    this.#nacks?.reset();
    this.#reception.reset();
    this.#lastSr = undefined;
    this.#lastKeyframeTs = undefined;
    this.#stopTimers();
    this.#counters.relatches++;
    this.#log.info({ barred: this.#barred }, 'ingest unlatched for a new sender');
  }

  /** Sends a PLI to the latched agent; false when there is none, repair is off, or one went out < 20 ms ago. */
  requestKeyframe(): boolean {
    const now = this.#now();
    if (this.#closed || !this.#repair || !this.#video || this.#source === undefined) return false;
    if (now - this.#lastPliAt < MIN_PLI_SPACING_MS) return false;
    this.#lastPliAt = now;
    this.#sendRtcp(buildPictureLossIndication(this.#ssrc, this.#options.ssrc));
    this.#counters.plisSent++;
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimers();
    this.#socket.close();
    this.#log.info({ counters: this.#counters }, 'ingest closed');
  }

  #receive(packet: Buffer, remote: RemoteInfo): void {
    const source = `${remote.address}:${remote.port}`;
    if ((this.#source !== undefined && source !== this.#source.key) || source === this.#barred) {
      this.#counters.packetsRejected++;
      return;
    }
    if (packet.length < 12 || packet.length > MAX_PACKET_BYTES || packet[0]! >> 6 !== 2) {
      this.#counters.packetsRejected++;
      return;
    }
    const secondByte = packet[1]!;
    // RFC 5761: RTCP types 192-223 sit where RTP's marker + PT byte is; dynamic PTs (96-127) never collide.
    if (secondByte >= 192 && secondByte <= 223) {
      this.#receiveRtcp(packet);
      return;
    }
    if ((secondByte & 0x7f) !== this.#options.payloadType || packet.readUInt32BE(8) !== this.#options.ssrc) {
      this.#counters.packetsRejected++;
      return;
    }
    const index = this.#replay.indexOf(packet.readUInt16BE(2));
    if (this.#replay.check(index) !== 'fresh') {
      this.#counters.replayed++;
      return;
    }
    const plain = this.#crypto.unprotectRtp(packet, rolloverCounter(index));
    if (plain === undefined) {
      this.#counters.authFailures++;
      return;
    }
    const newest = index > (this.#replay.highest ?? -1);
    this.#replay.accept(index);
    if (this.#source === undefined) this.#latch(source, remote);
    this.#counters.packetsIn++;
    this.#counters.bytesIn += packet.length;
    const now = this.#now();
    const arrival = this.#nacks?.onPacket(plain.header.sequenceNumber, now);
    if (arrival === 'recovered') this.#counters.recovered++;
    this.#reception.onPacket(index, plain.header.timestamp, now, arrival === 'recovered' || arrival === 'late');
    if (this.#video) this.#detectKeyframe(plain);
    this.#forward(plain.packet, newest, now);
    if (arrival !== undefined) this.#afterArrival(arrival);
  }

  #latch(source: string, remote: RemoteInfo): void {
    this.#source = { key: source, address: remote.address, port: remote.port };
    this.#barred = undefined;
    this.#packetsAtLastReport = this.#counters.packetsIn;
    this.#reportTimer = setInterval(() => this.#sendReport(), this.#options.reportIntervalMs ?? 500);
    this.#reportTimer.unref();
    this.#log.info({ source }, 'ingest latched');
  }

  #forward(packet: Buffer, newest: boolean, now: number): void {
    this.#rebaser.rewrite(packet, newest, now);
    try {
      this.#options.onPacket(packet);
    } catch (error) {
      this.#log.debug({ err: error }, 'ingest onPacket threw');
    }
  }

  #detectKeyframe(plain: PlainRtp): void {
    const { packet, header } = plain;
    if (header.timestamp === this.#lastKeyframeTs) return;
    if (!detectH264Keyframe(packet.subarray(header.payloadOffset, packet.length - header.paddingSize))) return;
    this.#lastKeyframeTs = header.timestamp;
    this.#counters.keyframes++;
    this.emit('keyframe', { rtpTimestamp: header.timestamp });
  }

  #afterArrival(arrival: NackArrival): void {
    if (arrival === 'gap' || arrival === 'reset') this.#pollNacks();
    if (this.#nacks?.pending && this.#nackTimer === undefined) {
      this.#nackTimer = setInterval(() => this.#pollNacks(), NACK_POLL_MS);
      this.#nackTimer.unref();
    }
  }

  #pollNacks(): void {
    const nacks = this.#nacks;
    if (nacks === undefined || this.#source === undefined || this.#closed) return;
    const { nack, gaveUp } = nacks.poll(this.#now());
    if (nack.length > 0) {
      for (const packet of buildGenericNacks(this.#ssrc, this.#options.ssrc, nack)) {
        this.#sendRtcp(packet);
        this.#counters.nacksSent++;
      }
      this.#counters.nackedPackets += nack.length;
    }
    if (!nacks.pending && this.#nackTimer !== undefined) {
      clearInterval(this.#nackTimer);
      this.#nackTimer = undefined;
    }
    if (gaveUp > 0) {
      this.#counters.lostUnrepaired += gaveUp;
      this.#log.debug({ gaveUp }, 'ingest gave up on missing packets');
      // Nobody to coalesce keyframe requests: ask for one ourselves rather than leave the picture broken.
      if (this.listenerCount('unrepairable') === 0) this.requestKeyframe();
      this.emit('unrepairable', { lost: gaveUp });
    }
  }

  #receiveRtcp(packet: Buffer): void {
    this.#counters.rtcpIn++;
    const rtcp = this.#crypto.unprotectRtcp(packet);
    if (rtcp === undefined) {
      this.#counters.rtcpAuthFailures++;
      return;
    }
    const index = srtcpIndex(packet);
    const reading = readSenderReport(rtcp, this.#options.ssrc);
    // The replay window follows the agent's SRTCP index, which werift keeps per sender SSRC.
    const fromAgent = rtcp.readUInt32BE(4) === this.#options.ssrc;
    if (!fromAgent || !reading.valid || this.#rtcpReplay.check(index) !== 'fresh') {
      this.#counters.rtcpDropped++;
      return;
    }
    this.#rtcpReplay.accept(index);
    if (reading.lsr !== undefined) this.#lastSr = { lsr: reading.lsr, at: this.#now() };
  }

  /** A receiver report for the agent's stream, while it is sending. */
  #sendReport(): void {
    if (this.#source === undefined || this.#closed || !this.#reception.started) return;
    if (this.#counters.packetsIn === this.#packetsAtLastReport) return;
    this.#packetsAtLastReport = this.#counters.packetsIn;
    const report = this.#reception.report();
    const sr = this.#lastSr;
    const dlsr = sr === undefined ? 0 : ((this.#now() - sr.at) * 65_536) / 1000;
    this.#sendRtcp(buildReceiverReport(this.#ssrc, { ssrc: this.#options.ssrc, ...report, lsr: sr?.lsr ?? 0, dlsr }));
    this.#counters.rrSent++;
  }

  #sendRtcp(rtcp: Buffer): void {
    const source = this.#source;
    if (source === undefined || this.#closed) return;
    // Symmetric RTP: feedback goes back to where the media comes from. A failed send is dropped; RRs repeat.
    this.#socket.send(this.#crypto.protectRtcp(rtcp), source.port, source.address, () => {});
  }

  #stopTimers(): void {
    if (this.#reportTimer !== undefined) clearInterval(this.#reportTimer);
    if (this.#nackTimer !== undefined) clearInterval(this.#nackTimer);
    this.#reportTimer = undefined;
    this.#nackTimer = undefined;
  }

  #now(): number {
    return this.#clock();
  }
}

function randomSsrcOtherThan(ssrc: number): number {
  let ours = randomInt(1, 0xffff_ffff);
  while (ours === ssrc) ours = randomInt(1, 0xffff_ffff);
  return ours;
}

function zeroCounters(): SrtpIngestCounters {
  return {
    packetsIn: 0,
    bytesIn: 0,
    packetsRejected: 0,
    authFailures: 0,
    replayed: 0,
    rtcpIn: 0,
    rtcpAuthFailures: 0,
    rtcpDropped: 0,
    nacksSent: 0,
    nackedPackets: 0,
    recovered: 0,
    lostUnrepaired: 0,
    plisSent: 0,
    keyframes: 0,
    relatches: 0,
    rrSent: 0,
  };
}
