import { FramewayError, TypedEmitter } from '@frameway/protocol';
import type { QosDomain, SignedAgentReport, SignedClientReport } from '@frameway/protocol/qos';
import type { Address } from 'viem';
import { createLogger, type Logger } from '../logging/logger.js';
import type { Db } from '../store/openDatabase.js';
import type { EmbeddedEvm } from './chain/EmbeddedEvm.js';
import type { LedgerChain } from './chain/LedgerChain.js';
import { GroupCommit } from './intake/GroupCommit.js';
import { LedgerUpkeep } from './intake/LedgerUpkeep.js';
import { MinuteRecorder } from './intake/MinuteRecorder.js';
import { ReportIntake } from './intake/ReportIntake.js';
import { type PlacedSession, SessionLifecycle } from './intake/SessionLifecycle.js';
import type { LedgerContext, LedgerCounters } from './LedgerContext.js';
import type { LedgerConfig } from './ledgerConfig.js';
import type { ChainOutbox, OutboxMetrics } from './outbox/ChainOutbox.js';
import type { QosIntake, QosStartPayload } from './QosIntake.js';
import type { MinuteVerdict, QosVerdictEvents, QosVerdictSource } from './QosVerdicts.js';
import { type LedgerRuntime, recoverInterruptedSessions, startLedger } from './startup/startLedger.js';
import { LedgerStore } from './store/LedgerStore.js';
import { LedgerViews, type QosSessionView } from './views/LedgerViews.js';

export type { PlacedSession } from './intake/SessionLifecycle.js';
export type { AgentQosHandler, PlayerQosHandler, QosIntake, QosStartPayload } from './QosIntake.js';
export type { QosRecordView, QosSessionView } from './views/LedgerViews.js';

export interface QosLedgerOptions {
  db: Db;
  config: LedgerConfig;
  /** A node's EVM address: the key its agent signs reports with (proven at registration). */
  nodeAddress: (nodeId: string) => Address | undefined;
  /** A node's asking price per 15-minute block in wei, when it announced one. */
  nodePriceWei?: (nodeId: string) => bigint | undefined;
  /**
   * A chain client to use instead of building one from `config.chain` (tests
   * keep one EVM across a simulated restart); null = no chain.
   */
  chain?: LedgerChain | null;
  /** With `chain`: whether its state is new, so the outbox must replay into it. */
  chainFresh?: boolean;
  now?: () => number;
  random?: () => number;
  /** Period of the timer that closes minutes, cuts batches and runs the outbox; 0 = no timer (call tick()). */
  tickIntervalMs?: number;
  logger?: Logger;
}

export interface LedgerMetrics extends LedgerCounters {
  outbox: Readonly<OutboxMetrics> | undefined;
}

/**
 * The QoS ledger: verifies signed minute reports from both sides of every
 * session, judges each minute against the SLA, writes the minute record to
 * the durable outbox before anything else, batches records into Merkle trees
 * anchored on chain, and allocates and settles sessions on chain through the
 * same outbox. Implements QosVerdictSource for billing and webhooks.
 *
 * A façade over its parts: start-up (startLedger), session lifecycle and
 * report intake (intake/), upkeep on its own clock, and read views (views/).
 */
export class QosLedger extends TypedEmitter<QosVerdictEvents> implements QosVerdictSource, QosIntake {
  readonly store: LedgerStore;
  readonly config: LedgerConfig;
  readonly #options: QosLedgerOptions;
  readonly #context: LedgerContext;
  readonly #counters: LedgerCounters = { reportsAccepted: 0, reportsRejected: 0, recordsWritten: 0, batchesCut: 0 };
  readonly #commits: GroupCommit;
  readonly #sessions: SessionLifecycle;
  readonly #intake: ReportIntake;
  readonly #upkeep: LedgerUpkeep;
  readonly #views: LedgerViews;
  #runtime: LedgerRuntime | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #started: Promise<void> | undefined;
  #closed = false;

