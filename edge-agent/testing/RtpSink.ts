import { createSocket, type Socket } from 'node:dgram';
import { decodeSrtpKeying, encodeSrtpKeying, type SrtpKeying } from '@frameway/protocol';
import { ProtectionProfileAes128CmHmacSha1_80, SrtpSession } from 'werift';

/** A fixed SRTP keying for tests: a publisher and an RtpSink given it understand each other. */
export const TEST_SRTP: SrtpKeying = encodeSrtpKeying(Uint8Array.from({ length: 30 }, (_, i) => i + 1));

export interface RtpPacket {
  version: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
  receivedAt: number;
}

/** Parses the fixed RTP header (RFC 3550), skipping CSRCs and a header extension. */
export function parseRtp(packet: Buffer, receivedAt = Date.now()): RtpPacket | undefined {
  if (packet.length < 12) return undefined;
  const b0 = packet[0] as number;
  const b1 = packet[1] as number;
  let offset = 12 + 4 * (b0 & 0x0f);
  if (b0 & 0x10) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  }
  let end = packet.length;
  if (b0 & 0x20) end -= packet[packet.length - 1] as number;
  return {
    version: b0 >> 6,
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(offset, end),
    receivedAt,
  };
}

/** H.264 NAL unit types starting in one RTP payload (RFC 6184: single NAL, STAP-A, FU-A start). */
export function h264NalTypes(payload: Buffer): number[] {
  const type = (payload[0] ?? 0) & 0x1f;
  if (type === 24) {
    const types: number[] = [];
    for (let offset = 1; offset + 2 < payload.length; ) {
      const size = payload.readUInt16BE(offset);
      types.push((payload[offset + 2] ?? 0) & 0x1f);
      offset += 2 + size;
    }
    return types;
  }
  if (type === 28) return (payload[1] ?? 0) & 0x80 ? [(payload[1] ?? 0) & 0x1f] : [];
  return [type];
}

/**
 * A UDP socket on 127.0.0.1 that collects RTP packets, for tests; given an
 * SRTP keying it plays the gateway's ingest: it decrypts (packets that fail
 * authentication count in `authFailures` and are dropped).
 */
export class RtpSink {
  readonly packets: RtpPacket[] = [];
  /** RTCP packets received on the RTP port (rtcp-mux). */
  rtcpPackets = 0;
  authFailures = 0;
  readonly #socket: Socket;
  readonly #srtp: SrtpSession | undefined;
  #port = 0;
  #waiters: Array<() => void> = [];

  private constructor(socket: Socket, srtp: SrtpKeying | undefined) {
    this.#socket = socket;
    if (srtp) {
      const { key, salt } = decodeSrtpKeying(srtp.masterKey);
      const keys = Buffer.from(key);
      const salts = Buffer.from(salt);
      this.#srtp = new SrtpSession({
        keys: { localMasterKey: keys, localMasterSalt: salts, remoteMasterKey: keys, remoteMasterSalt: salts },
        profile: ProtectionProfileAes128CmHmacSha1_80,
      });
    }
    socket.on('message', (message) => {
      // RFC 5761: RTCP packet types 192-223 sit where RTP's marker + payload type byte is.
      const second = message[1] ?? 0;
      if (second >= 192 && second <= 223) {
        this.rtcpPackets += 1;
        return;
      }
      let plain: Buffer = message;
      if (this.#srtp) {
        try {
          plain = this.#srtp.decrypt(message);
        } catch {
          this.authFailures += 1;
          return;
        }
      }
      const packet = parseRtp(plain);
      if (!packet) return;
      this.packets.push(packet);
      for (const wake of this.#waiters) wake();
    });
  }

  static async open(options: { srtp?: SrtpKeying } = {}): Promise<RtpSink> {
    const socket = createSocket('udp4');
    const sink = new RtpSink(socket, options.srtp);
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    sink.#port = socket.address().port;
    return sink;
  }

  get port(): number {
    return this.#port;
  }

  /** Completed frames so far: RTP packets with the marker bit. */
  get frames(): number {
    return this.packets.filter((packet) => packet.marker).length;
  }

  /** Resolves once `condition` holds; rejects after `timeoutMs`. */
  waitUntil(condition: () => boolean, timeoutMs = 5_000, what = 'RTP condition'): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.packets.length} packets)`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((waiter) => waiter !== check);
      };
      this.#waiters.push(check);
    });
  }

  /** Packets grouped into frames by RTP timestamp, in arrival order. */
  framesByTimestamp(): RtpPacket[][] {
    const frames: RtpPacket[][] = [];
    for (const packet of this.packets) {
      const last = frames[frames.length - 1];
      if (last && last[0]?.timestamp === packet.timestamp) last.push(packet);
      else frames.push([packet]);
    }
    return frames;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}
