import {
  type AgentMinuteReport,
  type ClientMinuteReport,
  failureMaskOf,
  minuteRecordLeafHash,
  QosSide,
  ZERO_BYTES32,
} from '@frameway/protocol/qos';
import type { LedgerContext } from '../LedgerContext.js';
import type { LedgerSessionRow, MinuteRecordRow, StoredReport } from '../store/LedgerStore.js';
import { judgeMinute, type SideEvidence } from '../verdict/judgeMinute.js';

/**
 * Judges one minute from what is stored and writes its record, once: called
 * when both sides have reported and when a minute's grace is over. The caller
 * announces the verdict after its transaction commits.
 */
export class MinuteRecorder {
  readonly #context: LedgerContext;

  constructor(context: LedgerContext) {
    this.#context = context;
  }

  /** The new record, or undefined when the minute was already recorded. */
  record(session: LedgerSessionRow, minuteIndex: number): MinuteRecordRow | undefined {
    const { store, config } = this.#context;
    if (store.record(session.sessionId, minuteIndex)) return undefined;
    const agent = store.report(session.sessionId, minuteIndex, QosSide.Agent);
    const client = store.report(session.sessionId, minuteIndex, QosSide.Client);
    const evidence = <R>(stored: StoredReport | undefined, side: QosSide): SideEvidence<R> =>
      stored
        ? { report: stored.report as R }
        : { report: undefined, rejected: store.rejections(session.sessionId, minuteIndex, side) > 0 };
    const judgement = judgeMinute(
      {
        minuteIndex,
        intervalMs: session.intervalMs,
        agent: evidence<AgentMinuteReport>(agent, QosSide.Agent),
        client: evidence<ClientMinuteReport>(client, QosSide.Client),
      },
      {
        targetFps: session.targetFps,
        fpsRatio: config.sla.fpsRatio,
        latencyBudgetMs: session.latencyBudgetMs,
        inputToPhotonBudgetMs: config.sla.inputToPhotonBudgetMs,
      },
    );
    const startedAt = (session.startedAt as number) + minuteIndex * session.intervalMs;
    const leaf = {
      sessionKey: session.sessionKey,
      minuteIndex,
      startedAt,
      slaMet: judgement.slaMet,
      failureMask: failureMaskOf(judgement.failures),
      fpsMilli: Math.min(0xffff_ffff, Math.round(judgement.fps * 1000)),
      p95LatencyUs: Math.min(0xffff_ffff, judgement.p95LatencyUs),
      agentReportDigest: agent?.digest ?? ZERO_BYTES32,
      clientReportDigest: client?.digest ?? ZERO_BYTES32,
    };
    const inserted = store.insertRecord({
      sessionId: session.sessionId,
      minuteIndex,
      startedAt,
      slaMet: leaf.slaMet,
      failureMask: leaf.failureMask,
      fpsMilli: leaf.fpsMilli,
      p95LatencyUs: leaf.p95LatencyUs,
      rttP95Us: judgement.rttP95Us,
      inputP95Us: judgement.inputP95Us,
      agentDigest: leaf.agentReportDigest,
      clientDigest: leaf.clientReportDigest,
      leafHash: minuteRecordLeafHash(leaf),
      createdAt: this.#context.now(),
    });
    if (!inserted) return undefined;
    this.#context.counters.recordsWritten++;
    if (!judgement.slaMet) {
      this.#context.log.debug(
        { sessionId: session.sessionId, minuteIndex, failures: judgement.failures },
        'minute failed SLA',
      );
    }
    return store.record(session.sessionId, minuteIndex);
  }
}
