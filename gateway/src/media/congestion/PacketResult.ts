/** One sent video packet as the receiver's transport-wide feedback reported it. */
export interface PacketResult {
  /** Transport-wide sequence number, unwrapped past 65535 so it only grows within a session. */
  wideSeq: number;
  /** When the gateway sent it, on the gateway's clock (ms). */
  sendMs: number;
  /** Bytes on the wire as werift counted them (the SRTP packet). */
  sizeBytes: number;
  /** When the player received it, on the player's clock (ms, 250 µs steps); undefined: reported lost. */
  arrivalMs: number | undefined;
}

/** The packets one feedback message settled, in sequence order. */
export interface TransportFeedback {
  /** When the feedback reached the gateway, on the gateway's clock (ms). */
  atMs: number;
  packets: readonly PacketResult[];
}
