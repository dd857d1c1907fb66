import { FramewayError } from '@frameway/protocol';
import {
  type Account,
  type Address,
  BaseError,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  ContractFunctionRevertedError,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
  zeroAddress,
} from 'viem';
import { framewayLedgerAbi } from './framewayLedgerArtifact.js';
import type {
  AllocationRequest,
  AllocationStatus,
  ChainKind,
  ChainTx,
  LedgerChain,
  SettlementRequest,
} from './LedgerChain.js';

type WriteName = ContractFunctionName<typeof framewayLedgerAbi, 'nonpayable' | 'payable'>;
/**
 * A write's request as the untyped viem calls take it. viem types a contract call only for one literal
 * function name (over a generic name its conditional types do not reduce), and ZKsync's paymaster fields
 * are not in the generic WalletClient's type; #write's signature checks the arguments against the ABI.
 */
type SimulateRequest = Parameters<PublicClient<Transport, Chain>['simulateContract']>[0];
type WriteRequest = Parameters<WalletClient<Transport, Chain, Account>['writeContract']>[0];

const ZERO_ROOT: Hex = `0x${'0'.repeat(64)}`;

/** A minute record as the contract's `MinuteRecord` struct takes it. */
export interface MinuteRecordStruct {
  sessionKey: Hex;
  minuteIndex: number;
  startedAt: bigint;
  slaMet: boolean;
  failureMask: number;
  fpsMilli: number;
  p95LatencyUs: number;
  agentReportDigest: Hex;
  clientReportDigest: Hex;
}

/** A ZKsync paymaster that pays the operator's fees (Sophon's general-flow paymasters). */
export interface PaymasterConfig {
  address: Address;
  /** `getGeneralPaymasterInput({ innerInput: '0x' })` unless the paymaster wants something else. */
  input: Hex;
}

export interface ViemLedgerChainOptions {
  kind: ChainKind;
  address: Address;
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
  paymaster?: PaymasterConfig | undefined;
  /** How long to wait for a receipt before the job is retried (the contract makes the retry safe). */
  receiptTimeoutMs?: number;
  pollingIntervalMs?: number;
  onClose?: () => void;
}

/** The FramewayLedger contract through viem: reads, simulated-then-sent writes, receipts. */
export class ViemLedgerChain implements LedgerChain {
  readonly kind: ChainKind;
  readonly chainId: number;
  readonly address: Address;
  readonly operator: Address;
  readonly publicClient: PublicClient<Transport, Chain>;
  readonly walletClient: WalletClient<Transport, Chain, Account>;
  readonly #options: ViemLedgerChainOptions & { receiptTimeoutMs: number; pollingIntervalMs: number };

  constructor(options: ViemLedgerChainOptions) {
    this.#options = { receiptTimeoutMs: 120_000, pollingIntervalMs: 1_000, ...options };
    this.kind = options.kind;
    this.chainId = options.walletClient.chain.id;
    this.address = options.address;
    this.operator = options.walletClient.account.address;
    this.publicClient = options.publicClient;
    this.walletClient = options.walletClient;
  }

