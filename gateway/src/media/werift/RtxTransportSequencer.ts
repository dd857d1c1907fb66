import type { RTCRtpSender, RtpHeader } from 'werift';
import { recordWireSend, TRANSPORT_CC_URI } from './recordWireSend.js';
import type { TransportFeedbackSink } from './WeriftPlayerPeer.js';

type SendRtp = (payload: Buffer, header: RtpHeader) => Promise<number>;

/** The werift sender internals this reads: its RTX SSRC and negotiated header extensions. */
interface SenderInternals {
  rtxSsrc: number;
  headerExtensions?: { id: number; uri: string }[];
}

/**
 * Gives every RTX retransmission its own transport-wide sequence number.
 * werift sends a retransmission with the original packet's header
 * extensions, transport-wide number included: the player then reports that
 * number as received at the retransmission's arrival, long after its send
 * time, and congestion control reads every repaired loss as a queue building
 * up (at 1 % random loss the target collapsed to a few hundred kb/s). Here the
 * retransmission gets a fresh number, is recorded as a packet of its own, and
 * the lost original stays lost. Wraps the sender's transport `sendRtp` for the
 * RTX SSRC only, the one seam werift offers.
 */
export class RtxTransportSequencer {
  readonly #sender: RTCRtpSender;
  readonly #sink: TransportFeedbackSink;
  #wrapped: { transport: NonNullable<RTCRtpSender['dtlsTransport']>; original: SendRtp } | undefined;

  constructor(sender: RTCRtpSender, sink: TransportFeedbackSink) {
    this.#sender = sender;
    this.#sink = sink;
  }

  /** Installs on the sender's current transport (after negotiation); again after a transport change. */
  install(): void {
    const transport = this.#sender.dtlsTransport;
    if (!transport || this.#wrapped?.transport === transport) return;
    const internals = this.#sender as unknown as SenderInternals;
    const id = internals.headerExtensions?.find((extension) => extension.uri === TRANSPORT_CC_URI)?.id;
    if (id === undefined) return;
    const original = transport.sendRtp.bind(transport) as SendRtp;
    transport.sendRtp = (payload: Buffer, header: RtpHeader) =>
      header.ssrc === internals.rtxSsrc
        ? original(payload, this.#renumber(transport, header, id, payload))
        : original(payload, header);
    this.#wrapped = { transport, original };
  }

  close(): void {
    if (this.#wrapped) this.#wrapped.transport.sendRtp = this.#wrapped.original;
    this.#wrapped = undefined;
  }

  #renumber(
    transport: NonNullable<RTCRtpSender['dtlsTransport']>,
    header: RtpHeader,
    id: number,
    payload: Buffer,
  ): RtpHeader {
    const index = header.extensions.findIndex((extension) => extension.id === id);
    if (index < 0) return header;
    const wideSeq = (transport.transportSequenceNumber + 1) & 0xffff;
    transport.transportSequenceNumber = wideSeq;
    const value = Buffer.alloc(2);
    value.writeUInt16BE(wideSeq, 0);
    // The extension list is shared with werift's cached original: replace the entry, never mutate it.
    header.extensions = header.extensions.map((extension, i) => (i === index ? { id, payload: value } : extension));
    recordWireSend(this.#sink, wideSeq, header, payload);
    return header;
  }
}