  constructor(options: QosLedgerOptions) {
    const log = options.logger ?? createLogger('ledger');
    super((error, event) => log.error({ err: error, event }, 'ledger listener threw'));
    this.#options = options;
    this.config = options.config;
    // The outbox must survive power loss, not only a crash: FULL, whatever the rest of the gateway chose.
    if (Number(options.db.pragma('synchronous', { simple: true })) !== 2) {
      log.warn('gateway database was not synchronous=FULL; the ledger sets it');
      options.db.pragma('synchronous = FULL');
    }
    this.store = new LedgerStore(options.db);
    const ledger = this;
    this.#context = {
      store: this.store,
      config: this.config,
      now: options.now ?? Date.now,
      log,
      counters: this.#counters,
      get runtime() {
        return ledger.#runtime;
      },
      get closed() {
        return ledger.#closed;
      },
    };
    const context = this.#context;
    const recorder = new MinuteRecorder(context);
    this.#commits = new GroupCommit(this.store);
    this.#upkeep = new LedgerUpkeep({ context, recorder, verdict: (verdict) => this.emit('verdict', verdict) });
    this.#sessions = new SessionLifecycle({
      context,
      nodeAddress: options.nodeAddress,
      nodePriceWei: options.nodePriceWei,
      kick: () => queueMicrotask(() => this.tick()),
    });
    this.#intake = new ReportIntake({
      context,
      commits: this.#commits,
      recorder,
      startPayload: (sessionId) => this.#sessions.startPayload(sessionId),
      recorded: (records) => this.#upkeep.recorded(records),
    });
    this.#views = new LedgerViews(context);
  }

  /** The EIP-712 domain reports are signed under (after start()). */
  get domain(): QosDomain {
    if (!this.#runtime) throw new FramewayError('FW_ERR_INVALID_STATE', 'the QoS ledger has not started');
    return this.#runtime.domain;
  }

  get chain(): LedgerChain | undefined {
    return this.#runtime?.chain;
  }

  /** The embedded EVM, when the chain is embedded (tests move its clock). */
  get evm(): EmbeddedEvm | undefined {
    return this.#runtime?.evm;
  }

  get outbox(): ChainOutbox | undefined {
    return this.#runtime?.outbox;
  }

  get metrics(): LedgerMetrics {
    return { ...this.#counters, outbox: this.#runtime?.outbox?.metrics };
  }

  /** Connects the chain (deploying on the embedded one), recovers what a previous run left, starts the timer. */
  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start(): Promise<void> {
    const { store, config, now, log } = this.#context;
    const runtime = await startLedger({
      store,
      config,
      chain: this.#options.chain,
      chainFresh: this.#options.chainFresh,
      now,
      random: this.#options.random ?? Math.random,
      log,
    });
    this.#runtime = runtime;
    recoverInterruptedSessions(store, log);
    const { chain } = runtime;
    log.info(
      {
        chain: chain ? { kind: chain.kind, chainId: chain.chainId, contract: chain.address } : null,
        intervalMs: config.intervalMs,
        batch: config.batch,
      },
      'QoS ledger started',
    );
    const tickMs = this.#options.tickIntervalMs ?? Math.min(1_000, config.intervalMs);
    if (tickMs > 0 && !this.#closed) {
      this.#timer = setInterval(() => this.tick(), tickMs);
      this.#timer.unref();
    }
  }

  // ------------------------------------------------------------ session lifecycle

  /** A session was placed on a node: remember it and queue its allocation (escrow) on chain. */
  sessionPlaced(placed: PlacedSession): void {
    this.#sessions.placed(placed);
  }

  /** The session streams: minute 0 starts now. Returns what to send the agent and the player. */
  sessionStreaming(sessionId: string): QosStartPayload | undefined {
    return this.#sessions.streaming(sessionId);
  }

  /** QosStart for a session that streams (a rejoining player, a failed-over agent); undefined otherwise. */
  startPayload(sessionId: string): QosStartPayload | undefined {
    return this.#sessions.startPayload(sessionId);
  }

  /** The session moved to another node: later agent reports must come from that node's key. */
  sessionFailedOver(sessionId: string, toNodeId: string): void {
    this.#sessions.failedOver(sessionId, toNodeId);
  }

  /** The session ended: its complete minutes are closed (after the report grace), then it is settled. */
  sessionEnded(sessionId: string, reason: string): void {
    this.#sessions.ended(sessionId, reason);
  }

  // ---------------------------------------------------------------- reports

  bindClientKey(sessionId: string, key: string, proof: string): Promise<QosStartPayload | undefined> {
    return this.#intake.bindClientKey(sessionId, key, proof);
  }

  acceptAgentReport(nodeId: string, signed: SignedAgentReport): Promise<void> {
    return this.#intake.acceptAgentReport(nodeId, signed);
  }

  acceptClientReport(sessionId: string, signed: SignedClientReport): Promise<void> {
    return this.#intake.acceptClientReport(sessionId, signed);
  }

  // ---------------------------------------------------------------- upkeep

  /**
   * Closes minutes whose reports are overdue, settles ended sessions, cuts
   * due batches and runs the chain outbox. Called by the timer; tests call it.
   */
  tick(): void {
    this.#upkeep.tick();
  }

  /** Cuts a batch of whatever is unbatched now (shutdown, tests, the bench). */
  flush(): void {
    this.#upkeep.flush();
  }

  /** Runs the outbox until nothing is due (tests and the bench). */
  drain(): Promise<void> {
    return this.#upkeep.drain();
  }

  // ----------------------------------------------------------------- reads

  verdictsFor(sessionId: string): readonly MinuteVerdict[] {
    return this.#views.verdictsFor(sessionId);
  }

  /** Every record of a session with reports, leaf and inclusion proof: GET /v1/sessions/:id/qos. */
  sessionView(sessionId: string): QosSessionView | undefined {
    return this.#views.sessionView(sessionId);
  }

  /** Stops the timer and the chain client it built. The database stays open (the gateway owns it). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    // Reports verified but not yet committed: commit them now, while the database is still open.
    this.#commits.commit();
    if (this.#runtime?.ownsChain) this.#runtime.chain?.close();
    this.removeAllListeners();
  }
}
