import { FramewayError } from '@frameway/protocol';
import {
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  getAddress,
  type Hex,
  http,
  type Transport,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { sophon, sophonTestnet } from 'viem/chains';
import { eip712WalletActions, getGeneralPaymasterInput } from 'viem/zksync';
import type { LedgerChainConfig } from '../ledgerConfig.js';
import { EMBEDDED_CHAIN_ID, EmbeddedEvm } from './EmbeddedEvm.js';
import { framewayLedgerAbi, framewayLedgerBytecode } from './framewayLedgerArtifact.js';
import { type PaymasterConfig, toChainError, ViemLedgerChain, type ViemLedgerChainOptions } from './ViemLedgerChain.js';

/**
 * Sophon's clients as the ledger takes them. viem types a ZKsync-formatted client (ZKsync receipts and
 * blocks, nullable log `blockHash`) apart from the generic clients; the ledger reads only what both
 * share (receipt status, gas used, contract reads), so the narrowing is safe.
 */
type LedgerPublicClient = ViemLedgerChainOptions['publicClient'];
type LedgerWalletClient = ViemLedgerChainOptions['walletClient'];

/**
 * The embedded chain as viem sees it: a plain local chain. Local EVMs reject
 * ZKsync type-113 transactions, so no ZKsync formatters here.
 */
export const embeddedChain: Chain = defineChain({
  id: EMBEDDED_CHAIN_ID,
  name: 'Frameway embedded EVM',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [] } },
});

/** Balance the embedded chain gives the operator at genesis: escrows and demo stakes come from it. */
const EMBEDDED_OPERATOR_FUNDS = 10n ** 27n;

export interface CreatedLedgerChain {
  chain: ViemLedgerChain;
  /** The in-process EVM when the chain is embedded (tests move its clock). */
  evm: EmbeddedEvm | undefined;
  /** True when the chain state is new (the embedded EVM always is): the outbox replays its history into it. */
  fresh: boolean;
}

export interface CreateLedgerChainOptions {
  /** Operator key for the embedded chain (the ledger keeps one in its database). */
  embeddedOperatorKey?: Hex;
  /** Replaces the HTTP transport of a Sophon chain (tests that stop before the network). */
  transport?: Transport;
}

/** Builds the chain client the configuration asks for; the embedded chain also deploys the ledger contract. */
export async function createLedgerChain(
  config: LedgerChainConfig,
  options: CreateLedgerChainOptions = {},
): Promise<CreatedLedgerChain> {
  switch (config.kind) {
    case 'embedded':
      return createEmbedded(config, options);
    case 'sophon':
    case 'sophonTestnet':
      return { chain: createSophon(config, config.kind, options), evm: undefined, fresh: false };
    case 'none':
      throw new FramewayError('FW_ERR_INTERNAL', "chain kind 'none' has no chain client");
  }
}

async function createEmbedded(config: LedgerChainConfig, options: CreateLedgerChainOptions) {
  const key = options.embeddedOperatorKey;
  if (!key) throw new FramewayError('FW_ERR_INTERNAL', 'the embedded chain needs an operator key');
  const account = privateKeyToAccount(key);
  const evm = await EmbeddedEvm.create({ fund: [{ address: account.address, balance: EMBEDDED_OPERATOR_FUNDS }] });
  const transport = custom({ request: evm.request }, { retryCount: 0 });
  // Blocks are mined on every transaction: poll receipts fast.
  const publicClient = createPublicClient({ chain: embeddedChain, transport, pollingInterval: 1 });
  const walletClient = createWalletClient({ account, chain: embeddedChain, transport, pollingInterval: 1 });
  let address: Address;
  try {
    const hash = await walletClient.deployContract({
      abi: framewayLedgerAbi,
      bytecode: framewayLedgerBytecode,
      args: [account.address, BigInt(config.challengeWindowSec)],
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 1 });
    if (!receipt.contractAddress || receipt.status !== 'success') {
      throw new FramewayError('FW_ERR_CHAIN_REVERTED', 'deploying FramewayLedger on the embedded chain failed');
    }
    address = receipt.contractAddress;
  } catch (error) {
    evm.close();
    throw toChainError(error, 'deploy');
  }
  const chain = new ViemLedgerChain({
    kind: 'embedded',
    address,
    publicClient,
    walletClient,
    pollingIntervalMs: 1,
    receiptTimeoutMs: config.receiptTimeoutMs,
    onClose: () => evm.close(),
  });
  return { chain, evm, fresh: true };
}

function createSophon(
  config: LedgerChainConfig,
  kind: 'sophon' | 'sophonTestnet',
  options: CreateLedgerChainOptions,
): ViemLedgerChain {
  if (!config.privateKey || !config.contractAddress) {
    throw new FramewayError('FW_ERR_INTERNAL', `chain '${kind}' needs privateKey and contractAddress`);
  }
  const chain = kind === 'sophon' ? sophon : sophonTestnet;
  const account = privateKeyToAccount(config.privateKey as Hex);
  // The outbox retries with its own backoff; a transport retry would only hide the outage from it.
  const transport = options.transport ?? http(config.rpcUrl ?? chain.rpcUrls.default.http[0], { retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport });
  const walletClient = createWalletClient({ account, chain, transport }).extend(eip712WalletActions());
  const paymaster: PaymasterConfig | undefined = config.paymaster
    ? {
        address: getAddress(config.paymaster.address),
        input: (config.paymaster.input as Hex | undefined) ?? getGeneralPaymasterInput({ innerInput: '0x' }),
      }
    : undefined;
  return new ViemLedgerChain({
    kind,
    address: getAddress(config.contractAddress),
    publicClient: publicClient as unknown as LedgerPublicClient,
    walletClient: walletClient as unknown as LedgerWalletClient,
    paymaster,
    pollingIntervalMs: 500,
    receiptTimeoutMs: config.receiptTimeoutMs,
  });
}
