import { bytesToHex, type Hex, hexToBytes, keccak256 } from 'viem';

/**
 * A Merkle tree laid out exactly like OpenZeppelin's `StandardMerkleTree`
 * (`@openzeppelin/merkle-tree`, sortLeaves on): leaf hashes sorted ascending,
 * stored at the end of one array in reverse order, every parent the keccak256
 * of its two children sorted (commutative). Same leaves in, same root and
 * proofs out, and the proofs verify with `MerkleProof.verify` on chain.
 *
 * Takes leaf hashes (the ledger hashes minute records itself), so building a
 * 4096-leaf tree costs 4095 keccaks over raw bytes.
 */
export class MerkleTree {
  readonly #nodes: Uint8Array[];
  readonly #treeIndexByLeaf = new Map<string, number>();

  constructor(leafHashes: readonly Hex[]) {
    if (leafHashes.length === 0) throw new RangeError('a Merkle tree needs at least one leaf');
    const leaves = leafHashes.map((hash) => {
      const bytes = hexToBytes(hash);
      if (bytes.length !== 32) throw new RangeError(`leaf ${hash} is not 32 bytes`);
      return bytes;
    });
    leaves.sort(compareBytes);
    const nodes = new Array<Uint8Array>(2 * leaves.length - 1);
    leaves.forEach((leaf, i) => {
      const index = nodes.length - 1 - i;
      nodes[index] = leaf;
      this.#treeIndexByLeaf.set(bytesToHex(leaf), index);
    });
    for (let i = nodes.length - 1 - leaves.length; i >= 0; i--) {
      nodes[i] = hashPairBytes(nodes[2 * i + 1]!, nodes[2 * i + 2]!);
    }
    this.#nodes = nodes;
  }

  get root(): Hex {
    return bytesToHex(this.#nodes[0]!);
  }

  get leafCount(): number {
    return (this.#nodes.length + 1) / 2;
  }

  has(leafHash: Hex): boolean {
    return this.#treeIndexByLeaf.has(leafHash.toLowerCase());
  }

  /** Sibling hashes from the leaf up to (not including) the root. Throws when the leaf is not in the tree. */
  proof(leafHash: Hex): Hex[] {
    let index = this.#treeIndexByLeaf.get(leafHash.toLowerCase());
    if (index === undefined) throw new RangeError(`leaf ${leafHash} is not in this tree`);
    const proof: Hex[] = [];
    while (index > 0) {
      const sibling = index % 2 === 1 ? index + 1 : index - 1;
      proof.push(bytesToHex(this.#nodes[sibling]!));
      index = Math.floor((index - 1) / 2);
    }
    return proof;
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const diff = a[i]! - b[i]!;
    if (diff !== 0) return diff;
  }
  return 0;
}

function hashPairBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(64);
  if (compareBytes(a, b) <= 0) {
    joined.set(a, 0);
    joined.set(b, 32);
  } else {
    joined.set(b, 0);
    joined.set(a, 32);
  }
  return keccak256(joined, 'bytes');
}
