import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/** Largest datagram accepted; ffmpeg is told pkt_size=1200. */
const MAX_RTP_PACKET_BYTES = 1500;

export interface RtpIngestOptions {
  host: string;
  /** SSRC the agent was told to use; other streams are dropped. */
  ssrc: number;
  payloadType: number;
  onPacket: (packet: Buffer) => void;
  /** RTP clock rate of the stream, for the timestamp gap after a re-latch (90 kHz video). */
  clockRate?: number;
  /** Wall clock in ms (tests inject one). */
  now?: () => number;
}

export interface RtpIngestCounters {
  packetsIn: number;
  bytesIn: number;
  packetsRejected: number;
  rtcpIn: number;
  /** Times the ingest moved to a new sender (failover). */
  relatches: number;
}

/**
 * A UDP socket receiving one session's RTP (and RTCP, muxed on the same port)
 * from its agent. Latches onto the first valid sender, so a stray packet from
 * elsewhere cannot inject media into the session.
 *
 * On failover `relatch()` lets the next valid sender (the new agent) take
 * over; its stream is rewritten to continue the old one: sequence numbers go
 * on from the last forwarded packet and timestamps advance by the wall-clock
 * gap, so the player's jitter buffer sees one stream with a pause, not a
 * reset (the new encoder's first frame is a keyframe).
 */
export class RtpIngest {
  readonly counters: RtpIngestCounters = { packetsIn: 0, bytesIn: 0, packetsRejected: 0, rtcpIn: 0, relatches: 0 };
  readonly #options: RtpIngestOptions;
  readonly #socket: Socket;
  #source: string | undefined;
  /** The sender left behind by the last relatch: refused until another one latches. */
  #barred: string | undefined;
  #rebase = false;
  #seqOffset = 0;
  #tsOffset = 0;
  #lastSeq = -1;
  #lastTs = 0;
  #lastAt = 0;
  #port = 0;
  #closed = false;

  private constructor(options: RtpIngestOptions) {
    this.#options = options;
    this.#socket = createSocket({
      type: options.host.includes(':') ? 'udp6' : 'udp4',
      recvBufferSize: 4 * 1024 * 1024,
    });
    this.#socket.on('message', (packet, remote) => this.#receive(packet, remote));
    this.#socket.on('error', () => this.close());
  }

  static async open(options: RtpIngestOptions): Promise<RtpIngest> {
    const ingest = new RtpIngest(options);
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

  get port(): number {
    return this.#port;
  }

  /** The sender currently latched (`address:port`), if any. */
  get source(): string | undefined {
    return this.#source;
  }

  /**
   * Unlatches: the next valid packet from any sender but the current one
   * latches, and its stream is rebased onto the forwarded one. Called when
   * the session moves to another agent.
   */
  relatch(): void {
    this.#barred = this.#source;
    this.#source = undefined;
    this.#rebase = this.#lastSeq >= 0;
    this.counters.relatches++;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }

  #receive(packet: Buffer, remote: RemoteInfo): void {
    const source = `${remote.address}:${remote.port}`;
    if ((this.#source !== undefined && source !== this.#source) || source === this.#barred) {
      this.counters.packetsRejected++;
      return;
    }
    if (packet.length < 12 || packet.length > MAX_RTP_PACKET_BYTES || packet[0]! >> 6 !== 2) {
      this.counters.packetsRejected++;
      return;
    }
    const secondByte = packet[1]!;
    // RTCP (sender reports) shares the port: packet types 200-206 sit where the RTP marker+PT byte is.
    if (secondByte >= 200 && secondByte <= 206) {
      this.counters.rtcpIn++;
      return;
    }
    if ((secondByte & 0x7f) !== this.#options.payloadType || packet.readUInt32BE(8) !== this.#options.ssrc) {
      this.counters.packetsRejected++;
      return;
    }
    if (this.#source === undefined) {
      this.#source = source;
      this.#barred = undefined;
      if (this.#rebase) this.#rebaseOnto(packet);
    }
    this.counters.packetsIn++;
    this.counters.bytesIn += packet.length;
    if (this.#seqOffset !== 0 || this.#tsOffset !== 0) {
      packet.writeUInt16BE((packet.readUInt16BE(2) + this.#seqOffset) & 0xffff, 2);
      packet.writeUInt32BE((packet.readUInt32BE(4) + this.#tsOffset) >>> 0, 4);
    }
    this.#lastSeq = packet.readUInt16BE(2);
    this.#lastTs = packet.readUInt32BE(4);
    this.#lastAt = this.#now();
    this.#options.onPacket(packet);
  }

  /** Offsets that make `first` (the new sender's first packet) follow the last forwarded one. */
  #rebaseOnto(first: Buffer): void {
    this.#rebase = false;
    const gapMs = Math.max(1, this.#now() - this.#lastAt);
    const clockRate = this.#options.clockRate ?? 90_000;
    const wantSeq = (this.#lastSeq + 1) & 0xffff;
    const wantTs = (this.#lastTs + Math.round((gapMs * clockRate) / 1000)) >>> 0;
    this.#seqOffset = (wantSeq - first.readUInt16BE(2)) & 0xffff;
    this.#tsOffset = (wantTs - first.readUInt32BE(4)) >>> 0;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
