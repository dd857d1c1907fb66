import { FramewayError } from '@frameway/protocol';
import type { Address, EIP1193RequestFn, Hex } from 'viem';

// EDR is Hardhat's Rust EVM (napi). Loaded lazily: a gateway with the chain
// turned off never loads the native module, and a platform without its binary
// gets a typed error instead of a crash at import time.
type Edr = typeof import('@nomicfoundation/edr');
type EdrProvider = import('@nomicfoundation/edr').Provider;

/** Chain id of the embedded chain (Hardhat's, so wallets and tools recognise it as local). */
export const EMBEDDED_CHAIN_ID = 31337;
/** Hardfork the embedded chain runs (EDR's CANCUN); contracts are compiled for the same EVM version. */
export const EMBEDDED_HARDFORK = 'cancun';

export interface EmbeddedEvmOptions {
  /** Accounts funded at genesis (wei). */
  fund: ReadonlyArray<{ address: Address; balance: bigint }>;
  chainId?: number;
  blockGasLimit?: bigint;
}

let edrModule: Promise<{ edr: Edr; context: InstanceType<Edr['EdrContext']> }> | undefined;

async function loadEdr(): Promise<{ edr: Edr; context: InstanceType<Edr['EdrContext']> }> {
  // One EdrContext per process: EDR documents its constructor as call-once.
  edrModule ??= (async () => {
    const edr = await import('@nomicfoundation/edr');
    const context = new edr.EdrContext();
    await context.registerProviderFactory(edr.L1_CHAIN_TYPE, edr.l1ProviderFactory());
    return { edr, context };
  })();
  try {
    return await edrModule;
  } catch (cause) {
    edrModule = undefined;
    throw new FramewayError(
      'FW_ERR_CHAIN_UNAVAILABLE',
      `the embedded EVM (EDR) cannot be loaded: ${String(cause)}`,
      {},
      {
        cause,
      },
    );
  }
}

interface JsonRpcResponse {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/**
 * An in-process, auto-mining EVM (Hardhat's EDR) behind an EIP-1193
 * `request` function, for viem's `custom` transport. State lives in memory:
 * the ledger replays its outbox into a fresh one at startup.
 */
export class EmbeddedEvm {
  readonly chainId: number;
  readonly #provider: EdrProvider;
  #nextId = 1;
  #closed = false;

  private constructor(chainId: number, provider: EdrProvider) {
    this.chainId = chainId;
    this.#provider = provider;
  }

  static async create(options: EmbeddedEvmOptions): Promise<EmbeddedEvm> {
    const { edr, context } = await loadEdr();
    const chainId = options.chainId ?? EMBEDDED_CHAIN_ID;
    const genesis = edr.l1GenesisState(edr.l1HardforkFromString(edr.CANCUN));
    for (const account of options.fund)
      genesis.push({ address: hexToBuffer(account.address), balance: account.balance });
    const provider = await context.createProvider(
      edr.L1_CHAIN_TYPE,
      {
        allowBlocksWithSameTimestamp: true,
        allowUnlimitedContractSize: false,
        bailOnCallFailure: true,
        bailOnTransactionFailure: true,
        chainId: BigInt(chainId),
        coinbase: hexToBuffer('0x0000000000000000000000000000000000000000'),
        defaultTransactionGasLimit: 30_000_000n,
        genesisState: genesis,
        hardfork: edr.CANCUN,
        initialBaseFeePerGas: 1_000_000_000n,
        minGasPrice: 0n,
        mining: { autoMine: true, memPool: { order: edr.MineOrdering.Priority } },
        network: { genesisBlockGasLimit: options.blockGasLimit ?? 60_000_000n },
        networkId: BigInt(chainId),
        observability: {},
        ownedAccounts: [],
        precompileOverrides: [],
      },
      { enable: false, decodeConsoleLogInputsCallback: () => [], printLineCallback: () => undefined },
      { subscriptionCallback: () => undefined },
      new edr.ContractDecoder(),
    );
    return new EmbeddedEvm(chainId, provider);
  }

  /** EIP-1193 request: what viem's `custom({ request })` transport calls. */
  readonly request: EIP1193RequestFn = (({ method, params }: { method: string; params?: unknown }) =>
    this.#send(method, params)) as EIP1193RequestFn;

  /** Moves the chain's clock forward and mines a block (challenge windows in tests and the bench). */
  async increaseTime(seconds: number): Promise<void> {
    // Hardhat's test methods, sent untyped: viem's public RPC schema does not list them.
    await this.#send('evm_increaseTime', [seconds]);
    await this.#send('evm_mine', []);
  }

  async #send(method: string, params: unknown): Promise<unknown> {
    if (this.#closed) throw new FramewayError('FW_ERR_CHAIN_UNAVAILABLE', 'the embedded EVM is closed');
    const id = this.#nextId++;
    const response = await this.#provider.handleRequest(
      JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? [] }),
    );
    const data = (typeof response.data === 'string' ? JSON.parse(response.data) : response.data) as JsonRpcResponse;
    if (data.error) throw toRpcError(data.error);
    return data.result;
  }

  close(): void {
    this.#closed = true;
  }
}

/**
 * EDR reports a revert as code -32000 with `data: { data: '0x…' }`; geth and
 * most nodes use code 3 with the revert bytes as `data`, which is what viem
 * decodes into the contract's custom error. Translate to that.
 */
function toRpcError(error: NonNullable<JsonRpcResponse['error']>): Error {
  const revertData = (error.data as { data?: unknown } | undefined)?.data;
  if (typeof revertData === 'string' && /^0x[0-9a-fA-F]*$/.test(revertData)) {
    return Object.assign(new Error(`execution reverted: ${error.message}`), { code: 3, data: revertData });
  }
  return Object.assign(new Error(error.message), { code: error.code, data: error.data });
}

function hexToBuffer(hex: Hex): Buffer {
  return Buffer.from(hex.slice(2), 'hex');
}
