import { H264_FMTP, PLAYOUT_DELAY_EXTENSION_URI } from '@frameway/protocol';
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  useAbsSendTime,
  useFIR,
  useNACK,
  usePLI,
  useREMB,
  useSdesMid,
  useTransportWideCC,
  useTWCC,
} from 'werift';
import type { WeriftPlayerPeerOptions } from './WeriftPlayerPeer.js';

/** One-byte RTP header extension id for playout-delay: the browser's offer decides the final id. */
export const PLAYOUT_DELAY_DEFAULT_ID = 6;

/**
 * The player's peer connection with what we offer to negotiate: H.264 (with
 * NACK/PLI/FIR and RTX when repairing, transport-cc or REMB for congestion
 * control), RED + ULPFEC when FEC is on, Opus, and the header extensions
 * (mid, abs-send-time, playout-delay, transport-wide sequence numbers).
 */
export function createPlayerPeerConnection(
  options: Pick<
    WeriftPlayerPeerOptions,
    'iceServers' | 'additionalHostAddresses' | 'candidateFilter' | 'repair' | 'transportFeedback' | 'fec'
  >,
): RTCPeerConnection {
  return new RTCPeerConnection({
    iceServers: options.iceServers.map((server) => ({
      urls: server.urls,
      ...(server.username === undefined ? {} : { username: server.username }),
      ...(server.credential === undefined ? {} : { credential: server.credential }),
    })),
    iceAdditionalHostAddresses: options.additionalHostAddresses,
    iceFilterCandidatePair: (pair) =>
      options.candidateFilter.allowsPair(pair.localCandidate.host, pair.remoteCandidate.host),
    codecs: {
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/H264',
          clockRate: 90_000,
          rtcpFeedback: [
            ...(options.repair ? [useNACK(), usePLI(), useFIR()] : []),
            ...(options.transportFeedback ? [useTWCC()] : [useREMB()]),
          ],
          parameters: H264_FMTP,
        }),
        // RTX (RFC 4588): retransmissions on their own SSRC, so the player's
        // loss and bitrate statistics stay true and late copies are told apart.
        ...(options.repair ? [new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90_000 })] : []),
        // RED (RFC 2198) carrying H.264 and ULPFEC (RFC 5109): what Chromium decodes FEC from by default.
        ...(options.fec
          ? [
              new RTCRtpCodecParameters({ mimeType: 'video/red', clockRate: 90_000 }),
              new RTCRtpCodecParameters({ mimeType: 'video/ulpfec', clockRate: 90_000 }),
            ]
          : []),
      ],
      audio: [
        new RTCRtpCodecParameters({
          mimeType: 'audio/opus',
          clockRate: 48_000,
          channels: 2,
          parameters: 'minptime=10;useinbandfec=1',
        }),
      ],
    },
    headerExtensions: {
      video: [
        useSdesMid(),
        useAbsSendTime(),
        new RTCRtpHeaderExtensionParameters({ uri: PLAYOUT_DELAY_EXTENSION_URI, id: PLAYOUT_DELAY_DEFAULT_ID }),
        ...(options.transportFeedback ? [useTransportWideCC()] : []),
      ],
      audio: [useSdesMid()],
    },
  });
}
