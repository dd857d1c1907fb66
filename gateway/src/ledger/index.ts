// `@frameway/gateway/ledger`: the QoS ledger for embedding, tools and the bench. Test fixtures
// (./testing/) are not exported: tests import them by path.
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
export type { PlacedSession } from './intake/SessionLifecycle.js';
export { type LedgerConfig, LedgerConfigSchema, ledgerConfig, ledgerConfigFromEnv } from './ledgerConfig.js';
export { MerkleTree } from './merkle/MerkleTree.js';
export { ChainOutbox, type OutboxMetrics } from './outbox/ChainOutbox.js';
export type { AgentQosHandler, PlayerQosHandler, QosIntake, QosStartPayload } from './QosIntake.js';
export { type LedgerMetrics, QosLedger, type QosLedgerOptions } from './QosLedger.js';
export type { MinuteVerdict, QosVerdictEvents, QosVerdictSource } from './QosVerdicts.js';
export { percentile, summarizeSettlement } from './settlement/summarizeSettlement.js';
export { LedgerStore } from './store/LedgerStore.js';
export { CROSS_CHECK, judgeMinute, type MinuteSla } from './verdict/judgeMinute.js';
export type { QosRecordView, QosSessionView } from './views/LedgerViews.js';
