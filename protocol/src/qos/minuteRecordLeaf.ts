import { encodeAbiParameters, type Hex, keccak256, stringToBytes } from 'viem';

/**
 * Why a minute failed, as stable bits of the record's `failureMask` (the Merkle
 * leaf carries the mask; the API and MinuteVerdict carry the names).
 * Never renumber; only add.
 */
export const MinuteFailure = {
  fps_below_target: 1 << 0,
  latency_over_budget: 1 << 1,
  input_latency_over_budget: 1 << 2,
  agent_report_missing: 1 << 3,
  client_report_missing: 1 << 4,
  agent_report_invalid: 1 << 5,
  client_report_invalid: 1 << 6,
  frames_mismatch: 1 << 7,
  timing_implausible: 1 << 8,
} as const;
export type MinuteFailure = keyof typeof MinuteFailure;

const failureNames = Object.keys(MinuteFailure) as MinuteFailure[];

export function failureMaskOf(failures: readonly MinuteFailure[]): number {
  let mask = 0;
  for (const failure of failures) mask |= MinuteFailure[failure];
  return mask >>> 0;
}

export function failuresOfMask(mask: number): MinuteFailure[] {
  return failureNames.filter((name) => (mask & MinuteFailure[name]) !== 0);
}

/**
 * ABI types of a minute record's Merkle leaf, in order. The leaf is
 * `keccak256(keccak256(abi.encode(values)))`, exactly as OpenZeppelin's
 * `StandardMerkleTree.of(values, MINUTE_RECORD_LEAF_TYPES)` hashes it, and as
 * the ledger contract recomputes it in `dispute()`.
 */
export const MINUTE_RECORD_LEAF_TYPES = [
  'bytes32', // sessionKey = keccak256(utf8(sessionId))
  'uint32', // minuteIndex
  'uint64', // startedAt, epoch ms (gateway clock)
  'bool', // slaMet
  'uint32', // failureMask (MinuteFailure bits)
  'uint32', // fpsMilli: frames per second × 1000
  'uint32', // p95LatencyUs
  'bytes32', // agent report EIP-712 digest, zero when missing
  'bytes32', // client report EIP-712 digest, zero when missing
] as const;

/** The leaf's fields by name. */
export interface MinuteRecordLeaf {
  sessionKey: Hex;
  minuteIndex: number;
  startedAt: number;
  slaMet: boolean;
  failureMask: number;
  fpsMilli: number;
  p95LatencyUs: number;
  agentReportDigest: Hex;
  clientReportDigest: Hex;
}

/** JSON-safe leaf values in MINUTE_RECORD_LEAF_TYPES order (uint64 as a decimal string). */
export type MinuteRecordLeafValues = [Hex, number, string, boolean, number, number, number, Hex, Hex];

export const ZERO_BYTES32: Hex = `0x${'0'.repeat(64)}`;

/** The on-chain key of a session: keccak256 of its id's UTF-8 bytes. */
export function sessionKeyOf(sessionId: string): Hex {
  return keccak256(stringToBytes(sessionId));
}

export function leafValues(leaf: MinuteRecordLeaf): MinuteRecordLeafValues {
  return [
    leaf.sessionKey,
    leaf.minuteIndex,
    String(leaf.startedAt),
    leaf.slaMet,
    leaf.failureMask,
    leaf.fpsMilli,
    leaf.p95LatencyUs,
    leaf.agentReportDigest,
    leaf.clientReportDigest,
  ];
}

/** `keccak256(keccak256(abi.encode(values)))`: the StandardMerkleTree leaf hash. */
export function minuteRecordLeafHash(leaf: MinuteRecordLeaf): Hex {
  const encoded = encodeAbiParameters(
    MINUTE_RECORD_LEAF_TYPES.map((type) => ({ type })),
    [
      leaf.sessionKey,
      leaf.minuteIndex,
      BigInt(leaf.startedAt),
      leaf.slaMet,
      leaf.failureMask,
      leaf.fpsMilli,
      leaf.p95LatencyUs,
      leaf.agentReportDigest,
      leaf.clientReportDigest,
    ],
  );
  return keccak256(keccak256(encoded));
}

/** The leaf back from its JSON values (what `GET /v1/sessions/:id/qos` serves as `leaf.values`). */
export function leafFromValues(values: MinuteRecordLeafValues): MinuteRecordLeaf {
  const [sessionKey, minuteIndex, startedAt, slaMet, failureMask, fpsMilli, p95LatencyUs, agent, client] = values;
  return {
    sessionKey,
    minuteIndex,
    startedAt: Number(startedAt),
    slaMet,
    failureMask,
    fpsMilli,
    p95LatencyUs,
    agentReportDigest: agent,
    clientReportDigest: client,
  };
}
