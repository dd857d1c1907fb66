import type { RemoteInfo } from 'node:dgram';
import { parseRtcpFeedback, type RtcpFeedback } from './parseRtcpFeedback.js';
import { ReplayWindow } from './ReplayWindow.js';
import { canonicalAddress, type Peer } from './resolvePeer.js';
import type { SrtpTransform } from './SrtpTransform.js';

/** Why a datagram was not taken: not from the gateway, a bad tag, seen before, or not RTCP. */
export type SrtcpRefusal = 'rejected' | 'auth' | 'replayed' | 'malformed';

/** Senders whose replay windows are kept (the gateway uses one or two SSRCs). */
const MAX_SENDERS = 8;

/**
 * Decides what a datagram on the publisher's socket is: feedback from the
 * gateway for our stream (only from the target address and port, authentic
 * under the session key, never replayed, well formed) or a refusal to count.
 * Owns no socket.
 */
export class SrtcpReader {
  readonly #peer: Peer;
  readonly #srtp: SrtpTransform;
  readonly #ssrc: number;
  readonly #windows = new Map<number, ReplayWindow>();

  constructor(peer: Peer, srtp: SrtpTransform, ssrc: number) {
    this.#peer = peer;
    this.#srtp = srtp;
    this.#ssrc = ssrc;
  }

  read(datagram: Buffer, remote: RemoteInfo): RtcpFeedback | SrtcpRefusal {
    if (remote.port !== this.#peer.port || canonicalAddress(remote.address) !== this.#peer.address) return 'rejected';
    const opened = this.#srtp.unprotectRtcp(datagram);
    if (typeof opened === 'string') return opened;
    // Only an authentic index is recorded, so forged packets cannot poison the window.
    if (!this.#window(opened.senderSsrc).accept(opened.index)) return 'replayed';
    return parseRtcpFeedback(opened.rtcp, this.#ssrc) ?? 'malformed';
  }

  #window(senderSsrc: number): ReplayWindow {
    let window = this.#windows.get(senderSsrc);
    if (!window) {
      if (this.#windows.size >= MAX_SENDERS) this.#windows.delete(this.#windows.keys().next().value!);
      window = new ReplayWindow();
      this.#windows.set(senderSsrc, window);
    }
    return window;
  }
}
