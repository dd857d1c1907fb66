import * as v from 'valibot';

/** `0x`-prefixed hex, as the QoS ledger serves hashes, signatures and addresses. */
const Hex = v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]*$/, 'a 0x-prefixed hex string'));

/**
 * `sessionId` of the QoS route. Any string: an id the ledger does not know,
 * malformed or not, answers 404 FW_ERR_SESSION_NOT_FOUND like any unknown session.
 */
export const SessionQosParams = v.object({ sessionId: v.string() });

/** A signed minute report as the ledger stored it (fields as in `@frameway/protocol/qos`). */
const SignedReportView = v.object({
  report: v.record(v.string(), v.unknown()),
  signature: Hex,
  signer: Hex,
  digest: Hex,
});

/** One minute record with what it takes to check it without trusting the gateway. */
export const QosMinuteRecord = v.object({
  minuteIndex: v.number(),
  startedAt: v.number(),
  slaMet: v.boolean(),
  failures: v.array(v.string()),
  fps: v.number(),
  p95LatencyMs: v.number(),
  rttP95Ms: v.nullable(v.number()),
  inputToPhotonP95Ms: v.nullable(v.number()),
  /** The Merkle leaf: values in `leafEncoding` order (uint64 as a string) and its hash. */
  leaf: v.object({ values: v.array(v.unknown()), hash: Hex }),
  agentReport: v.nullable(SignedReportView),
  clientReport: v.nullable(SignedReportView),
  /** Null until the record is batched. */
  batch: v.nullable(
    v.object({ batchId: Hex, root: Hex, proof: v.array(Hex), committed: v.boolean(), txHash: v.nullable(Hex) }),
  ),
});

/** `GET /v1/sessions/{sessionId}/qos`: a session's minute records, their reports and inclusion proofs. */
export const SessionQos = v.object({
  sessionId: v.string(),
  sessionKey: Hex,
  /** The EIP-712 domain the reports are signed under. */
  domain: v.record(v.string(), v.unknown()),
  chain: v.nullable(v.object({ kind: v.string(), chainId: v.number(), contract: Hex })),
  records: v.array(QosMinuteRecord),
  /** ABI types of a leaf's values, in order (for StandardMerkleTree.verify). */
  leafEncoding: v.array(v.string()),
});
