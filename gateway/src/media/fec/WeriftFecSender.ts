import { type RTCRtpCodecParameters, type RTCRtpSender, RtpHeader, RtpPacket, type TransportWideCC } from 'werift';
import { recordWireSend, TRANSPORT_CC_URI } from '../werift/recordWireSend.js';
import { encapsulateRed, redBlockPayloadType } from './encapsulateRed.js';
import { FecGroupPlanner } from './FecGroupPlanner.js';
import { FecSequenceMap } from './FecSequenceMap.js';
import { NackedPacketCounter } from './NackedPacketCounter.js';
import { MUTABLE_EXTENSION_URIS, protectedPacketBytes } from './protectedPacketBytes.js';

/** Payload types of a video stream sent as RED with ULPFEC. */
export interface UlpfecPayloadTypes {
  /** RED: the payload type every video packet carries (werift's primary codec). */
  red: number;
  /** ULPFEC: the block payload type of FEC packets inside RED. */
  ulpfec: number;
  /** H.264: the block payload type of media inside RED. */
  media: number;
}

/** A video packet on its way to the socket, as the loss simulator sees it. */
export interface OutgoingVideoPacket {
  seq: number;
  timestamp: number;
  marker: boolean;
  /** An ULPFEC packet (else media). */
  fec: boolean;
  /** With RED: media as the receiver XORs it (see protectedPacketBytes), or the ULPFEC payload. */
  bytes?: Uint8Array | undefined;
}

/**
 * Test and bench seam: a downlink that loses packets. Called for each video
 * packet (media or FEC) on the way to the socket; true drops it after FEC
 * has taken it into account, as a lossy network after the gateway would.
 */
export type DownlinkLossSimulator = (packet: OutgoingVideoPacket) => boolean;

/** The two calls werift makes on a sender's bandwidth estimator. */
export interface SendRecordSink {
  rtpPacketSent(sent: { wideSeq: number; size: number; sendingAtMs: number; sentAtMs: number }): void;
  receiveTWCC(feedback: TransportWideCC): void;
}

export interface WeriftFecSenderOptions {
  sender: RTCRtpSender;
  /** RED/ULPFEC as negotiated; undefined: plain H.264 (only the loss simulator runs here). */
  payloadTypes: UlpfecPayloadTypes | undefined;
  simulatedLoss?: DownlinkLossSimulator | undefined;
}

export interface FecSendCounters {
  /** Video media packets and their bytes (RTP payload, RED header included) sent. */
  mediaPackets: number;
  mediaBytes: number;
  /** ULPFEC packets and their bytes (RTP payload: RED header + FEC) sent. */
  fecPackets: number;
  fecBytes: number;
  /** Media packets covered by FEC, and those sent without (late, reordered, FEC off, huge frames). */
  protectedPackets: number;
  unprotectedPackets: number;
  /** Ingest packets too late to be given their place in the sequence space; dropped. */
  lateDropped: number;
  /** Packets the loss simulator dropped. */
  simulatedDrops: number;
  /** Distinct packets the player NACKed: its losses before any repair. */
  nackedPackets: number;
}

/** What a werift sender keeps private but the seam has to read. */
interface SenderInternals {
  headerExtensions: Array<{ uri: string; id: number }>;
  timestampOffset: number;
  redRedundantPayloadType?: number | undefined;
}

type SendRtp = (payload: Buffer, header: RtpHeader) => Promise<number>;

/**
 * The video sender's last step before SRTP, for RED + ULPFEC (RFC 2198,
 * RFC 5109) that Chromium decodes. Ingest packets get their output sequence
 * number (FEC packets take numbers in the same space) and a RED header
 * before werift's sender stamps them; the sender's transport's `sendRtp`
 * (payload, header) is then wrapped for the video SSRC: the narrowest seam
 * werift has where a packet's final plaintext exists (header extensions
 * stamped: mid, abs-send-time, transport-wide sequence, playout-delay), which
 * is exactly what the receiver XORs when it decodes FEC (mutable extensions
 * zeroed, PT = H.264). After a frame's last packet the FEC packets go back
 * through werift's `sendRtp`, so they get the same extensions, SR counts and
 * a place in the NACK cache as media.
 */
