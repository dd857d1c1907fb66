import {
  leafValues,
  MINUTE_RECORD_LEAF_TYPES,
  type MinuteRecordLeaf,
  minuteRecordLeafHash,
  sessionKeyOf,
  verifyMerkleProof,
  ZERO_BYTES32,
} from '@frameway/protocol/qos';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import fc from 'fast-check';
import { type Hex, keccak256, toHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { MerkleTree } from './MerkleTree.js';

function leaf(i: number, overrides: Partial<MinuteRecordLeaf> = {}): MinuteRecordLeaf {
  return {
    sessionKey: sessionKeyOf(`ses_${i % 7}`),
    minuteIndex: i,
    startedAt: 1_767_225_600_000 + i * 60_000,
    slaMet: i % 3 !== 0,
    failureMask: i % 3 === 0 ? 1 : 0,
    fpsMilli: 59_000 + i,
    p95LatencyUs: 20_000 + i,
    agentReportDigest: keccak256(toHex(`agent ${i}`)),
    clientReportDigest: i % 5 === 0 ? ZERO_BYTES32 : keccak256(toHex(`client ${i}`)),
    ...overrides,
  };
}

describe('MerkleTree', () => {
  it('hashes a minute record leaf exactly as StandardMerkleTree does', () => {
    const record = leaf(4);
    const oz = StandardMerkleTree.of([leafValues(record)], [...MINUTE_RECORD_LEAF_TYPES]);
    expect(minuteRecordLeafHash(record)).toBe(oz.leafHash(leafValues(record)));
  });

  it('builds the same root and proofs as OpenZeppelin StandardMerkleTree for any batch size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 1000 }), (count, offset) => {
        const records = Array.from({ length: count }, (_, i) => leaf(i + offset));
        const values = records.map(leafValues);
        const oz = StandardMerkleTree.of(values, [...MINUTE_RECORD_LEAF_TYPES]);
        const ours = new MerkleTree(records.map(minuteRecordLeafHash));
        expect(ours.root).toBe(oz.root);
        expect(ours.leafCount).toBe(count);
        for (const [i, value] of values.entries()) {
          const hash = minuteRecordLeafHash(records[i]!);
          expect(ours.proof(hash)).toEqual(oz.getProof(value));
          expect(StandardMerkleTree.verify(ours.root, [...MINUTE_RECORD_LEAF_TYPES], value, ours.proof(hash))).toBe(
            true,
          );
        }
      }),
      { numRuns: 12 },
    );
  });

  it('gives proofs that verify for their own leaf only', () => {
    const records = Array.from({ length: 9 }, (_, i) => leaf(i));
    const tree = new MerkleTree(records.map(minuteRecordLeafHash));
    const target = minuteRecordLeafHash(records[3]!);
    const proof = tree.proof(target);
    expect(verifyMerkleProof(tree.root, target, proof)).toBe(true);
    const tampered = minuteRecordLeafHash({ ...records[3]!, slaMet: !records[3]!.slaMet });
    expect(verifyMerkleProof(tree.root, tampered, proof)).toBe(false);
    expect(verifyMerkleProof(tree.root, minuteRecordLeafHash(records[4]!), proof)).toBe(false);
  });

  it('has a one-leaf tree whose root is the leaf and whose proof is empty', () => {
    const hash = minuteRecordLeafHash(leaf(1));
    const tree = new MerkleTree([hash]);
    expect(tree.root).toBe(hash);
    expect(tree.proof(hash)).toEqual([]);
  });

  it('refuses an empty tree, a short leaf and a proof for an unknown leaf', () => {
    expect(() => new MerkleTree([])).toThrow(RangeError);
    expect(() => new MerkleTree(['0x1234' as Hex])).toThrow(/32 bytes/);
    const tree = new MerkleTree([minuteRecordLeafHash(leaf(1)), minuteRecordLeafHash(leaf(2))]);
    expect(() => tree.proof(minuteRecordLeafHash(leaf(3)))).toThrow(/not in this tree/);
  });
});
