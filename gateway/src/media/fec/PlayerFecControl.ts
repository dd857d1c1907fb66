import type { MediaTarget } from '../MediaRouter.js';
import { type FecDecision, type FecMode, FecPolicy } from './FecPolicy.js';
import type { FecSendCounters } from './WeriftFecSender.js';

/** What the control needs of a player peer. */
export interface FecControlledPeer {
  /** RED + ULPFEC negotiated. */
  readonly fecActive: boolean;
  setFecProtection(packetsPerFec: number | undefined): void;
  readonly fecCounters: FecSendCounters | undefined;
}

/** Whether FEC protects the stream a target was set for. */
export function targetUsesFec(target: MediaTarget): boolean {
  return target.fec === true;
}

export interface FecRouteStats extends FecSendCounters {
  mode: FecMode;
  /** The current player negotiated RED + ULPFEC. */
  negotiated: boolean;
  /** Media packets per FEC packet now; null: FEC off. */
  packetsPerFec: number | null;
  /** FEC bytes per media byte over the last 2 s, in % (0 with FEC off). */
  overheadPercent: number;
}

export interface PlayerFecControlOptions {
  mode: FecMode;
  /** Player loss before repair (TWCC-derived when congestion control runs); undefined: use reportLoss's. */
  loss?: () => number | undefined;
  /** FEC switched on or off or changed strength: the encoder's share of the budget moved. */
  onChange: (decision: FecDecision) => void;
  /** Monotonic ms (performance.now by default). */
  now?: () => number;
  tickMs?: number;
}

/** Snapshots of the send counters kept for the overhead figure: 4 × 500 ms. */
const OVERHEAD_SNAPSHOTS = 4;
const EMPTY_COUNTERS: FecSendCounters = Object.freeze({
  mediaPackets: 0,
  mediaBytes: 0,
  fecPackets: 0,
  fecBytes: 0,
  protectedPackets: 0,
  unprotectedPackets: 0,
  lateDropped: 0,
  simulatedDrops: 0,
  nackedPackets: 0,
});

/**
 * FEC on one route's player leg: samples the player's loss every tick into a
 * FecPolicy, hands its decision to the current peer, measures what FEC costs
 * and takes that out of the encoder's target, so media plus FEC stay within
 * what congestion control allowed. Outlives a player reconnect like
 * congestion control does.
 */
export class PlayerFecControl {
  readonly #options: PlayerFecControlOptions;
  readonly #policy: FecPolicy;
  readonly #now: () => number;
  readonly #tick: ReturnType<typeof setInterval>;
  #peer: FecControlledPeer | undefined;
  #past: FecSendCounters = EMPTY_COUNTERS;
  #reported: number | undefined;
  #snapshots: Array<{ fecBytes: number; mediaBytes: number; packets: number; nacked: number }> = [];
  #closed = false;

  constructor(options: PlayerFecControlOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#policy = new FecPolicy({ mode: options.mode });
    this.#tick = setInterval(() => this.tick(), options.tickMs ?? 500);
    this.#tick.unref();
  }

  get decision(): FecDecision {
    return this.#policy.current;
  }

  /** A new player peer: it gets the decision in force; the previous one's counters are kept. */
  attach(peer: FecControlledPeer): void {
    this.#retire();
    this.#peer = peer;
    peer.setFecProtection(this.#policy.current.packetsPerFec);
  }

  /** The player's peer went away (its counters are kept). */
  detach(peer: FecControlledPeer): void {
    if (this.#peer === peer) this.#retire();
  }

  /** A receiver report's loss fraction (used when no `loss` source gives one). */
  reportLoss(fraction: number): void {
    this.#reported = fraction;
  }

  /** One sample of loss into the policy (the timer calls this). */
  tick(): void {
    if (this.#closed) return;
    const totals = this.#totals();
    this.#snapshots.push({
      fecBytes: totals.fecBytes,
      mediaBytes: totals.mediaBytes,
      packets: totals.mediaPackets + totals.fecPackets,
      nacked: totals.nackedPackets,
    });
    if (this.#snapshots.length > OVERHEAD_SNAPSHOTS + 1) this.#snapshots.shift();
    const measured = this.#options.loss?.() ?? this.#reported;
    const nacked = this.#nackedLoss();
    if (measured === undefined && nacked === undefined) return;
    // The worse of the two: TWCC and receiver reports stop counting a packet once RTX repaired it.
    const loss = Math.max(measured ?? 0, nacked ?? 0);
    const decision = this.#policy.observeLoss(this.#now(), loss);
    if (!decision.changed) return;
    this.#peer?.setFecProtection(decision.packetsPerFec);
    this.#options.onChange(decision);
  }

  /**
   * The encoder's share of a congestion-control target while FEC rides on
   * top: target / (1 + overhead), the overhead measured over the last 2 s
   * (1 / packetsPerFec until there is a measure).
   */
  adjust(target: MediaTarget): MediaTarget {
    const perFec = this.#policy.current.packetsPerFec;
    if (perFec === undefined || !this.#peer?.fecActive) return { ...target, fec: false };
    const overhead = this.#measuredOverhead() ?? 1 / perFec;
    return { ...target, bitrateKbps: Math.max(1, Math.round(target.bitrateKbps / (1 + overhead))), fec: true };
  }

  stats(): FecRouteStats {
    const perFec = this.#policy.current.packetsPerFec;
    return {
      ...this.#totals(),
      mode: this.#options.mode,
      negotiated: this.#peer?.fecActive ?? false,
      packetsPerFec: perFec ?? null,
      overheadPercent: Math.round((this.#measuredOverhead() ?? 0) * 1000) / 10,
    };
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#tick);
  }

  /** Share of the packets sent over the last 2 s that the player NACKed; undefined before any were sent. */
  #nackedLoss(): number | undefined {
    const first = this.#snapshots[0];
    const last = this.#snapshots.at(-1);
    if (!first || !last || last.packets <= first.packets) return undefined;
    return (last.nacked - first.nacked) / (last.packets - first.packets);
  }

  #measuredOverhead(): number | undefined {
    const first = this.#snapshots[0];
    const last = this.#snapshots.at(-1);
    if (!first || !last) return undefined;
    const media = last.mediaBytes - first.mediaBytes;
    const fec = last.fecBytes - first.fecBytes;
    return media > 0 && fec > 0 ? fec / media : undefined;
  }

  #totals(): FecSendCounters {
    const current = this.#peer?.fecCounters ?? EMPTY_COUNTERS;
    const past = this.#past;
    const sum = { ...EMPTY_COUNTERS };
    for (const key of Object.keys(sum) as Array<keyof FecSendCounters>) sum[key] = past[key] + current[key];
    return sum;
  }

  #retire(): void {
    this.#past = this.#totals();
    this.#peer = undefined;
  }
}
