import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { FramewayError, SRTP_PROFILE, TypedEmitter, VIDEO_CLOCK_RATE } from '@frameway/protocol';
import { RTP_PACKET_SIZE, type RtpTarget } from '../encoder/buildEncoderArgs.js';
import type { EncodedAccessUnit } from '../encoder/SessionVideoEncoder.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { buildSenderReport, compactNtp, ntpTimestamp } from './buildSenderReport.js';
import { H264Packetizer, type PacketizeResult, RTP_HEADER_BYTES } from './H264Packetizer.js';
import { type ReceiverReport, ReceiverReportTracker } from './ReceiverReportTracker.js';
import { RelayStamper } from './RelayStamper.js';
import type { RetransmitBudgetOptions } from './RetransmitBudget.js';
import { Retransmitter } from './Retransmitter.js';
import { RtpRelay } from './RtpRelay.js';
import { type Peer, resolvePeer } from './resolvePeer.js';
import { SrtcpReader, type SrtcpRefusal } from './SrtcpReader.js';
import { SrtpTransform } from './SrtpTransform.js';

export type { ReceiverReport } from './ReceiverReportTracker.js';
export type { RetransmitBudgetOptions } from './RetransmitBudget.js';

export interface RtpPublisherOptions {
  /** SessionStart.rtp (or an audio stream's equivalent): where to send, PT, SSRC, SRTP keying. */
  target: RtpTarget;
  /** 90000 for video (default), 48000 for Opus. */
  clockRate?: number;
  /** Packets kept for NACKs; 1024 by default. */
  historyPackets?: number;
  /** How long a packet stays retransmittable; 1000 ms by default. */
  historyMs?: number;
  retransmitBudget?: RetransmitBudgetOptions;
  /** Sender report period while media flows; 1000 ms by default. */
  reportIntervalMs?: number;
  /** First sequence number; random by default (RFC 3550 §5.1). */
  initialSequenceNumber?: number;
  /** First RTP timestamp; random by default. */
  initialTimestamp?: number;
  /** Monotonic ms on the clock of EncodedAccessUnit.captureMs; performance.now by default. */
  now?: () => number;
  /** Wall-clock Unix ms for sender reports' NTP time; Date.now by default. */
  wallClock?: () => number;
  logger?: Logger;
}

export interface RtpPublisherCounters {
  /** Media packets sent (retransmissions and reports not included), and their SRTP bytes. */
  packetsSent: number;
  bytesSent: number;
  retransmits: number;
  retransmitBytes: number;
  /** Retransmissions refused by the budget. */
  retransmitsDropped: number;
  /** Generic NACK messages about our stream. */
  nacksReceived: number;
  /** Sequence numbers NACKed that the history no longer (or never) held. */
  nackMisses: number;
  /** PLI/FIR-bearing RTCP packets that asked for a keyframe. */
  keyframeRequests: number;
  /** SRTCP packets accepted (from the gateway, authentic, fresh, well formed). */
  rtcpIn: number;
  /** Datagrams from anyone but the target host:port. */
  rtcpRejected: number;
  rtcpAuthFailures: number;
  /** Authentic SRTCP packets seen before (replayed). */
  rtcpReplayed: number;
  /** Datagrams from the gateway that are not valid SRTCP/RTCP. */
  rtcpMalformed: number;
  /** Relay datagrams that were not acceptable RTP. */
  relayRejected: number;
  srSent: number;
  /** Access units that produced no packet (no NAL units, bad captureMs, or fed to a relay publisher). */
  accessUnitsDropped: number;
  /** NAL units left out of packets (reserved or aggregation types). */
  nalsDropped: number;
  /** Datagrams the socket failed to send. */
  sendErrors: number;
}

export type RtpPublisherEvents = {
  /** The gateway asked for an IDR (PLI, or a new FIR). */
  keyframeRequest: [reason: 'pli' | 'fir'];
  /** A reception report about our stream. */
  receiverReport: [report: ReceiverReport];
};

/**
 * One SRTP stream from the agent to the gateway's ingest: packetizes access
 * units (or relays the ffmpeg CLI's RTP from a loopback port), protects and
 * sends them, keeps them for NACKs, answers the gateway's SRTCP (NACK →
 * retransmit within a budget, PLI/FIR → 'keyframeRequest', RR →
 * 'receiverReport' with RTT) and sends a sender report every second. A
 * publisher is fed one way or the other, never both: the two would share
 * sequence numbers, and SRTP must never protect two plaintexts at one index.
 *
 * @example
 * const publisher = await RtpPublisher.open({ target: start.rtp });
 * publisher.on('keyframeRequest', () => encoder.requestKeyframe());
 * encoder.on('accessUnit', (unit) => publisher.sendAccessUnit(unit));
 */
