import { custom, decodeFunctionData, type Hex, keccak256, toHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { sophonTestnet } from 'viem/chains';
import { getGeneralPaymasterInput, parseEip712Transaction } from 'viem/zksync';
import { describe, expect, it } from 'vitest';
import { ledgerConfig } from '../ledgerConfig.js';
import { createLedgerChain } from './createLedgerChain.js';
import { framewayLedgerAbi } from './framewayLedgerArtifact.js';

const CONTRACT = '0x1234567890123456789012345678901234567890';
const PAYMASTER = '0x98546B226dbbA8230cf620635a1e4ab01F6A99B2';

/**
 * A JSON-RPC endpoint that answers what viem asks while it builds a ZKsync
 * transaction, keeps the signed bytes it is handed, and then refuses to go
 * further: the request is built exactly as it would be for Sophon, and
 * nothing leaves this machine.
 */
function recordingEndpoint(chainId: number) {
  const calls: string[] = [];
  let raw: Hex | undefined;
  const transport = custom({
    request: async ({ method, params }: { method: string; params?: unknown[] }) => {
      calls.push(method);
      switch (method) {
        case 'eth_chainId':
          return toHex(chainId);
        case 'eth_call':
          return '0x';
        case 'eth_getTransactionCount':
          return '0x7';
        case 'eth_gasPrice':
        case 'eth_maxPriorityFeePerGas':
          return '0x2faf080';
        case 'eth_estimateGas':
          return '0x30d40';
        case 'zks_estimateFee':
          return {
            gas_limit: '0x30d40',
            gas_per_pubdata_limit: '0xc350',
            max_fee_per_gas: '0x2faf080',
            max_priority_fee_per_gas: '0x0',
          };
        case 'eth_getBlockByNumber':
          return {
            number: '0x10',
            hash: keccak256(toHex('block')),
            baseFeePerGas: '0x2faf080',
            timestamp: '0x1',
            transactions: [],
          };
        case 'eth_sendRawTransaction':
          raw = (params as Hex[])[0];
          throw new Error('no network in this test');
        default:
          throw new Error(`unexpected ${method}`);
      }
    },
  });
  return { transport, calls, raw: () => raw };
}

describe('createLedgerChain for Sophon', () => {
  it('builds a paymaster-sponsored ZKsync (type 113) transaction to the configured contract', async () => {
    const key = generatePrivateKey();
    const config = ledgerConfig({
      chain: {
        kind: 'sophonTestnet',
        privateKey: key,
        contractAddress: CONTRACT,
        paymaster: { address: PAYMASTER },
      },
    }).chain;
    const endpoint = recordingEndpoint(sophonTestnet.id);
    const { chain, evm, fresh } = await createLedgerChain(config, { transport: endpoint.transport });
    expect({ kind: chain.kind, chainId: chain.chainId, evm, fresh }).toEqual({
      kind: 'sophonTestnet',
      chainId: 531050104,
      evm: undefined,
      fresh: false,
    });
    expect(chain.operator).toBe(privateKeyToAccount(key).address);
    const batchId = keccak256(toHex('batch 1'));
    const root = keccak256(toHex('root 1'));
    await expect(chain.commitBatch(batchId, root, 4096)).rejects.toMatchObject({ code: 'FW_ERR_CHAIN_UNAVAILABLE' });
    const raw = endpoint.raw();
    // A ZKsync EIP-712 (type 0x71) transaction, not a plain one.
    expect(raw, `viem asked for ${endpoint.calls.join(', ')}`).toMatch(/^0x71[0-9a-f]+$/);
    const tx = parseEip712Transaction(raw as Hex);
    expect(tx).toMatchObject({
      type: 'eip712',
      chainId: sophonTestnet.id,
      to: CONTRACT,
      from: privateKeyToAccount(key).address.toLowerCase(),
      nonce: 7,
      paymaster: PAYMASTER.toLowerCase(),
      paymasterInput: getGeneralPaymasterInput({ innerInput: '0x' }),
    });
    expect(decodeFunctionData({ abi: framewayLedgerAbi, data: tx.data as Hex })).toEqual({
      functionName: 'commitBatch',
      args: [batchId, root, 4096],
    });
  });

  it('refuses a Sophon configuration without an operator key or contract', () => {
    expect(() => ledgerConfig({ chain: { kind: 'sophon', contractAddress: CONTRACT } })).toThrow(/privateKey/);
    expect(() => ledgerConfig({ chain: { kind: 'sophon', privateKey: generatePrivateKey() } })).toThrow(
      /contractAddress/,
    );
  });
});
