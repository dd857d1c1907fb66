import { unwrapSequence, wireSequence } from './unwrapSequence.js';

export interface NackTrackerOptions {
  /** Most packets tracked as missing; the oldest beyond it are given up. A bigger jump restarts tracking. */
  maxMissing?: number;
  /** NACKs sent for one packet before giving up on it. */
  maxNacks?: number;
  /** A packet missing for longer is given up (the agent's history holds ~1 s). */
  maxAgeMs?: number;
  /** Floor of the spacing between two NACKs of one packet. */
  minRetryMs?: number;
  /** Round trip assumed until a NACK has been answered. */
  initialRttMs?: number;
}

/** How an arriving packet relates to the ones seen before it. */
export type NackArrival =
  /** The first packet, or the one after the highest. */
  | 'next'
  /** Ahead of the highest by more than one: the packets in between are now missing. */
  | 'gap'
  /** Was missing and had been NACKed: a retransmission (or a very late original). */
  | 'recovered'
  /** Was missing but not NACKed yet: plain reordering. */
  | 'reordered'
  /** Behind the highest and not missing: given up already, or too far back to track. */
  | 'late'
  /** So far ahead that it is a new stream: tracking restarted, everything pending given up. */
  | 'reset';

/** What is due at a poll: sequence numbers to NACK now (ascending), and how many were given up. */
export interface NackPoll {
  nack: number[];
  gaveUp: number;
}

interface Missing {
  since: number;
  nacks: number;
  nextAt: number;
  firstNackAt: number;
}

const RTT_FACTOR = 1.5;
/** Weight of a new RTT sample (TCP's SRTT gain). */
const RTT_GAIN = 1 / 8;

/**
 * Decides which packets of one RTP stream to NACK and when (RFC 4585 generic
 * NACK). Pure: arrivals in through `onPacket`, due NACKs out of `poll`, time
 * passed in. A missing packet is NACKed at once, then again every
 * max(minRetryMs, 1.5 × RTT) until it arrives, `maxNacks` were sent or it is
 * older than `maxAgeMs`; then it is given up (the caller asks for a keyframe).
 *
 * The RTT comes from the NACKs themselves: time from a packet's first NACK
 * to its arrival. A receiver cannot learn it from the sender's SRs (nothing
 * echoes ours), and the first NACK is the one the sender answers (it
 * rate-limits repeats), so the sample is not inflated by our own retries.
 */
export class NackTracker {
  readonly #maxMissing: number;
  readonly #maxNacks: number;
  readonly #maxAgeMs: number;
  readonly #minRetryMs: number;
  readonly #initialRttMs: number;
  /** Extended seq → state; insertion order is ascending seq, so iteration visits the oldest first. */
  readonly #missing = new Map<number, Missing>();
  #highest: number | undefined;
  #pendingGaveUp = 0;
  #rttMs: number | undefined;

  constructor(options: NackTrackerOptions = {}) {
    this.#maxMissing = positive(options.maxMissing ?? 512, 'maxMissing');
    this.#maxNacks = positive(options.maxNacks ?? 10, 'maxNacks');
    this.#maxAgeMs = positive(options.maxAgeMs ?? 1000, 'maxAgeMs');
    this.#minRetryMs = positive(options.minRetryMs ?? 10, 'minRetryMs');
    this.#initialRttMs = positive(options.initialRttMs ?? 100, 'initialRttMs');
  }

  /** Smoothed round trip from answered NACKs, once one was answered. */
  get rttMs(): number | undefined {
    return this.#rttMs;
  }

  get missingCount(): number {
    return this.#missing.size;
  }

  /** True while a poll may have something to do. */
  get pending(): boolean {
    return this.#missing.size > 0 || this.#pendingGaveUp > 0;
  }

  /** Records the arrival of 16-bit sequence number `seq` at `now`. */
  onPacket(seq: number, now: number): NackArrival {
    if (this.#highest === undefined) {
      this.#highest = seq;
      return 'next';
    }
    const extended = unwrapSequence(seq, this.#highest);
    if (extended <= this.#highest) return this.#onOld(extended, now);
    const gap = extended - this.#highest - 1;
    if (gap > this.#maxMissing) {
      // Thousands of packets at once is a restarted sender, not loss worth thousands of NACKs.
      this.#pendingGaveUp += this.#missing.size;
      this.#missing.clear();
      this.#highest = extended;
      return 'reset';
    }
    for (let missing = this.#highest + 1; missing < extended; missing++) {
      this.#missing.set(missing, { since: now, nacks: 0, nextAt: now, firstNackAt: 0 });
    }
    this.#highest = extended;
    for (const oldest of this.#missing.keys()) {
      if (this.#missing.size <= this.#maxMissing) break;
      this.#missing.delete(oldest);
      this.#pendingGaveUp++;
    }
    return gap > 0 ? 'gap' : 'next';
  }

  /** NACKs due at `now` (each counted as sent) and packets given up since the last poll. */
  poll(now: number): NackPoll {
    const nack: number[] = [];
    let gaveUp = this.#pendingGaveUp;
    this.#pendingGaveUp = 0;
    const retryMs = Math.max(this.#minRetryMs, RTT_FACTOR * (this.#rttMs ?? this.#initialRttMs));
    for (const [extended, state] of this.#missing) {
      if (now - state.since >= this.#maxAgeMs || (state.nextAt <= now && state.nacks >= this.#maxNacks)) {
        this.#missing.delete(extended);
        gaveUp++;
        continue;
      }
      if (state.nextAt > now) continue;
      if (state.nacks === 0) state.firstNackAt = now;
      state.nacks++;
      state.nextAt = now + retryMs;
      nack.push(wireSequence(extended));
    }
    return { nack, gaveUp };
  }

  /** Forgets the stream (a new sender). The RTT estimate is kept: same path, same gateway. */
  reset(): void {
    this.#missing.clear();
    this.#highest = undefined;
    this.#pendingGaveUp = 0;
  }

  #onOld(extended: number, now: number): NackArrival {
    const state = this.#missing.get(extended);
    if (state === undefined) return 'late';
    this.#missing.delete(extended);
    if (state.nacks === 0) return 'reordered';
    const sample = now - state.firstNackAt;
    this.#rttMs = this.#rttMs === undefined ? sample : this.#rttMs + RTT_GAIN * (sample - this.#rttMs);
    return 'recovered';
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`NackTracker ${name} must be a positive number`);
  return value;
}
