import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Logger } from '../logging/logger.js';

export const RELAY_HOST = '127.0.0.1';

export interface RtpRelayOptions {
  payloadType: number;
  /** Largest RTP packet accepted (header included). */
  maxPacketBytes: number;
  /** One valid RTP packet from a loopback sender; the buffer is the publisher's to rewrite. `source` names the sender. */
  onPacket: (packet: Buffer, source: string) => void;
  /** A datagram that is not an acceptable RTP packet. */
  onReject: () => void;
  logger: Logger;
}

/** What a relayed datagram is: RTP to forward, ffmpeg's own RTCP (dropped silently), or neither. */
export type RelayedKind = 'rtp' | 'rtcp' | 'reject';

/**
 * A loopback UDP port where the ffmpeg CLI sends plain RTP for the publisher
 * to protect and forward. ffmpeg's sender reports arrive here too (rtcp-mux)
 * and are dropped: the publisher reports for the stream it actually sends.
 */
export class RtpRelay {
  readonly host = RELAY_HOST;
  readonly port: number;
  readonly #socket: Socket;
  #closing: Promise<void> | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.port = socket.address().port;
  }

  static async open(options: RtpRelayOptions): Promise<RtpRelay> {
    const socket = createSocket('udp4');
    socket.on('error', (error) => options.logger.warn({ err: error }, 'rtp relay socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, RELAY_HOST, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('message', (packet: Buffer, remote: RemoteInfo) => {
      try {
        // Bound to 127.0.0.1, so only this host can reach it; checked anyway in case the bind ever widens.
        const kind = remote.address.startsWith('127.')
          ? classifyRelayed(packet, options.payloadType, options.maxPacketBytes)
          : 'reject';
        if (kind === 'rtp') {
          options.onPacket(packet, `${remote.address}:${remote.port}/${packet.readUInt32BE(8)}`);
        } else if (kind === 'reject') {
          options.onReject();
        }
      } catch (error) {
        // A throw here would be an uncaught exception in the agent.
        options.onReject();
        options.logger.debug({ err: error }, 'relayed packet not sent');
      }
    });
    return new RtpRelay(socket);
  }

  /** Closes the port. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => this.#socket.close(() => resolve()));
    return this.#closing;
  }
}

/**
 * Accepts RTP v2 of the expected payload type with a plain 12-byte header
 * (what ffmpeg's muxer sends): the publisher rewrites SSRC, sequence number
 * and timestamp in place, and its history and SRTP path assume that header.
 */
export function classifyRelayed(packet: Uint8Array, payloadType: number, maxPacketBytes: number): RelayedKind {
  if (packet.length < 2 || packet[0]! >> 6 !== 2) return 'reject';
  const second = packet[1]!;
  // RFC 5761 §4: RTCP packet types 192–223 never collide with a dynamic payload type, marker or not.
  if (second >= 192 && second <= 223) return 'rtcp';
  if (packet.length <= 12 || packet.length > maxPacketBytes) return 'reject';
  if ((second & 0x7f) !== payloadType) return 'reject';
  if ((packet[0]! & 0x1f) !== 0) return 'reject'; // CSRCs or a header extension
  if (packet[0]! & 0x20) {
    const padding = packet[packet.length - 1]!;
    if (padding === 0 || padding > packet.length - 12) return 'reject';
  }
  return 'rtp';
}