  async allocationStatus(sessionKey: Hex): Promise<AllocationStatus> {
    const allocation = await this.#read(() =>
      this.publicClient.readContract({
        address: this.address,
        abi: framewayLedgerAbi,
        functionName: 'allocations',
        args: [sessionKey],
      }),
    );
    return allocation[2] as AllocationStatus;
  }

  allocate(request: AllocationRequest): Promise<ChainTx> {
    return this.#write(
      'allocate',
      [
        request.sessionKey,
        request.provider,
        request.payer ?? zeroAddress,
        request.pricePerBlockWei,
        request.slaMinBps,
        request.penaltyBps,
      ],
      request.escrowWei,
    );
  }

  async batchRoot(batchId: Hex): Promise<Hex | undefined> {
    const root = await this.#read(() =>
      this.publicClient.readContract({
        address: this.address,
        abi: framewayLedgerAbi,
        functionName: 'batchRoots',
        args: [batchId],
      }),
    );
    return root === ZERO_ROOT ? undefined : root;
  }

  commitBatch(batchId: Hex, root: Hex, leafCount: number): Promise<ChainTx> {
    return this.#write('commitBatch', [batchId, root, leafCount]);
  }

  settle(request: SettlementRequest): Promise<ChainTx> {
    return this.#write('settle', [
      request.sessionKey,
      BigInt(request.durationSec),
      request.totalMinutes,
      [...request.failedBitmap],
      request.p50LatencyUs,
      request.p95LatencyUs,
      request.fpsP5Milli,
    ]);
  }

  async freeStakeOf(provider: Address): Promise<bigint> {
    const read = (functionName: 'stakeOf' | 'lockedOf') =>
      this.#read(() =>
        this.publicClient.readContract({
          address: this.address,
          abi: framewayLedgerAbi,
          functionName,
          args: [provider],
        }),
      );
    const [stake, locked] = await Promise.all([read('stakeOf'), read('lockedOf')]);
    return stake - locked;
  }

  stakeFor(provider: Address, amountWei: bigint): Promise<ChainTx> {
    return this.#write('stakeFor', [provider], amountWei);
  }

  /** Anyone's dispute of a settled minute (the ledger itself never disputes; tests and tools do). */
  dispute(batchId: Hex, record: MinuteRecordStruct, proof: readonly Hex[]): Promise<ChainTx> {
    return this.#write('dispute', [batchId, record, [...proof]]);
  }

  /** Asks the contract whether a record is in a committed batch (eth_call, no transaction). */
  verifyRecord(batchId: Hex, record: MinuteRecordStruct, proof: readonly Hex[]): Promise<boolean> {
    return this.#read(() =>
      this.publicClient.readContract({
        address: this.address,
        abi: framewayLedgerAbi,
        functionName: 'verifyRecord',
        args: [batchId, record, [...proof]],
      }),
    );
  }

  finalize(sessionKey: Hex): Promise<ChainTx> {
    return this.#write('finalize', [sessionKey]);
  }

  withdraw(): Promise<ChainTx> {
    return this.#write('withdraw', []);
  }

  async balanceOf(account: Address): Promise<bigint> {
    return this.#read(() =>
      this.publicClient.readContract({
        address: this.address,
        abi: framewayLedgerAbi,
        functionName: 'balanceOf',
        args: [account],
      }),
    );
  }

  async quote(
    sessionKey: Hex,
  ): Promise<{ payout: bigint; refund: bigint; penalty: bigint; slaBreached: boolean; billableBlocks: bigint }> {
    const [payout, refund, penalty, slaBreached, billableBlocks] = await this.#read(() =>
      this.publicClient.readContract({
        address: this.address,
        abi: framewayLedgerAbi,
        functionName: 'quote',
        args: [sessionKey],
      }),
    );
    return { payout, refund, penalty, slaBreached, billableBlocks };
  }

  close(): void {
    this.#options.onClose?.();
  }

  async #read<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toChainError(error, 'read');
    }
  }

  /**
   * Simulates first (a revert surfaces with the contract's error name and no
   * gas spent), then sends and waits for the receipt.
   */
  async #write<const N extends WriteName>(
    functionName: N,
    args: ContractFunctionArgs<typeof framewayLedgerAbi, 'nonpayable' | 'payable', N>,
    value?: bigint,
  ): Promise<ChainTx> {
    const request = {
      address: this.address,
      abi: framewayLedgerAbi,
      functionName,
      args,
      account: this.walletClient.account,
      ...(value === undefined ? {} : { value }),
    } as unknown as SimulateRequest;
    let hash: Hex;
    try {
      const { request: simulated } = await this.publicClient.simulateContract(request);
      const paymaster = this.#options.paymaster;
      const write = paymaster
        ? { ...simulated, paymaster: paymaster.address, paymasterInput: paymaster.input }
        : simulated;
      hash = await this.walletClient.writeContract(write as WriteRequest);
    } catch (error) {
      throw toChainError(error, functionName);
    }
    let receipt: Awaited<ReturnType<PublicClient['waitForTransactionReceipt']>>;
    try {
      receipt = await this.publicClient.waitForTransactionReceipt({
        hash,
        timeout: this.#options.receiptTimeoutMs,
        pollingInterval: this.#options.pollingIntervalMs,
      });
    } catch (error) {
      throw toChainError(error, functionName, hash);
    }
    if (receipt.status !== 'success') {
      throw new FramewayError('FW_ERR_CHAIN_REVERTED', `${functionName} reverted on chain`, { txHash: hash });
    }
    return { hash, gasUsed: receipt.gasUsed };
  }
}

/** FW_ERR_CHAIN_REVERTED with the contract error's name for reverts, FW_ERR_CHAIN_UNAVAILABLE for everything else. */
export function toChainError(error: unknown, action: string, txHash?: Hex): FramewayError {
  if (error instanceof FramewayError) return error;
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError) {
      const name = revert.data?.errorName ?? revert.reason ?? 'unknown';
      return new FramewayError(
        'FW_ERR_CHAIN_REVERTED',
        `${action} reverted: ${name}`,
        {
          revert: name,
          args: (revert.data?.args ?? []).map((arg) => (typeof arg === 'bigint' ? arg.toString() : arg)),
          ...(txHash ? { txHash } : {}),
        },
        { cause: error },
      );
    }
    return new FramewayError('FW_ERR_CHAIN_UNAVAILABLE', `${action}: ${error.shortMessage}`, txHash ? { txHash } : {}, {
      cause: error,
    });
  }
  return new FramewayError('FW_ERR_CHAIN_UNAVAILABLE', `${action}: ${String(error)}`, txHash ? { txHash } : {}, {
    cause: error,
  });
}
