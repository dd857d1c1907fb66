export type FecMode = 'auto' | 'on';

export interface FecPolicyOptions {
  /** 'on': always protect; 'auto': protect while the player's loss calls for it. */
  mode: FecMode;
  /** Loss (0..1, before repair) above which protection is switched on… */
  enableAboveLoss?: number;
  /** …once it has stayed above for this long (ms). */
  enableAfterMs?: number;
  /** Loss below which protection is switched off… */
  disableBelowLoss?: number;
  /** …once it has stayed below for this long (ms). */
  disableAfterMs?: number;
  /** The protection ratio follows the worst loss seen over this long (ms). */
  ratioWindowMs?: number;
}

export interface FecDecision {
  /** Media packets per FEC packet (4–8), or undefined: no FEC. */
  packetsPerFec: number | undefined;
  /** Differs from the previous decision. */
  changed: boolean;
}

const DEFAULTS = {
  enableAboveLoss: 0.01,
  enableAfterMs: 2_000,
  disableBelowLoss: 0.005,
  disableAfterMs: 5_000,
  ratioWindowMs: 3_000,
} as const;

/**
 * One XOR parity packet per N media packets repairs any single loss among
 * them; two losses in one group are lost. N by loss: at 5 % and N = 4, two
 * losses in a group of 5 happen to ~2 % of groups (against ~23 % of groups
 * losing a packet without FEC); at 1 % and N = 8, to ~0.3 %.
 */
export function packetsPerFecFor(loss: number): number {
  if (loss >= 0.05) return 4;
  if (loss >= 0.03) return 5;
  if (loss >= 0.02) return 6;
  if (loss >= 0.01) return 7;
  return 8;
}

/**
 * When to protect the player's video with FEC, and how strongly: pure, fed
 * loss samples (TWCC- or receiver-report-derived, before repair) with the
 * time. 'auto' turns FEC on after loss stayed above 1 % for 2 s and off after
 * it stayed below 0.5 % for 5 s (in between, nothing changes), so a single
 * lossy report neither starts it nor a quiet second stops it. Loss measured
 * before repair keeps counting what FEC repairs, so protection does not
 * switch itself off by working.
 */
export class FecPolicy {
  readonly #options: Required<FecPolicyOptions>;
  #enabled: boolean;
  #aboveSince: number | undefined;
  #belowSince: number | undefined;
  #samples: Array<{ atMs: number; loss: number }> = [];
  #current: FecDecision;

  constructor(options: FecPolicyOptions) {
    this.#options = { ...DEFAULTS, ...options };
    this.#enabled = options.mode === 'on';
    this.#current = { packetsPerFec: this.#enabled ? packetsPerFecFor(0) : undefined, changed: false };
  }

  get current(): FecDecision {
    return this.#current;
  }

  /** A loss sample (0..1) at `nowMs`; returns the decision in force from now on. */
  observeLoss(nowMs: number, loss: number): FecDecision {
    const fraction = Number.isFinite(loss) ? Math.min(1, Math.max(0, loss)) : 0;
    const options = this.#options;
    this.#samples.push({ atMs: nowMs, loss: fraction });
    while ((this.#samples[0]?.atMs ?? nowMs) < nowMs - options.ratioWindowMs) this.#samples.shift();
    if (options.mode === 'auto') {
      this.#aboveSince = fraction > options.enableAboveLoss ? (this.#aboveSince ?? nowMs) : undefined;
      this.#belowSince = fraction < options.disableBelowLoss ? (this.#belowSince ?? nowMs) : undefined;
      if (!this.#enabled && this.#aboveSince !== undefined && nowMs - this.#aboveSince >= options.enableAfterMs) {
        this.#enabled = true;
      } else if (
        this.#enabled &&
        this.#belowSince !== undefined &&
        nowMs - this.#belowSince >= options.disableAfterMs
      ) {
        this.#enabled = false;
      }
    }
    const worst = this.#samples.reduce((max, sample) => Math.max(max, sample.loss), 0);
    const packetsPerFec = this.#enabled ? packetsPerFecFor(worst) : undefined;
    this.#current = { packetsPerFec, changed: packetsPerFec !== this.#current.packetsPerFec };
    return this.#current;
  }
}
