import type { MinuteVerdict } from '../ledger/QosVerdicts.js';

export interface BillSessionInput {
  /** When media first flowed (epoch ms); null = never streamed, nothing to bill. */
  startedAt: number | null;
  endedAt: number;
  pricePerBlock: number;
  blockMinutes: number;
  /** Share of a failed minute's prorated price credited back, in percent. */
  slaCreditPercent: number;
  verdicts: readonly Pick<MinuteVerdict, 'minuteIndex' | 'slaMet'>[];
}

export interface SessionBill {
  billableSeconds: number;
  /** Blocks started (a started block is charged whole). */
  blocks: number;
  amount: number;
  /** Distinct billed minutes whose verdict failed the SLA. */
  failedMinutes: number;
  credit: number;
  net: number;
}

const MINUTE_MS = 60_000;

/**
 * One session's charge: ceil(billable time / block) blocks at the price
 * locked at placement, minus the SLA credit
 * floor(failedMinutes × price × creditPercent / (blockMinutes × 100)),
 * capped at the charge. Only minutes inside the billed time count.
 */
export function billSession(input: BillSessionInput): SessionBill {
  const billableMs = input.startedAt === null ? 0 : Math.max(0, input.endedAt - input.startedAt);
  const blockMs = BigInt(input.blockMinutes * MINUTE_MS);
  const blocks = Number((BigInt(billableMs) + blockMs - 1n) / blockMs);
  const price = BigInt(input.pricePerBlock);
  const amount = BigInt(blocks) * price;
  const billedMinutes = Math.ceil(billableMs / MINUTE_MS);
  const failed = new Set<number>();
  for (const verdict of input.verdicts) {
    if (!verdict.slaMet && verdict.minuteIndex >= 0 && verdict.minuteIndex < billedMinutes)
      failed.add(verdict.minuteIndex);
  }
  const rawCredit =
    (BigInt(failed.size) * price * BigInt(input.slaCreditPercent)) / (BigInt(input.blockMinutes) * 100n);
  const credit = rawCredit > amount ? amount : rawCredit;
  return {
    billableSeconds: Math.floor(billableMs / 1000),
    blocks,
    amount: Number(amount),
    failedMinutes: failed.size,
    credit: Number(credit),
    net: Number(amount - credit),
  };
}
