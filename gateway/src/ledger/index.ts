// `@frameway/gateway/ledger`: the QoS ledger for embedding, tools and the bench.
export { type Db, openDatabase } from '../store/openDatabase.js';
export { attachQosLedger } from './attachQosLedger.js';
export { Batcher, type BatchPolicy, batchIdOf } from './batch/Batcher.js';
export { type CreatedLedgerChain, createLedgerChain, embeddedChain } from './chain/createLedgerChain.js';
export { EMBEDDED_CHAIN_ID, EmbeddedEvm } from './chain/EmbeddedEvm.js';
export {
  framewayLedgerAbi,
  framewayLedgerBytecode,
  framewayLedgerCompiler,
} from './chain/framewayLedgerArtifact.js';
export {
  type AllocationRequest,
  AllocationStatus,
  type ChainKind,
  type ChainTx,
  type LedgerChain,
  type SettlementRequest,
} from './chain/LedgerChain.js';
export { type MinuteRecordStruct, type PaymasterConfig, ViemLedgerChain } from './chain/ViemLedgerChain.js';
export { ledgerApiPlugin } from './http/ledgerApiPlugin.js';
export { type QosRoutesOptions, qosRoutes } from './http/qosRoutes.js';
export { type LedgerConfig, LedgerConfigSchema, ledgerConfig, ledgerConfigFromEnv } from './ledgerConfig.js';
export { MerkleTree } from './merkle/MerkleTree.js';
export { ChainOutbox, type OutboxMetrics } from './outbox/ChainOutbox.js';
export {
  type AgentQosHandler,
  type LedgerMetrics,
  type PlacedSession,
  type PlayerQosHandler,
  QosLedger,
  type QosLedgerOptions,
  type QosRecordView,
  type QosSessionView,
  type QosStartPayload,
} from './QosLedger.js';
export type { MinuteVerdict, QosVerdictEvents, QosVerdictSource } from './QosVerdicts.js';
export { percentile, summarizeSettlement } from './settlement/summarizeSettlement.js';
export { LedgerStore } from './store/LedgerStore.js';
export { healthyAgentReport, healthyClientReport, ManualClock, silentLogger } from './testing/qosFixtures.js';
export { CROSS_CHECK, judgeMinute, type MinuteSla } from './verdict/judgeMinute.js';
