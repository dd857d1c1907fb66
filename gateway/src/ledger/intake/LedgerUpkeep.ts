import type { LedgerContext } from '../LedgerContext.js';
import type { SettleJob } from '../outbox/ChainOutbox.js';
import type { MinuteVerdict } from '../QosVerdicts.js';
import { summarizeSettlement } from '../settlement/summarizeSettlement.js';
import type { LedgerSessionRow, MinuteRecordRow } from '../store/LedgerStore.js';
import { toVerdict } from '../views/toVerdict.js';
import type { MinuteRecorder } from './MinuteRecorder.js';

export interface LedgerUpkeepOptions {
  context: LedgerContext;
  recorder: MinuteRecorder;
  /** Announces a verdict, after its record is committed. */
  verdict: (verdict: MinuteVerdict) => void;
}

/**
 * What the ledger does on its own clock: closes minutes whose reports are
 * overdue, settles ended sessions, cuts Merkle batches and runs the chain
 * outbox. The timer calls tick(); tests and the bench call it directly.
 */
export class LedgerUpkeep {
  readonly #context: LedgerContext;
  readonly #options: LedgerUpkeepOptions;

  constructor(options: LedgerUpkeepOptions) {
    this.#context = options.context;
    this.#options = options;
  }

  tick(): void {
    const { closed, runtime, store, log } = this.#context;
    if (closed || !runtime) return;
    try {
      const records = store.transaction(() =>
        store.openSessions().flatMap((session) => this.#closeDueMinutes(session)),
      );
      this.recorded(records);
      this.#cutBatches(false);
    } catch (error) {
      log.error({ err: error }, 'ledger tick failed');
    }
    this.#kickOutbox();
  }

  /** Cuts a batch of whatever is unbatched now (shutdown, tests, the bench). */
  flush(): void {
    this.#cutBatches(true);
  }

  /** Runs the outbox until nothing is due (tests and the bench). */
  async drain(): Promise<void> {
    const outbox = this.#context.runtime?.outbox;
    if (!outbox) return;
    await outbox.runDue(); // a run already in flight may have started before the latest jobs
    while ((await outbox.runDue()) > 0) {
      // keep going while jobs finish: one may unblock another
    }
  }

  /** After records are committed: cut a batch if one is full, announce their verdicts. */
  recorded(records: readonly MinuteRecordRow[]): void {
    if (records.length === 0) return;
    if (this.#context.store.unbatchedCount() >= this.#context.config.batch.maxLeaves) this.#cutBatches(false);
    for (const record of records) this.#options.verdict(toVerdict(record));
  }

  /** Records the minutes whose grace is over; settles an ended session once all its minutes are. */
  #closeDueMinutes(session: LedgerSessionRow): MinuteRecordRow[] {
    const now = this.#context.now();
    const grace = this.#context.config.reportGraceMs;
    const records: MinuteRecordRow[] = [];
    if (session.startedAt === null) {
      if (session.endedAt !== null) this.#settle(session);
      return records;
    }
    const until = session.endedAt ?? Number.POSITIVE_INFINITY;
    let minute = session.nextMinute;
    for (;;) {
      const end = session.startedAt + (minute + 1) * session.intervalMs;
      if (end > until || end + grace > now) break;
      const record = this.#options.recorder.record(session, minute);
      if (record) records.push(record);
      minute++;
    }
    if (minute !== session.nextMinute) this.#context.store.advanceMinute(session.sessionId, minute);
    if (session.endedAt !== null) {
      const complete = Math.floor((session.endedAt - session.startedAt) / session.intervalMs);
      if (minute >= complete) this.#settle({ ...session, nextMinute: minute });
    }
    return records;
  }

  #settle(session: LedgerSessionRow): void {
    const { store } = this.#context;
    const records = store.recordsFor(session.sessionId);
    store.transaction(() => {
      if (store.jobs.get('allocate', session.sessionId)) {
        const summary = summarizeSettlement({
          sessionKey: session.sessionKey,
          startedAt: session.startedAt,
          endedAt: session.endedAt as number,
          minutes: records,
        });
        const job: SettleJob = {
          sessionKey: summary.sessionKey,
          durationSec: summary.durationSec,
          totalMinutes: summary.totalMinutes,
          failedBitmap: summary.failedBitmap.map((word) => word.toString()),
          p50LatencyUs: summary.p50LatencyUs,
          p95LatencyUs: summary.p95LatencyUs,
          fpsP5Milli: summary.fpsP5Milli,
        };
        store.jobs.enqueue('settle', session.sessionId, job, this.#context.now());
      }
      store.markSettled(session.sessionId);
    });
    this.#context.log.info(
      {
        sessionId: session.sessionId,
        minutes: records.length,
        failed: records.filter((r) => !r.slaMet).length,
        onChain: store.jobs.get('settle', session.sessionId) !== undefined,
      },
      'session closed in the QoS ledger',
    );
  }

  #cutBatches(force: boolean): void {
    const batches = this.#context.runtime?.batcher.flush(force) ?? [];
    for (const batch of batches) {
      this.#context.counters.batchesCut++;
      this.#context.log.debug({ batchId: batch.batchId, leaves: batch.leafCount, root: batch.root }, 'batch cut');
    }
    if (batches.length > 0) this.#kickOutbox();
  }

  #kickOutbox(): void {
    const { closed, runtime, log } = this.#context;
    if (closed) return;
    runtime?.outbox?.runDue().catch((error: unknown) => log.error({ err: error }, 'outbox run failed'));
  }
}