export class WeriftFecSender {
  readonly #sender: RTCRtpSender;
  readonly #types: UlpfecPayloadTypes | undefined;
  readonly #simulatedLoss: DownlinkLossSimulator | undefined;
  readonly #planner = new FecGroupPlanner();
  readonly #sequence = new FecSequenceMap();
  readonly #nacked = new NackedPacketCounter();
  readonly #counters = {
    mediaPackets: 0,
    mediaBytes: 0,
    fecPackets: 0,
    fecBytes: 0,
    lateDropped: 0,
    simulatedDrops: 0,
  };
  #mutableIds: ReadonlySet<number> = new Set();
  #transportCcId: number | undefined;
  #records: SendRecordSink | undefined;
  #wrapped: { transport: RTCRtpSender['dtlsTransport']; original: SendRtp } | undefined;
  #closed = false;

  constructor(options: WeriftFecSenderOptions) {
    this.#sender = options.sender;
    this.#types = options.payloadTypes;
    this.#simulatedLoss = options.simulatedLoss;
  }

  /**
   * RED and ULPFEC as werift negotiated them: RED first (the sender's codec,
   * see preferRedForFec), ULPFEC present, and the H.264 RED carries.
   */
  static negotiated(codecs: readonly RTCRtpCodecParameters[]): UlpfecPayloadTypes | undefined {
    const name = (codec: RTCRtpCodecParameters): string => codec.name.toLowerCase();
    const red = codecs[0];
    const ulpfec = codecs.find((codec) => name(codec) === 'ulpfec');
    const media = codecs.find((codec) => name(codec) === 'h264');
    if (!red || name(red) !== 'red' || !ulpfec || !media) return undefined;
    return { red: red.payloadType, ulpfec: ulpfec.payloadType, media: media.payloadType };
  }

  /** RED/ULPFEC in use (negotiated); false: plain H.264. */
  get active(): boolean {
    return this.#types !== undefined;
  }

  get counters(): FecSendCounters {
    const { protected: protectedPackets, unprotected } = this.#planner.counters;
    return {
      ...this.#counters,
      protectedPackets,
      unprotectedPackets: unprotected,
      nackedPackets: this.#nacked.count,
    };
  }

  /** Sequence numbers the player NACKed (FEC's loss signal; repeats are counted once). */
  noteNack(seqs: readonly number[]): void {
    this.#nacked.note(seqs);
  }

  /** Media packets per FEC packet (about), or undefined: RED without FEC. */
  setPacketsPerFec(packetsPerFec: number | undefined): void {
    if (this.#types) this.#planner.setPacketsPerFec(packetsPerFec);
  }

  /**
   * Takes over the sender's transport-wide send records: werift reads the
   * transport-wide number after awaiting the socket, by which time FEC (or any
   * other packet) sent meanwhile has moved it on; the seam reads each
   * packet's own number from its header instead.
   */
  recordSendsTo(sink: SendRecordSink): void {
    this.#records = sink;
    (this.#sender as unknown as { senderBWE: SendRecordSink }).senderBWE = {
      rtpPacketSent: () => {},
      receiveTWCC: (feedback) => sink.receiveTWCC(feedback),
    };
  }

  /**
   * Readies one ingest packet for the sender: its output sequence number and,
   * with RED, the RED header. False: too late to be placed; drop it.
   */
  prepare(rtp: RtpPacket): boolean {
    this.#install();
    const types = this.#types;
    if (!types) return true;
    const seq = this.#sequence.map(rtp.header.sequenceNumber);
    if (seq === undefined) {
      this.#counters.lateDropped++;
      return false;
    }
    rtp.header.sequenceNumber = seq;
    rtp.payload = encapsulateRed(types.media, rtp.payload);
    return true;
  }

  /** Restores the sender's transport. */
  close(): void {
    this.#closed = true;
    const wrapped = this.#wrapped;
    if (wrapped) wrapped.transport.sendRtp = wrapped.original;
    this.#wrapped = undefined;
  }

  #install(): void {
    const transport = this.#sender.dtlsTransport;
    if (this.#closed || !transport || this.#wrapped?.transport === transport) return;
    if (this.#wrapped) this.#wrapped.transport.sendRtp = this.#wrapped.original;
    const internals = this.#sender as unknown as SenderInternals;
    // werift turns a `red` codec with parameters into its audio-style redundancy encoder; video RED here has one block.
    internals.redRedundantPayloadType = undefined;
    const extensions = internals.headerExtensions ?? [];
    this.#mutableIds = new Set(extensions.filter((e) => MUTABLE_EXTENSION_URIS.includes(e.uri)).map((e) => e.id));
    this.#transportCcId = extensions.find((e) => e.uri === TRANSPORT_CC_URI)?.id;
    const original = transport.sendRtp.bind(transport) as SendRtp;
    transport.sendRtp = (payload: Buffer, header: RtpHeader) =>
      header.ssrc === this.#sender.ssrc ? this.#onWire(original, payload, header) : original(payload, header);
    this.#wrapped = { transport, original };
  }

  #onWire(send: SendRtp, payload: Buffer, header: RtpHeader): Promise<number> {
    const types = this.#types;
    const block = types ? redBlockPayloadType(payload) : undefined;
    const fec = types !== undefined && block === types.ulpfec;
    if (fec) {
      this.#counters.fecPackets++;
      this.#counters.fecBytes += payload.length;
    } else {
      this.#counters.mediaPackets++;
      this.#counters.mediaBytes += payload.length;
    }
    this.#record(payload, header);
    const media = types !== undefined && block === types.media;
    // The receiver's view costs a copy of the packet: only while something reads it.
    const needed = this.#planner.packetsPerFec !== undefined || this.#simulatedLoss !== undefined;
    const bytes =
      types !== undefined && media && needed
        ? protectedPacketBytes(
            header.serialize(header.serializeSize),
            payload.subarray(1),
            types.media,
            this.#mutableIds,
          )
        : undefined;
    let sent: Promise<number>;
    const { sequenceNumber: seq, timestamp, marker } = header;
    if (this.#simulatedLoss?.({ seq, timestamp, marker, fec, bytes: fec ? payload.subarray(1) : bytes })) {
      this.#counters.simulatedDrops++;
      sent = Promise.resolve(header.serializeSize + payload.length);
    } else {
      sent = send(payload, header);
    }
    // FEC goes out after the media packet that closed its group.
    if (types && bytes) this.#protect(types, bytes, header);
    else if (media) this.#planner.skip(seq);
    return sent;
  }

  #protect(types: UlpfecPayloadTypes, bytes: Buffer, header: RtpHeader): void {
    const fecPayloads = this.#planner.add({ seq: header.sequenceNumber, bytes, marker: header.marker });
    if (fecPayloads.length === 0) return;
    // werift adds its timestamp offset again on the way out.
    const timestamp = (header.timestamp - (this.#sender as unknown as SenderInternals).timestampOffset) >>> 0;
    for (const fecPayload of fecPayloads) {
      const fecHeader = new RtpHeader({
        sequenceNumber: this.#sequence.insertFec(),
        timestamp,
        marker: false,
        payloadType: types.red,
      });
      this.#sender.sendRtp(new RtpPacket(fecHeader, encapsulateRed(types.ulpfec, fecPayload))).catch(() => {});
    }
  }

  #record(payload: Buffer, header: RtpHeader): void {
    const records = this.#records;
    const id = this.#transportCcId;
    if (!records || id === undefined) return;
    const extension = header.extensions.find((e) => e.id === id);
    if (!extension || extension.payload.length < 2) return;
    recordWireSend(records, extension.payload.readUInt16BE(0), header, payload);
  }
}
