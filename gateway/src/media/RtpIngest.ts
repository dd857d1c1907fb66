import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/** Largest datagram accepted; ffmpeg is told pkt_size=1200. */
const MAX_RTP_PACKET_BYTES = 1500;

export interface RtpIngestOptions {
  host: string;
  /** SSRC the agent was told to use; other streams are dropped. */
  ssrc: number;
  payloadType: number;
  onPacket: (packet: Buffer) => void;
}

export interface RtpIngestCounters {
  packetsIn: number;
  bytesIn: number;
  packetsRejected: number;
  rtcpIn: number;
}

/**
 * A UDP socket receiving one session's RTP (and RTCP, muxed on the same port)
 * from its agent. Latches onto the first valid sender, so a stray packet from
 * elsewhere cannot inject media into the session.
 */
export class RtpIngest {
  readonly counters: RtpIngestCounters = { packetsIn: 0, bytesIn: 0, packetsRejected: 0, rtcpIn: 0 };
  readonly #options: RtpIngestOptions;
  readonly #socket: Socket;
  #source: string | undefined;
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

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }

  #receive(packet: Buffer, remote: RemoteInfo): void {
    const source = `${remote.address}:${remote.port}`;
    if (this.#source !== undefined && source !== this.#source) {
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
    this.#source ??= source;
    this.counters.packetsIn++;
    this.counters.bytesIn += packet.length;
    this.#options.onPacket(packet);
  }
}
