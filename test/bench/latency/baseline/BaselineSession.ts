import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import {
  DefaultVideo,
  encodePlayoutDelay,
  H264_FMTP,
  InputChannelLabel,
  PLAYOUT_DELAY_EXTENSION_URI,
  VIDEO_CLOCK_RATE,
} from '@frameway/protocol';
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  RtpPacket,
  useSdesMid,
} from 'werift';
import { MarkerVideoSource, type MarkerVideoSourceStats } from './MarkerVideoSource.js';

const LOOPBACK = '127.0.0.1';

export interface BaselineSessionOptions {
  /** Negotiate and send the playout-delay extension with min = max = 0. */
  playoutDelay: boolean;
  ffmpegPath: string;
}

export interface BaselineSessionInfo {
  answerSdp: string;
  /** Extension id negotiated for playout-delay; null when it was not negotiated. */
  playoutDelayExtensionId: number | null;
  inputsReceived: number;
  rtpPacketsForwarded: number;
  source: MarkerVideoSourceStats;
}

/**
 * One viewer of the baseline: a werift peer that answers the page's offer,
 * forwards ffmpeg's RTP to it unchanged except for the playout-delay
 * extension, and turns every message on the input DataChannel into a marker
 * change. Nothing else sits on the path, which is the point of a baseline.
 */
export class BaselineSession {
  #pc: RTCPeerConnection;
  #rtp: Socket;
  #source: MarkerVideoSource;
  #answerSdp = '';
  #playoutDelayExtensionId: number | null = null;
  #inputsReceived = 0;
  #rtpPacketsForwarded = 0;
  #closed = false;

  private constructor(pc: RTCPeerConnection, rtp: Socket, source: MarkerVideoSource) {
    this.#pc = pc;
    this.#rtp = rtp;
    this.#source = source;
  }

  /** Answers `offerSdp`; media starts once the peer connects. */
  static async answer(offerSdp: string, options: BaselineSessionOptions): Promise<BaselineSession> {
    const rtp = createSocket('udp4');
    rtp.bind(0, LOOPBACK);
    await once(rtp, 'listening');
    // Room for a keyframe burst: a drop here would stall decoding until the next IDR.
    rtp.setRecvBufferSize(4 * 1024 * 1024);

    const source = new MarkerVideoSource({
      ...DefaultVideo,
      markerSize: 64,
      rtpPort: rtp.address().port,
      ffmpegPath: options.ffmpegPath,
    });
    const pc = new RTCPeerConnection({
      codecs: {
        audio: [],
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: VIDEO_CLOCK_RATE,
            parameters: H264_FMTP,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
          }),
        ],
      },
      headerExtensions: {
        video: [
          useSdesMid(),
          // Registered here so it is negotiated at all; werift only writes the
          // extensions it knows, so the payload is added per packet below.
          ...(options.playoutDelay ? [new RTCRtpHeaderExtensionParameters({ uri: PLAYOUT_DELAY_EXTENSION_URI })] : []),
        ],
      },
      // No STUN: werift would otherwise default to a public server. Loopback
      // is not gathered unless listed explicitly, and left alone the browser
      // nominates the machine's LAN or IPv6 address instead: werift neither
      // checks nor answers checks on any pair but 127.0.0.1 ↔ 127.0.0.1.
      iceServers: [],
      iceAdditionalHostAddresses: [LOOPBACK],
      iceUseIpv6: false,
      iceFilterCandidatePair: (pair) => pair.localCandidate.host === LOOPBACK && pair.remoteCandidate.host === LOOPBACK,
      iceFilterStunResponse: (_message, [host], protocol) =>
        host === LOOPBACK && protocol.localCandidate?.host === LOOPBACK,
    });
    const session = new BaselineSession(pc, rtp, source);
    try {
      await session.#negotiate(offerSdp);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  get info(): BaselineSessionInfo {
    return {
      answerSdp: this.#answerSdp,
      playoutDelayExtensionId: this.#playoutDelayExtensionId,
      inputsReceived: this.#inputsReceived,
      rtpPacketsForwarded: this.#rtpPacketsForwarded,
      source: { ...this.#source.stats },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#source.close();
    this.#rtp.close();
    await this.#pc.close();
  }

  async #negotiate(offerSdp: string): Promise<void> {
    const track = new MediaStreamTrack({ kind: 'video' });
    const transceiver = this.#pc.addTransceiver(track, { direction: 'sendonly' });

    this.#pc.onDataChannel.subscribe((channel) => {
      if (channel.label !== InputChannelLabel.Reliable) return;
      channel.onMessage.subscribe(() => {
        this.#inputsReceived += 1;
        this.#source.advanceMarker();
      });
    });
    this.#pc.connectionStateChange.subscribe((state) => {
      // Starting the encoder only now makes its first frame an IDR the
      // browser can decode at once, instead of waiting up to a GOP.
      if (state === 'connected') this.#source.start();
      if (state === 'failed' || state === 'closed') void this.close();
    });

    await this.#pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await this.#pc.setLocalDescription(await this.#pc.createAnswer());
    this.#answerSdp = this.#pc.localDescription?.sdp ?? '';

    // The id is the one the offer chose; it only exists if both sides know the URI.
    const negotiated = transceiver.headerExtensions.find((ext) => ext.uri === PLAYOUT_DELAY_EXTENSION_URI);
    this.#playoutDelayExtensionId = negotiated?.id ?? null;
    const extension =
      negotiated !== undefined ? { id: negotiated.id, payload: Buffer.from(encodePlayoutDelay(0, 0)) } : null;

    this.#rtp.on('message', (message) => {
      if (isRtcp(message)) return; // ffmpeg's sender reports; the browser gets werift's own
      const packet = RtpPacket.deSerialize(message);
      // werift's sender keeps extensions already on the packet, beside the
      // ones it writes itself (mid), so this is all it takes to send it.
      if (extension) packet.header.extensions.push(extension);
      track.writeRtp(packet);
      this.#rtpPacketsForwarded += 1;
    });
  }
}

/** RFC 5761 demultiplexing: RTCP packet types 192–223 sit where RTP has marker + payload type. */
function isRtcp(packet: Buffer): boolean {
  const type = packet[1] ?? 0;
  return type >= 192 && type <= 223;
}
