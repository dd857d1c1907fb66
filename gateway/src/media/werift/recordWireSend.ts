import { RTP_EXTENSION_URI, type RtpHeader } from 'werift';

/** The transport-wide sequence number header extension (its URI, as werift negotiates it). */
export const TRANSPORT_CC_URI: string = RTP_EXTENSION_URI.transportWideCC;
/** SRTP_AES128_CM_HMAC_SHA1_80's tag: part of every packet's size on the wire. */
const SRTP_AUTH_TAG_BYTES = 10;

/** Where a sent packet is recorded for congestion control (werift's `senderBWE.rtpPacketSent` shape). */
export interface WireSendSink {
  rtpPacketSent(sent: { wideSeq: number; size: number; sendingAtMs: number; sentAtMs: number }): void;
}

/** Records one packet going out under transport-wide number `wideSeq`, sized as the wire carries it. */
export function recordWireSend(sink: WireSendSink, wideSeq: number, header: RtpHeader, payload: Buffer): void {
  const now = Date.now();
  sink.rtpPacketSent({
    wideSeq,
    size: header.serializeSize + payload.length + SRTP_AUTH_TAG_BYTES,
    sendingAtMs: now,
    sentAtMs: now,
  });
}
