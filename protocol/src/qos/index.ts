// `@frameway/protocol/qos`: report schemas, EIP-712 signing and the minute
// record leaf format. A subpath of its own so viem stays out of the browser
// bundle of anything that only needs the signaling contract.
export {
  failureMaskOf,
  failuresOfMask,
  leafFromValues,
  leafValues,
  MINUTE_RECORD_LEAF_TYPES,
  MinuteFailure,
  type MinuteRecordLeaf,
  type MinuteRecordLeafValues,
  minuteRecordLeafHash,
  sessionKeyOf,
  ZERO_BYTES32,
} from './minuteRecordLeaf.js';
export {
  AddressSchema,
  type AgentMinuteReport,
  AgentMinuteReportSchema,
  Bytes32Schema,
  type ClientMinuteReport,
  ClientMinuteReportSchema,
  type QosDomain,
  QosDomainSchema,
  QosSide,
  SignatureSchema,
  type SignedAgentReport,
  SignedAgentReportSchema,
  type SignedClientReport,
  SignedClientReportSchema,
} from './qosReports.js';
export {
  agentReportDigest,
  clientReportDigest,
  isSignedBy,
  keyBindingDigest,
  QOS_BINDING_DOMAIN,
  QOS_DOMAIN_NAME,
  QOS_DOMAIN_VERSION,
  type QosSigner,
  qosDomain,
  qosTypes,
  recoverSigner,
  signAgentReport,
  signClientReport,
  signKeyBinding,
  toTypedDataDomain,
} from './qosTypedData.js';
export { hashPair, verifyMerkleProof } from './verifyMerkleProof.js';
