import { FramewayError } from '@frameway/protocol';
import {
  type AgentMinuteReport,
  agentReportDigest,
  type ClientMinuteReport,
  clientReportDigest,
  keyBindingDigest,
  QosSide,
  recoverSigner,
  type SignedAgentReport,
  type SignedClientReport,
} from '@frameway/protocol/qos';
import { type Address, getAddress, type Hex, isAddressEqual } from 'viem';
import { domainOf, type LedgerContext } from '../LedgerContext.js';
import type { QosIntake, QosStartPayload } from '../QosIntake.js';
import type { LedgerSessionRow, MinuteRecordRow } from '../store/LedgerStore.js';
import type { GroupCommit } from './GroupCommit.js';
import type { MinuteRecorder } from './MinuteRecorder.js';

/** How early (before its minute ends) a report may arrive: clock drift and timer jitter. */
const EARLY_MS_MAX = 2_000;
const MAX_CLIENT_KEYS = 8;

export interface ReportIntakeOptions {
  context: LedgerContext;
  commits: GroupCommit;
  recorder: MinuteRecorder;
  /** QosStart for a session that streams; undefined otherwise. */
  startPayload: (sessionId: string) => QosStartPayload | undefined;
  /** Called with the records a report completed, after they are committed. */
  recorded: (records: readonly MinuteRecordRow[]) => void;
}

/**
 * Report intake: binds client keys, verifies each signed minute report
 * (session, node, minute window, signer), stores it durably, and records the
 * minute when both sides are in. Every refusal is a typed error and, once the
 * minute is known, a counted rejection that the verdict sees.
 */
export class ReportIntake implements QosIntake {
  readonly #context: LedgerContext;
  readonly #options: ReportIntakeOptions;

  constructor(options: ReportIntakeOptions) {
    this.#context = options.context;
    this.#options = options;
  }

  async bindClientKey(sessionId: string, key: string, proof: string): Promise<QosStartPayload | undefined> {
    const { store, now, log } = this.#context;
    const session = this.#openSession(sessionId, QosSide.Client);
    const address = getAddress(key);
    const signer = await recoverSigner(keyBindingDigest(sessionId, address), proof);
    if (!signer || !isAddressEqual(signer, address)) {
      throw new FramewayError('FW_ERR_QOS_SIGNATURE_INVALID', 'the key binding is not signed by that key');
    }
    const keys = store.clientKeys(session.sessionId);
    if (!keys.some((k) => isAddressEqual(k.address, address))) {
      if (keys.length >= MAX_CLIENT_KEYS) {
        throw new FramewayError('FW_ERR_RATE_LIMITED', `at most ${MAX_CLIENT_KEYS} keys per session`);
      }
      store.bindClientKey(session.sessionId, address, now());
      log.debug({ sessionId, key: address }, 'client QoS key bound');
    }
    return this.#options.startPayload(sessionId);
  }

