import { concat, type Hex, hexToBigInt, keccak256 } from 'viem';

/** Hash of two sibling nodes, smaller first: OpenZeppelin's commutative `Hashes.commutativeKeccak256`. */
export function hashPair(a: Hex, b: Hex): Hex {
  return hexToBigInt(a) < hexToBigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

/**
 * Recomputes the root from a leaf hash and its inclusion proof, as
 * OpenZeppelin's `MerkleProof.verify` does on chain.
 *
 * @example verifyMerkleProof(record.batch.root, record.leafHash, record.batch.proof)
 */
export function verifyMerkleProof(root: Hex, leafHash: Hex, proof: readonly Hex[]): boolean {
  let node = leafHash;
  for (const sibling of proof) node = hashPair(node, sibling);
  return node.toLowerCase() === root.toLowerCase();
}
