import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type Address,
  createPublicClient,
  createWalletClient,
  custom,
  type Hex,
  keccak256,
  parseEther,
  toHex,
} from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedChain } from './createLedgerChain.js';
import { EmbeddedEvm } from './EmbeddedEvm.js';
import { framewayLedgerAbi, framewayLedgerBytecode } from './framewayLedgerArtifact.js';
import { AllocationStatus } from './LedgerChain.js';
import { ViemLedgerChain } from './ViemLedgerChain.js';

const WINDOW = 100;
let evm: EmbeddedEvm;
let address: Address;
const accounts = {
  operator: privateKeyToAccount(generatePrivateKey()),
  provider: privateKeyToAccount(generatePrivateKey()),
  stranger: privateKeyToAccount(generatePrivateKey()),
};

function as(account: PrivateKeyAccount): ViemLedgerChain {
  const transport = custom({ request: evm.request }, { retryCount: 0 });
  return new ViemLedgerChain({
    kind: 'embedded',
    address,
    publicClient: createPublicClient({ chain: embeddedChain, transport, pollingInterval: 1 }),
    walletClient: createWalletClient({ account, chain: embeddedChain, transport, pollingInterval: 1 }),
    pollingIntervalMs: 1,
  });
}

const key = (label: string): Hex => keccak256(toHex(label));
const allocation = (sessionKey: Hex, escrowWei = parseEther('0.008')) => ({
  sessionKey,
  provider: accounts.provider.address,
  pricePerBlockWei: parseEther('0.001'),
  escrowWei,
  slaMinBps: 9500,
  penaltyBps: 1000,
});

beforeAll(async () => {
  evm = await EmbeddedEvm.create({
    fund: Object.values(accounts).map((account) => ({ address: account.address, balance: parseEther('1000') })),
  });
  const transport = custom({ request: evm.request });
  const wallet = createWalletClient({ account: accounts.operator, chain: embeddedChain, transport });
  const hash = await wallet.deployContract({
    abi: framewayLedgerAbi,
    bytecode: framewayLedgerBytecode,
    args: [accounts.operator.address, BigInt(WINDOW)],
  });
  const receipt = await createPublicClient({ chain: embeddedChain, transport }).waitForTransactionReceipt({
    hash,
    pollingInterval: 1,
  });
  address = receipt.contractAddress as Address;
});
afterAll(() => evm.close());

describe('FramewayLedger contract', () => {
  it('lets only the operator allocate, commit and settle', async () => {
    const stranger = as(accounts.stranger);
    await expect(stranger.allocate(allocation(key('s1')))).rejects.toMatchObject({
      details: { revert: 'NotOperator' },
    });
    await expect(stranger.commitBatch(key('b1'), key('r1'), 1)).rejects.toMatchObject({
      details: { revert: 'NotOperator' },
    });
    await expect(
      stranger.settle({
        sessionKey: key('s1'),
        durationSec: 1,
        totalMinutes: 0,
        failedBitmap: [],
        p50LatencyUs: 0,
        p95LatencyUs: 0,
        fpsP5Milli: 0,
      }),
    ).rejects.toMatchObject({ details: { revert: 'NotOperator' } });
  });

  it('locks collateral from the provider stake per allocation and refuses an allocation it cannot cover', async () => {
    const operator = as(accounts.operator);
    const provider = as(accounts.provider);
    await expect(operator.allocate(allocation(key('s-nostake')))).rejects.toMatchObject({
      details: { revert: 'InsufficientStake' },
    });
    await provider.stakeFor(accounts.provider.address, parseEther('0.001'));
    await operator.allocate(allocation(key('s-a')));
    expect(await operator.freeStakeOf(accounts.provider.address)).toBe(parseEther('0.0002'));
    await expect(operator.allocate(allocation(key('s-a')))).rejects.toMatchObject({
      details: { revert: 'AlreadyAllocated' },
    });
    await expect(operator.allocate(allocation(key('s-b')))).rejects.toMatchObject({
      details: { revert: 'InsufficientStake' },
    });
    expect(await operator.allocationStatus(key('s-a'))).toBe(AllocationStatus.Allocated);
  });

  it('anchors a batch id once and refuses malformed settlements', async () => {
    const operator = as(accounts.operator);
    await operator.commitBatch(key('batch-x'), key('root-x'), 10);
    await expect(operator.commitBatch(key('batch-x'), key('root-y'), 10)).rejects.toMatchObject({
      details: { revert: 'BatchAlreadyCommitted' },
    });
    expect(await operator.batchRoot(key('batch-x'))).toBe(key('root-x'));
    expect(await operator.batchRoot(key('batch-unused'))).toBeUndefined();
    const bad = {
      sessionKey: key('s-a'),
      durationSec: 600,
      p50LatencyUs: 0,
      p95LatencyUs: 0,
      fpsP5Milli: 0,
    };
    // A bit past the last minute, and a bitmap of the wrong length.
    await expect(operator.settle({ ...bad, totalMinutes: 3, failedBitmap: [0b1000n] })).rejects.toMatchObject({
      details: { revert: 'InvalidParams' },
    });
    await expect(operator.settle({ ...bad, totalMinutes: 3, failedBitmap: [0n, 0n] })).rejects.toMatchObject({
      details: { revert: 'InvalidParams' },
    });
    await expect(
      operator.settle({ ...bad, sessionKey: key('s-unknown'), totalMinutes: 0, failedBitmap: [] }),
    ).rejects.toMatchObject({ details: { revert: 'WrongStatus' } });
  });

  it('bills started 15-minute blocks up to the escrow, pays by withdrawal and frees the collateral', async () => {
    const operator = as(accounts.operator);
    const provider = as(accounts.provider);
    // 5 hours streamed on an escrow of 8 blocks (2 hours): billing stops at the escrow.
    await operator.settle({
      sessionKey: key('s-a'),
      durationSec: 5 * 3600,
      totalMinutes: 300,
      failedBitmap: [0n, 0n],
      p50LatencyUs: 10_000,
      p95LatencyUs: 20_000,
      fpsP5Milli: 59_000,
    });
    expect(await operator.quote(key('s-a'))).toEqual({
      payout: parseEther('0.008'),
      refund: 0n,
      penalty: 0n,
      slaBreached: false,
      billableBlocks: 8n,
    });
    await evm.increaseTime(WINDOW + 1);
    await operator.finalize(key('s-a'));
    await expect(operator.finalize(key('s-a'))).rejects.toMatchObject({ details: { revert: 'WrongStatus' } });
    expect(await operator.freeStakeOf(accounts.provider.address)).toBe(parseEther('0.001'));
    const before = await provider.publicClient.getBalance({ address: accounts.provider.address });
    const tx = await provider.withdraw();
    const after = await provider.publicClient.getBalance({ address: accounts.provider.address });
    const receipt = await provider.publicClient.getTransactionReceipt({ hash: tx.hash });
    expect(after - before + receipt.gasUsed * receipt.effectiveGasPrice).toBe(parseEther('0.008'));
    await expect(provider.withdraw()).rejects.toMatchObject({ details: { revert: 'NothingToWithdraw' } });
  });

  it('is built from the current Solidity source', () => {
    const script = fileURLToPath(new URL('../../../scripts/compileContracts.mjs', import.meta.url));
    const check = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
