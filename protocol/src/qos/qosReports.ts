import * as v from 'valibot';

// Plain valibot schemas, no viem: the signaling table (main entry, browser-safe)
// imports these; the EIP-712 side lives in qosTypedData.ts behind the subpath.

const MAX_UINT32 = 0xffff_ffff;

const Uint32 = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_UINT32));
/** Epoch milliseconds (uint64 on the EIP-712 side; safe integers here). */
const EpochMs = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const SessionId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'an id of 1-64 characters [A-Za-z0-9._:-]'));

/** A 20-byte EVM address, 0x-prefixed hex (any case). */
export const AddressSchema = v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte hex address'));
/** A 65-byte secp256k1 signature (r, s, v), 0x-prefixed hex. */
export const SignatureSchema = v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{130}$/, 'a 65-byte hex signature'));
export const Bytes32Schema = v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{64}$/, 'a 32-byte hex value'));

/**
 * What the edge agent measured for one minute of one session. Times are in
 * microseconds, rates in whole units; every field is an integer so the report
 * maps 1:1 onto its EIP-712 struct.
 */
export const AgentMinuteReportSchema = v.object({
  sessionId: SessionId,
  nodeId: SessionId,
  /** 0-based minute since the gateway's QosStart. */
  minuteIndex: Uint32,
  /** The window the counters cover, in the agent's clock (epoch ms). */
  windowStart: EpochMs,
  windowEnd: EpochMs,
  /** Frames the runtime offered to the encoder. */
  framesIn: Uint32,
  /** Frames handed to the encoder (encoded and sent). */
  framesEncoded: Uint32,
  /** Frames dropped because the encoder was still busy. */
  framesDropped: Uint32,
  /** Mean and 95th percentile of the per-frame encoder hand-off time (see docs/qos-ledger.md). */
  encodeTimeUsMean: Uint32,
  encodeTimeUsP95: Uint32,
  /** Bitrate the encoder was configured for. */
  targetBitrateKbps: Uint32,
});

/** What the player measured for one minute (WebRTC stats plus the input-to-photon probe). */
export const ClientMinuteReportSchema = v.object({
  sessionId: SessionId,
  minuteIndex: Uint32,
  /** Window in the player's clock (epoch ms). */
  windowStart: EpochMs,
  windowEnd: EpochMs,
  framesReceived: Uint32,
  framesDecoded: Uint32,
  /** Decoded frames that were not dropped before display. */
  framesRendered: Uint32,
  freezeCount: Uint32,
  freezeMs: Uint32,
  /** Round-trip time of the media path, 50th and 95th percentile of the minute's samples. */
  rttUsP50: Uint32,
  rttUsP95: Uint32,
  jitterUsP95: Uint32,
  packetsReceived: Uint32,
  packetsLost: Uint32,
  bytesReceived: Uint32,
  /** Input events whose effect the probe saw on screen. */
  inputSamples: Uint32,
  /** Input-to-photon latency percentiles; 0 when `inputSamples` is 0. */
  inputToPhotonUsP50: Uint32,
  inputToPhotonUsP95: Uint32,
});

export type AgentMinuteReport = v.InferOutput<typeof AgentMinuteReportSchema>;
export type ClientMinuteReport = v.InferOutput<typeof ClientMinuteReportSchema>;

export const SignedAgentReportSchema = v.object({ report: AgentMinuteReportSchema, signature: SignatureSchema });
export const SignedClientReportSchema = v.object({ report: ClientMinuteReportSchema, signature: SignatureSchema });
export type SignedAgentReport = v.InferOutput<typeof SignedAgentReportSchema>;
export type SignedClientReport = v.InferOutput<typeof SignedClientReportSchema>;

/** The EIP-712 domain every report of a gateway is signed under. */
export const QosDomainSchema = v.object({
  name: v.pipe(v.string(), v.maxLength(64)),
  version: v.pipe(v.string(), v.maxLength(16)),
  chainId: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(Number.MAX_SAFE_INTEGER)),
  verifyingContract: AddressSchema,
});
export type QosDomain = v.InferOutput<typeof QosDomainSchema>;

/** Which side of the session a report comes from. */
export const QosSide = { Agent: 'agent', Client: 'client' } as const;
export type QosSide = (typeof QosSide)[keyof typeof QosSide];