  async acceptAgentReport(nodeId: string, signed: SignedAgentReport): Promise<void> {
    const { report } = signed;
    const session = this.#openSession(report.sessionId, QosSide.Agent);
    if (report.nodeId !== nodeId || session.nodeId !== nodeId) {
      this.#reject(session, report.minuteIndex, QosSide.Agent, 'report from a node the session does not run on');
      throw new FramewayError('FW_ERR_QOS_REPORT_INVALID', `session ${session.sessionId} does not run on ${nodeId}`);
    }
    if (!session.provider) {
      throw new FramewayError('FW_ERR_QOS_KEY_NOT_BOUND', `node ${nodeId} registered without a proven key`);
    }
    this.#checkMinuteOpen(session, report.minuteIndex, QosSide.Agent);
    const digest = agentReportDigest(domainOf(this.#context), report);
    const signer = await recoverSigner(digest, signed.signature);
    if (!signer || !isAddressEqual(signer, session.provider)) {
      this.#reject(session, report.minuteIndex, QosSide.Agent, 'signature is not from the node key');
      throw new FramewayError('FW_ERR_QOS_SIGNATURE_INVALID', 'the agent report is not signed by the node key');
    }
    await this.#storeAndRecord(session, QosSide.Agent, report, signed.signature as Hex, digest, signer);
  }

  async acceptClientReport(sessionId: string, signed: SignedClientReport): Promise<void> {
    const { report } = signed;
    const session = this.#openSession(sessionId, QosSide.Client);
    if (report.sessionId !== sessionId) {
      throw new FramewayError('FW_ERR_QOS_REPORT_INVALID', 'the report is for another session');
    }
    const keys = this.#context.store.clientKeys(sessionId);
    if (keys.length === 0) throw new FramewayError('FW_ERR_QOS_KEY_NOT_BOUND', 'bind a session key first');
    this.#checkMinuteOpen(session, report.minuteIndex, QosSide.Client);
    const digest = clientReportDigest(domainOf(this.#context), report);
    const signer = await recoverSigner(digest, signed.signature);
    if (!signer || !keys.some((k) => isAddressEqual(k.address, signer))) {
      this.#reject(session, report.minuteIndex, QosSide.Client, 'signature is not from a bound session key');
      throw new FramewayError('FW_ERR_QOS_SIGNATURE_INVALID', 'the client report is not signed by a bound key');
    }
    await this.#storeAndRecord(session, QosSide.Client, report, signed.signature as Hex, digest, signer);
  }

  async #storeAndRecord(
    session: LedgerSessionRow,
    side: QosSide,
    report: AgentMinuteReport | ClientMinuteReport,
    signature: Hex,
    digest: Hex,
    signer: Address,
  ): Promise<void> {
    const record = await this.#options.commits.durably(() =>
      this.#store(session, side, report, signature, digest, signer),
    );
    this.#options.recorded(record ? [record] : []);
  }

  #openSession(sessionId: string, side: QosSide): LedgerSessionRow {
    const session = this.#context.store.session(sessionId);
    if (!session) {
      this.#context.counters.reportsRejected++;
      throw new FramewayError('FW_ERR_SESSION_NOT_FOUND', `the ledger knows no session ${sessionId} (${side})`);
    }
    return session;
  }

  #checkMinuteOpen(session: LedgerSessionRow, minuteIndex: number, side: QosSide): void {
    const now = this.#context.now();
    if (session.startedAt === null) {
      this.#reject(session, minuteIndex, side, 'not streaming');
      throw new FramewayError('FW_ERR_QOS_REPORT_INVALID', 'the session is not streaming yet');
    }
    const end = session.startedAt + (minuteIndex + 1) * session.intervalMs;
    const early = Math.min(EARLY_MS_MAX, session.intervalMs / 10);
    const problem =
      now < end - early
        ? `minute ${minuteIndex} has not ended yet`
        : now > end + this.#context.config.reportGraceMs || minuteIndex < session.nextMinute
          ? `minute ${minuteIndex} is closed`
          : session.endedAt !== null && end > session.endedAt
            ? `minute ${minuteIndex} was cut short by the session end`
            : undefined;
    if (problem) {
      this.#reject(session, minuteIndex, side, problem);
      throw new FramewayError('FW_ERR_QOS_REPORT_INVALID', problem);
    }
  }

  #reject(session: LedgerSessionRow, minuteIndex: number, side: QosSide, reason: string): void {
    this.#context.counters.reportsRejected++;
    this.#context.store.noteRejection(session.sessionId, minuteIndex, side, reason);
    this.#context.log.debug({ sessionId: session.sessionId, minuteIndex, side, reason }, 'QoS report rejected');
  }

  /** Runs inside the group commit: stores the report and records the minute once both sides are in. */
  #store(
    session: LedgerSessionRow,
    side: QosSide,
    report: AgentMinuteReport | ClientMinuteReport,
    signature: Hex,
    digest: Hex,
    signer: Address,
  ): MinuteRecordRow | undefined {
    const { store, counters } = this.#context;
    const { minuteIndex } = report;
    const existing = store.report(session.sessionId, minuteIndex, side);
    if (existing) {
      // The same report again (its Ack was lost): accepted, nothing to do.
      if (existing.digest === digest) return undefined;
      counters.reportsRejected++;
      throw new FramewayError('FW_ERR_QOS_REPORT_DUPLICATE', `a ${side} report for minute ${minuteIndex} is stored`);
    }
    // The minute may have been closed while the signature was being checked.
    if (store.record(session.sessionId, minuteIndex)) {
      throw new FramewayError('FW_ERR_QOS_REPORT_INVALID', `minute ${minuteIndex} is closed`);
    }
    store.insertReport({
      sessionId: session.sessionId,
      minuteIndex,
      side,
      report,
      signature,
      digest,
      signer,
      receivedAt: this.#context.now(),
    });
    counters.reportsAccepted++;
    const other = side === QosSide.Agent ? QosSide.Client : QosSide.Agent;
    return store.report(session.sessionId, minuteIndex, other)
      ? this.#options.recorder.record(session, minuteIndex)
      : undefined;
  }
}