export class RtpPublisher extends TypedEmitter<RtpPublisherEvents> {
  readonly ssrc: number;
  readonly payloadType: number;
  readonly clockRate: number;
  /** The local UDP port the gateway's SRTCP comes back to. */
  readonly localPort: number;
  readonly #socket: Socket;
  readonly #peer: Peer;
  readonly #srtp: SrtpTransform;
  readonly #retransmitter: Retransmitter;
  readonly #rtcp: SrtcpReader;
  readonly #reports: ReceiverReportTracker;
  readonly #packetizer: H264Packetizer;
  readonly #stamper = new RelayStamper();
  readonly #now: () => number;
  readonly #wallClock: () => number;
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;
  readonly #initialTimestamp: number;
  readonly #counters: RtpPublisherCounters = {
    packetsSent: 0,
    bytesSent: 0,
    retransmits: 0,
    retransmitBytes: 0,
    retransmitsDropped: 0,
    nacksReceived: 0,
    nackMisses: 0,
    keyframeRequests: 0,
    rtcpIn: 0,
    rtcpRejected: 0,
    rtcpAuthFailures: 0,
    rtcpReplayed: 0,
    rtcpMalformed: 0,
    relayRejected: 0,
    srSent: 0,
    accessUnitsDropped: 0,
    nalsDropped: 0,
    sendErrors: 0,
  };
  /** Scratch for one plaintext packet of an access unit. */
  readonly #packet = Buffer.alloc(RTP_PACKET_SIZE);
  #mode: 'accessUnits' | 'relay' | undefined;
  #relay: Promise<RtpRelay> | undefined;
  /** Next extended sequence number (rollovers × 65536 + sequence number). */
  #nextIndex: number;
  #lastTimestamp: number | undefined;
  #lastTimestampAtMs = 0;
  /** The access unit being packetized. */
  #unitTimestamp = 0;
  #payloadOctets = 0;
  #mediaSinceReport = false;
  #lastFirSequence: number | undefined;
  #closing: Promise<void> | undefined;

  private constructor(init: { options: RtpPublisherOptions; socket: Socket; peer: Peer; srtp: SrtpTransform }) {
    const { options } = init;
    const log = options.logger ?? createLogger('rtp-publisher', { ssrc: options.target.ssrc });
    super((error, event) => log.error({ err: error, event }, 'rtp publisher listener threw'));
    this.#log = log;
    this.ssrc = options.target.ssrc;
    this.payloadType = options.target.payloadType;
    this.clockRate = options.clockRate ?? VIDEO_CLOCK_RATE;
    this.#socket = init.socket;
    this.localPort = init.socket.address().port;
    this.#peer = init.peer;
    this.#srtp = init.srtp;
    this.#now = options.now ?? (() => performance.now());
    this.#wallClock = options.wallClock ?? Date.now;
    this.#retransmitter = new Retransmitter({
      history: {
        ...(options.historyPackets === undefined ? {} : { capacity: options.historyPackets }),
        ...(options.historyMs === undefined ? {} : { maxAgeMs: options.historyMs }),
      },
      ...(options.retransmitBudget === undefined ? {} : { budget: options.retransmitBudget }),
      protect: (packet, index) => this.#srtp.protectRtp(packet, index),
      send: (datagram) => this.#send(datagram),
    });
    this.#rtcp = new SrtcpReader(init.peer, init.srtp, this.ssrc);
    this.#reports = new ReceiverReportTracker(this.clockRate);
    this.#nextIndex = (options.initialSequenceNumber ?? randomInt(0, 0x1_0000)) & 0xffff;
    this.#initialTimestamp = (options.initialTimestamp ?? randomInt(0, 0x1_0000_0000)) >>> 0;
    this.#packetizer = new H264Packetizer({ initialTimestamp: this.#initialTimestamp, clockRate: this.clockRate });
    this.#socket.on('message', this.#onDatagram);
    this.#socket.on('error', (error) => this.#log.warn({ err: error }, 'rtp publisher socket error'));
    this.#timer = setInterval(() => this.#sendReport(), options.reportIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Opens the socket towards `options.target`; FW_ERR_INVALID_PAYLOAD when the target or its keying is unusable. */
  static async open(options: RtpPublisherOptions): Promise<RtpPublisher> {
    const { target } = options;
    checkRtpTarget(target);
    const srtp = new SrtpTransform(target.srtp);
    const peer = await resolvePeer(target.host, target.port);
    const socket = await bindUdpSocket(peer.family);
    const publisher = new RtpPublisher({ options, socket, peer, srtp });
    publisher.#log.info({ peer: `${peer.address}:${peer.port}`, local: publisher.localPort }, 'rtp publisher open');
    return publisher;
  }

  /** A copy of the counters. */
  get counters(): RtpPublisherCounters {
    return { ...this.#counters };
  }

  /** The latest round-trip time from a receiver report, if any. */
  get rttMs(): number | undefined {
    return this.#reports.rttMs;
  }

  get lastReceiverReport(): ReceiverReport | undefined {
    return this.#reports.last;
  }

  /** Packetizes, protects and sends one access unit. Never throws; a unit it cannot send is counted. */
  sendAccessUnit(unit: EncodedAccessUnit): void {
    if (this.#closing) return;
    this.#mode ??= 'accessUnits';
    if (this.#mode !== 'accessUnits' || !(unit.data instanceof Uint8Array) || !Number.isFinite(unit.captureMs)) {
      this.#counters.accessUnitsDropped++;
      return;
    }
    this.#unitTimestamp = this.#packetizer.timestampFor(unit.captureMs);
    let result: PacketizeResult;
    try {
      result = this.#packetizer.packetize(unit.data, this.#emitPayload);
    } catch (error) {
      // Not expected (the packetizer bounds-checks, the socket is open); the encoder must not die of it.
      this.#counters.accessUnitsDropped++;
      this.#log.debug({ err: error }, 'access unit not sent');
      return;
    }
    this.#counters.nalsDropped += result.nalsDropped;
    if (result.packets === 0) {
      this.#counters.accessUnitsDropped++;
      return;
    }
    this.#lastTimestamp = this.#unitTimestamp;
    this.#lastTimestampAtMs = unit.captureMs;
  }

  /**
   * Opens the loopback port where the ffmpeg CLI sends plain RTP (once; later
   * calls return the same port). FW_ERR_INVALID_STATE once closed or after
   * access units were sent.
   */
  async openRelay(): Promise<{ host: string; port: number }> {
    if (this.#closing) throw new FramewayError('FW_ERR_INVALID_STATE', 'RTP publisher is closed');
    this.#mode ??= 'relay';
    if (this.#mode !== 'relay') {
      throw new FramewayError('FW_ERR_INVALID_STATE', 'RTP publisher already sends access units; it cannot also relay');
    }
    this.#relay ??= RtpRelay.open({
      payloadType: this.payloadType,
      maxPacketBytes: RTP_PACKET_SIZE,
      onPacket: (packet, source) => this.#onRelayed(packet, source),
      onReject: () => this.#counters.relayRejected++,
      logger: this.#log,
    });
    let relay: RtpRelay;
    try {
      relay = await this.#relay;
    } catch (error) {
      this.#relay = undefined;
      throw new FramewayError('FW_ERR_INTERNAL', 'RTP relay port could not be opened', undefined, { cause: error });
    }
    if (this.#closing) throw new FramewayError('FW_ERR_INVALID_STATE', 'RTP publisher is closed');
    return { host: relay.host, port: relay.port };
  }

  /** Stops sending and closes both sockets. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#timer);
    const relay = await this.#relay?.catch(() => undefined);
    await relay?.close();
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
    this.#log.info({ counters: this.#counters }, 'rtp publisher closed');
  }

  // One function for every packet of every access unit, so packetizing allocates no closure.
  readonly #emitPayload = (payload: Uint8Array, marker: boolean): void => {
    const packet = this.#packet;
    const index = this.#nextIndex++;
    packet[0] = 0x80;
    packet[1] = (marker ? 0x80 : 0) | this.payloadType;
    packet.writeUInt16BE(index & 0xffff, 2);
    packet.writeUInt32BE(this.#unitTimestamp, 4);
    packet.writeUInt32BE(this.ssrc, 8);
    packet.set(payload, RTP_HEADER_BYTES);
    this.#sendMedia(packet.subarray(0, RTP_HEADER_BYTES + payload.length), index);
  };

  #onRelayed(packet: Buffer, source: string): void {
    if (this.#closing) return;
    const now = this.#now();
    const stamp = this.#stamper.stamp(
      { source, sequenceNumber: packet.readUInt16BE(2), timestamp: packet.readUInt32BE(4) },
      this.#nextIndex,
      () => this.#timestampAt(now, 1),
    );
    if (!stamp) {
      this.#counters.relayRejected++;
      return;
    }
    packet.writeUInt16BE(stamp.index & 0xffff, 2);
    packet.writeUInt32BE(stamp.timestamp, 4);
    packet.writeUInt32BE(this.ssrc, 8);
    if (stamp.index >= this.#nextIndex) {
      this.#nextIndex = stamp.index + 1;
      this.#lastTimestamp = stamp.timestamp;
      this.#lastTimestampAtMs = now;
    }
    this.#sendMedia(packet, stamp.index);
  }

  #sendMedia(packet: Uint8Array, index: number): void {
    const wire = this.#srtp.protectRtp(packet, index);
    this.#send(wire);
    this.#retransmitter.recordMedia(index, packet, wire.length, this.#now());
    this.#counters.packetsSent++;
    this.#counters.bytesSent += wire.length;
    this.#payloadOctets += packet.length - RTP_HEADER_BYTES;
    this.#mediaSinceReport = true;
  }

  #send(datagram: Buffer): void {
    this.#socket.send(datagram, this.#peer.port, this.#peer.address, this.#onSent);
  }

  readonly #onSent = (error: Error | null): void => {
    if (error) this.#counters.sendErrors++;
  };

  /** RTP time of `nowMs` on this stream: the last timestamp sent plus the time since its capture. */
  #timestampAt(nowMs: number, minAdvance = 0): number {
    if (this.#lastTimestamp === undefined) return this.#initialTimestamp;
    const ticks = Math.round(((nowMs - this.#lastTimestampAtMs) * this.clockRate) / 1000);
    return (this.#lastTimestamp + Math.max(minAdvance, ticks)) >>> 0;
  }

  #sendReport(): void {
    if (this.#closing || !this.#mediaSinceReport) return;
    this.#mediaSinceReport = false;
    const now = this.#now();
    const unixMs = this.#wallClock();
    const report = buildSenderReport({
      ssrc: this.ssrc,
      unixMs,
      rtpTimestamp: this.#timestampAt(now),
      packetCount: this.#counters.packetsSent,
      octetCount: this.#payloadOctets,
    });
    this.#reports.recordSenderReport(compactNtp(ntpTimestamp(unixMs)), now);
    this.#send(this.#srtp.protectRtcp(report));
    this.#counters.srSent++;
  }

  readonly #onDatagram = (datagram: Buffer, remote: RemoteInfo): void => {
    if (this.#closing) return;
    try {
      this.#receive(datagram, remote);
    } catch (error) {
      // Nothing from the network may take the agent down.
      this.#counters.rtcpMalformed++;
      this.#log.debug({ err: error }, 'rtcp handling failed');
    }
  };

  #receive(datagram: Buffer, remote: RemoteInfo): void {
    const feedback = this.#rtcp.read(datagram, remote);
    if (typeof feedback === 'string') {
      this.#counters[REFUSAL_COUNTER[feedback]]++;
      return;
    }
    this.#counters.rtcpIn++;
    const now = this.#now();
    for (const lost of feedback.nacks) {
      const outcome = this.#retransmitter.answerNack(lost, now, this.#reports.rttMs);
      this.#counters.nacksReceived++;
      this.#counters.retransmits += outcome.retransmits;
      this.#counters.retransmitBytes += outcome.retransmitBytes;
      this.#counters.retransmitsDropped += outcome.dropped;
      this.#counters.nackMisses += outcome.misses;
    }
    // RFC 5104 §4.3.1: a FIR repeated with the same sequence number is the same request.
    const fir = feedback.firSequenceNumbers.some((seq) => seq !== this.#lastFirSequence);
    if (feedback.firSequenceNumbers.length > 0) this.#lastFirSequence = feedback.firSequenceNumbers.at(-1);
    if (feedback.pli || fir) {
      this.#counters.keyframeRequests++;
      this.emit('keyframeRequest', feedback.pli ? 'pli' : 'fir');
    }
    for (const block of feedback.reports) this.emit('receiverReport', this.#reports.onReportBlock(block, now));
  }
}

const REFUSAL_COUNTER = {
  rejected: 'rtcpRejected',
  auth: 'rtcpAuthFailures',
  replayed: 'rtcpReplayed',
  malformed: 'rtcpMalformed',
} as const satisfies Record<SrtcpRefusal, keyof RtpPublisherCounters>;

function isUint(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

/** Throws FW_ERR_INVALID_PAYLOAD for a target no stream can be sent to. */
function checkRtpTarget(target: RtpTarget): void {
  if (target.srtp.profile !== SRTP_PROFILE) {
    throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `SRTP profile ${String(target.srtp.profile)} is not supported`);
  }
  if (!isUint(target.ssrc, 0xffff_ffff) || target.ssrc === 0 || !isUint(target.payloadType, 127)) {
    throw new FramewayError('FW_ERR_INVALID_PAYLOAD', 'RTP target needs an SSRC in 1..2^32-1 and a payload type');
  }
  if (!isUint(target.port, 0xffff) || target.port === 0) {
    throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `RTP target port ${target.port} is not a UDP port`);
  }
}

/** A UDP socket bound to any local port of the family; FW_ERR_INTERNAL (and nothing left open) when it cannot bind. */
async function bindUdpSocket(family: 4 | 6): Promise<Socket> {
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return socket;
  } catch (error) {
    socket.close();
    throw new FramewayError('FW_ERR_INTERNAL', 'RTP publisher socket could not bind', undefined, { cause: error });
  }
}
