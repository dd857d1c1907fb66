import type { Address, Hex } from 'viem';

/** Where the ledger settles: the embedded EVM, Sophon, Sophon testnet. */
export type ChainKind = 'embedded' | 'sophon' | 'sophonTestnet';

/** Allocation status as the contract keeps it. */
export const AllocationStatus = { None: 0, Allocated: 1, Settled: 2, Finalized: 3 } as const;
export type AllocationStatus = (typeof AllocationStatus)[keyof typeof AllocationStatus];

/** The resource-allocation transaction: escrow for a session on a provider. */
export interface AllocationRequest {
  sessionKey: Hex;
  provider: Address;
  /** Who gets refunds; undefined = the operator. */
  payer?: Address | undefined;
  pricePerBlockWei: bigint;
  escrowWei: bigint;
  /** Share of minutes that must meet the SLA, basis points (9500 = 95 %). */
  slaMinBps: number;
  /** Share of the escrow locked from the provider's stake and forfeited on a breach, basis points. */
  penaltyBps: number;
}

/** Proof of delivery for one session (see settlement/summarizeSettlement.ts). */
export interface SettlementRequest {
  sessionKey: Hex;
  durationSec: number;
  totalMinutes: number;
  /** Bit i of word i/256 set = minute i failed. */
  failedBitmap: readonly bigint[];
  p50LatencyUs: number;
  p95LatencyUs: number;
  fpsP5Milli: number;
}

export interface ChainTx {
  hash: Hex;
  gasUsed: bigint;
}

/**
 * What the ledger's outbox needs from a chain. Every write is idempotent at
 * the contract (a batch id or session key is used once) and the outbox reads
 * the state before writing, so a retried job never double-commits.
 */
export interface LedgerChain {
  readonly kind: ChainKind;
  readonly chainId: number;
  /** The FramewayLedger contract. */
  readonly address: Address;
  /** The gateway's account: allocates, commits and settles. */
  readonly operator: Address;
  allocationStatus(sessionKey: Hex): Promise<AllocationStatus>;
  allocate(request: AllocationRequest): Promise<ChainTx>;
  /** The committed root of a batch, undefined when the batch id is unused. */
  batchRoot(batchId: Hex): Promise<Hex | undefined>;
  commitBatch(batchId: Hex, root: Hex, leafCount: number): Promise<ChainTx>;
  settle(request: SettlementRequest): Promise<ChainTx>;
  /** Stake not locked as collateral. */
  freeStakeOf(provider: Address): Promise<bigint>;
  stakeFor(provider: Address, amountWei: bigint): Promise<ChainTx>;
  close(): void;
}
