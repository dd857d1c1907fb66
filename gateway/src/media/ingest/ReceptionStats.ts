/** What one report interval closes with: the loss and jitter fields of a report block. */
export interface ReceptionReport {
  /** Cycles·2^16 + highest sequence number (mod 2^32). */
  extendedHighest: number;
  /** Loss in the interval just closed, 0..255 (the RR's fixed point). */
  fractionLost: number;
  cumulativeLost: number;
  /** RTP timestamp units. */
  jitter: number;
}

/**
 * Loss and jitter of one received RTP stream, RFC 3550 A.3 and A.8. Loss is
 * counted before repair: a packet that arrives only after a NACK is reported
 * as lost, since that is what the link did (the sender's congestion control
 * needs it). Jitter uses first-time arrivals only; a retransmission's transit
 * time says nothing about the path's jitter. Pure: arrival times passed in.
 */
export class ReceptionStats {
  readonly #clockRate: number;
  #base = -1;
  #highest = -1;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #lastFraction = 0;
  #jitter = 0;
  #lastArrivalMs = 0;
  #lastTimestamp = -1;

  constructor(clockRate: number) {
    this.#clockRate = clockRate;
  }

  /** Loss in the last closed interval, 0..1. */
  get lossFraction(): number {
    return this.#lastFraction / 256;
  }

  get jitterMs(): number {
    return (this.#jitter / this.#clockRate) * 1000;
  }

  get started(): boolean {
    return this.#highest >= 0;
  }

  /**
   * One authenticated, non-duplicate packet with extended index `index`.
   * `repaired` marks a packet that came only after a NACK.
   */
  onPacket(index: number, rtpTimestamp: number, arrivalMs: number, repaired: boolean): void {
    if (this.#highest < 0) {
      this.#base = index;
      this.#highest = index;
    } else if (index > this.#highest) {
      this.#highest = index;
    } else if (index < this.#base) {
      // Reordered ahead of the first packet: expected grows with it, so it is not counted twice.
      this.#base = index;
    }
    if (repaired) return;
    this.#received++;
    if (this.#lastTimestamp >= 0) {
      // Signed 32-bit difference: RTP timestamps wrap.
      const timestampDelta = (rtpTimestamp - this.#lastTimestamp) | 0;
      const arrivalDelta = ((arrivalMs - this.#lastArrivalMs) * this.#clockRate) / 1000;
      const d = Math.abs(arrivalDelta - timestampDelta);
      this.#jitter += (d - this.#jitter) / 16;
    }
    this.#lastTimestamp = rtpTimestamp >>> 0;
    this.#lastArrivalMs = arrivalMs;
  }

  /** Closes the interval and returns the report block's fields. */
  report(): ReceptionReport {
    const expected = this.#highest < 0 ? 0 : this.#highest - this.#base + 1;
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.#received - this.#receivedPrior;
    const lostInterval = expectedInterval - receivedInterval;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.#received;
    this.#lastFraction =
      expectedInterval <= 0 || lostInterval <= 0
        ? 0
        : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
    return {
      extendedHighest: Math.max(0, this.#highest) % 0x1_0000_0000,
      fractionLost: this.#lastFraction,
      cumulativeLost: expected - this.#received,
      jitter: Math.floor(this.#jitter),
    };
  }

  reset(): void {
    this.#base = -1;
    this.#highest = -1;
    this.#received = 0;
    this.#expectedPrior = 0;
    this.#receivedPrior = 0;
    this.#lastFraction = 0;
    this.#jitter = 0;
    this.#lastArrivalMs = 0;
    this.#lastTimestamp = -1;
  }
}
