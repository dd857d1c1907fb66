import { type AgentMinuteReport, type ClientMinuteReport, type QosDomain, QosSide } from '@frameway/protocol/qos';
import type { Address, Hex } from 'viem';
import { domainOf, type LedgerContext } from '../LedgerContext.js';
import { MerkleTree } from '../merkle/MerkleTree.js';
import type { MinuteVerdict } from '../QosVerdicts.js';
import type { LedgerSessionRow, MinuteRecordRow, StoredReport } from '../store/LedgerStore.js';
import { toVerdict } from './toVerdict.js';

/** One minute record with what it takes to check it independently. */
export interface QosRecordView {
  minuteIndex: number;
  startedAt: number;
  slaMet: boolean;
  failures: string[];
  fps: number;
  p95LatencyMs: number;
  rttP95Ms: number | null;
  inputToPhotonP95Ms: number | null;
  /** The Merkle leaf: values in MINUTE_RECORD_LEAF_TYPES order (uint64 as a string) and its hash. */
  leaf: { values: readonly unknown[]; hash: Hex };
  agentReport: { report: AgentMinuteReport; signature: Hex; signer: Address; digest: Hex } | null;
  clientReport: { report: ClientMinuteReport; signature: Hex; signer: Address; digest: Hex } | null;
  /** Null until the record is batched. */
  batch: { batchId: Hex; root: Hex; proof: Hex[]; committed: boolean; txHash: Hex | null } | null;
}

export interface QosSessionView {
  sessionId: string;
  sessionKey: Hex;
  domain: QosDomain;
  chain: { kind: string; chainId: number; contract: Address } | null;
  records: QosRecordView[];
}

const TREE_CACHE_SIZE = 16;

/** The ledger's read side: verdicts for billing and the per-session view the QoS route serves. */
export class LedgerViews {
  readonly #context: LedgerContext;
  /** Recently read batches' trees, least recently used first. */
  readonly #trees = new Map<Hex, MerkleTree>();

  constructor(context: LedgerContext) {
    this.#context = context;
  }

  verdictsFor(sessionId: string): readonly MinuteVerdict[] {
    return this.#context.store.recordsFor(sessionId).map(toVerdict);
  }

  /** Every record of a session with reports, leaf and inclusion proof: GET /v1/sessions/:id/qos. */
  sessionView(sessionId: string): QosSessionView | undefined {
    const { store } = this.#context;
    const session = store.session(sessionId);
    if (!session) return undefined;
    const reports = new Map<string, StoredReport>();
    for (const report of store.reportsFor(sessionId)) reports.set(`${report.minuteIndex}:${report.side}`, report);
    const chain = this.#context.runtime?.chain;
    return {
      sessionId,
      sessionKey: session.sessionKey,
      domain: domainOf(this.#context),
      chain: chain ? { kind: chain.kind, chainId: chain.chainId, contract: chain.address } : null,
      records: store.recordsFor(sessionId).map((record) => this.#recordView(session, record, reports)),
    };
  }

  #recordView(
    session: LedgerSessionRow,
    record: MinuteRecordRow,
    reports: ReadonlyMap<string, StoredReport>,
  ): QosRecordView {
    const batch = record.batchId ? this.#context.store.batch(record.batchId) : undefined;
    const verdict = toVerdict(record);
    return {
      minuteIndex: record.minuteIndex,
      startedAt: record.startedAt,
      slaMet: record.slaMet,
      failures: [...verdict.failures],
      fps: verdict.fps,
      p95LatencyMs: verdict.p95LatencyMs,
      rttP95Ms: record.rttP95Us === null ? null : record.rttP95Us / 1000,
      inputToPhotonP95Ms: record.inputP95Us === null ? null : record.inputP95Us / 1000,
      leaf: {
        values: [
          session.sessionKey,
          record.minuteIndex,
          String(record.startedAt),
          record.slaMet,
          record.failureMask,
          record.fpsMilli,
          record.p95LatencyUs,
          record.agentDigest,
          record.clientDigest,
        ],
        hash: record.leafHash,
      },
      agentReport: reportView<AgentMinuteReport>(reports.get(`${record.minuteIndex}:${QosSide.Agent}`)),
      clientReport: reportView<ClientMinuteReport>(reports.get(`${record.minuteIndex}:${QosSide.Client}`)),
      batch: batch
        ? {
            batchId: batch.batchId,
            root: batch.root,
            proof: this.#tree(batch.batchId).proof(record.leafHash),
            committed: batch.committedAt !== null,
            txHash: batch.txHash,
          }
        : null,
    };
  }

  #tree(batchId: Hex): MerkleTree {
    let tree = this.#trees.get(batchId);
    if (tree) {
      this.#trees.delete(batchId);
    } else {
      tree = new MerkleTree(this.#context.store.batchLeaves(batchId));
      if (this.#trees.size >= TREE_CACHE_SIZE) this.#trees.delete(this.#trees.keys().next().value as Hex);
    }
    this.#trees.set(batchId, tree);
    return tree;
  }
}

function reportView<R>(
  stored: StoredReport | undefined,
): { report: R; signature: Hex; signer: Address; digest: Hex } | null {
  return stored
    ? { report: stored.report as R, signature: stored.signature, signer: stored.signer, digest: stored.digest }
    : null;
}
