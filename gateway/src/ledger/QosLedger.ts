import { randomBytes } from 'node:crypto';
import { FramewayError, type MessageType, type PayloadOf, TypedEmitter } from '@frameway/protocol';
import {
  type AgentMinuteReport,
  agentReportDigest,
  type ClientMinuteReport,
  clientReportDigest,
  failureMaskOf,
  failuresOfMask,
  keyBindingDigest,
  minuteRecordLeafHash,
  type QosDomain,
  QosSide,
  qosDomain,
  recoverSigner,
  type SignedAgentReport,
  type SignedClientReport,
  sessionKeyOf,
  ZERO_BYTES32,
} from '@frameway/protocol/qos';
import { type Address, getAddress, type Hex, isAddressEqual, zeroAddress } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { createLogger, type Logger } from '../logging/logger.js';
import type { Db } from '../store/openDatabase.js';
import { Batcher } from './batch/Batcher.js';
import { createLedgerChain } from './chain/createLedgerChain.js';
import { EMBEDDED_CHAIN_ID, type EmbeddedEvm } from './chain/EmbeddedEvm.js';
import type { LedgerChain } from './chain/LedgerChain.js';
import type { LedgerConfig } from './ledgerConfig.js';
import { MerkleTree } from './merkle/MerkleTree.js';
import type { AllocateJob, OutboxMetrics, SettleJob, StakeJob } from './outbox/ChainOutbox.js';
import { ChainOutbox } from './outbox/ChainOutbox.js';
import type { MinuteVerdict, QosVerdictEvents, QosVerdictSource } from './QosVerdicts.js';
import { summarizeSettlement } from './settlement/summarizeSettlement.js';
import { type LedgerSessionRow, LedgerStore, type MinuteRecordRow, type StoredReport } from './store/LedgerStore.js';
import { judgeMinute, type SideEvidence } from './verdict/judgeMinute.js';

export type QosStartPayload = PayloadOf<typeof MessageType.QosStart>;

/** What the player link needs from the ledger. */
export interface PlayerQosHandler {
  /** Binds the player's session key; resolves with QosStart when the session already streams. */
  bindClientKey(sessionId: string, key: string, proof: string): Promise<QosStartPayload | undefined>;
  acceptClientReport(sessionId: string, signed: SignedClientReport): Promise<void>;
}

/** What the agent link needs from the ledger. */
export interface AgentQosHandler {
  acceptAgentReport(nodeId: string, signed: SignedAgentReport): Promise<void>;
}

/** A session as the ledger learns it at placement. */
export interface PlacedSession {
  sessionId: string;
  playerId: string;
  nodeId: string;
  targetFps: number;
  latencyBudgetMs: number;
}

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

export interface LedgerMetrics {
  reportsAccepted: number;
  reportsRejected: number;
  recordsWritten: number;
  batchesCut: number;
  outbox: Readonly<OutboxMetrics> | undefined;
}

/** How early (before its minute ends) a report may arrive: clock drift and timer jitter. */
const EARLY_MS_MAX = 2_000;
const MAX_CLIENT_KEYS = 8;
const TREE_CACHE_SIZE = 16;

/**
 * The QoS ledger: verifies signed minute reports from both sides of every
 * session, judges each minute against the SLA, writes the minute record to
 * the durable outbox before anything else, batches records into Merkle trees
 * anchored on chain, and allocates and settles sessions on chain through the
 * same outbox. Implements QosVerdictSource for billing and webhooks.
 */
export class QosLedger extends TypedEmitter<QosVerdictEvents> implements QosVerdictSource {
  readonly store: LedgerStore;
  readonly config: LedgerConfig;
  readonly #options: QosLedgerOptions;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #trees = new Map<Hex, MerkleTree>();
  readonly #metrics = { reportsAccepted: 0, reportsRejected: 0, recordsWritten: 0, batchesCut: 0 };
  #batcher: Batcher | undefined;
  #chain: LedgerChain | undefined;
  /** Whether the ledger built the chain client (and so closes it). */
  #ownsChain = false;
  #evm: EmbeddedEvm | undefined;
  #outbox: ChainOutbox | undefined;
  #domain: QosDomain | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #pendingWrites: Array<{ write: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }> =
    [];
  #started: Promise<void> | undefined;
  #closed = false;

  constructor(options: QosLedgerOptions) {
    const log = options.logger ?? createLogger('ledger');
    super((error, event) => log.error({ err: error, event }, 'ledger listener threw'));
    this.#log = log;
    this.#options = options;
    this.config = options.config;
    this.#now = options.now ?? Date.now;
    // The outbox must survive power loss, not only a crash: FULL, whatever the rest of the gateway chose.
    if (Number(options.db.pragma('synchronous', { simple: true })) !== 2) {
      log.warn('gateway database was not synchronous=FULL; the ledger sets it');
      options.db.pragma('synchronous = FULL');
    }
    this.store = new LedgerStore(options.db);
  }

  /** The EIP-712 domain reports are signed under (after start()). */
  get domain(): QosDomain {
    if (!this.#domain) throw new FramewayError('FW_ERR_INVALID_STATE', 'the QoS ledger has not started');
    return this.#domain;
  }

  get chain(): LedgerChain | undefined {
    return this.#chain;
  }

  /** The embedded EVM, when the chain is embedded (tests move its clock). */
  get evm(): EmbeddedEvm | undefined {
    return this.#evm;
  }

  get outbox(): ChainOutbox | undefined {
    return this.#outbox;
  }

  get metrics(): LedgerMetrics {
    return { ...this.#metrics, outbox: this.#outbox?.metrics };
  }

  /** Connects the chain (deploying on the embedded one), recovers what a previous run left, starts the timer. */
  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start(): Promise<void> {
    const { config, store } = this;
    const ledgerId = store.metaOrInsert('ledger_id', `fwl_${randomBytes(12).toString('hex')}`);
    let fresh = this.#options.chainFresh ?? false;
    if (this.#options.chain !== undefined) {
      this.#chain = this.#options.chain ?? undefined;
    } else if (config.chain.kind !== 'none') {
      const operatorKey = store.metaOrInsert('embedded_operator_key', generatePrivateKey()) as Hex;
      try {
        const created = await createLedgerChain(config.chain, { embeddedOperatorKey: operatorKey });
        this.#chain = created.chain;
        this.#ownsChain = true;
        this.#evm = created.evm;
        fresh = created.fresh;
      } catch (error) {
        // E.g. no EDR binary for this platform: keep recording, verdicts and batches; anchor nothing.
        this.#log.error(
          { err: error, chain: config.chain.kind },
          'settlement chain unavailable; the ledger runs without one',
        );
      }
    }
    const chain = this.#chain;
    this.#domain = chain ? qosDomain(chain.chainId, chain.address) : qosDomain(EMBEDDED_CHAIN_ID, zeroAddress);
    if (chain) {
      this.#outbox = new ChainOutbox({
        store,
        chain,
        retry: config.chain.retry,
        log: this.#log.child({ part: 'outbox' }),
        now: this.#now,
        random: this.#options.random ?? Math.random,
      });
      if (fresh) {
        const replayed = store.transaction(() => {
          store.markAllBatchesUncommitted();
          return store.reopenAllJobs(this.#now());
        });
        if (replayed > 0) this.#log.info({ jobs: replayed }, 'new chain state: replaying the outbox into it');
      }
    }
    this.#batcher = new Batcher({
      store,
      policy: config.batch,
      ledgerId,
      anchor: chain !== undefined,
      now: this.#now,
    });
    this.#recoverInterruptedSessions();
    this.#log.info(
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
    const { config, store } = this;
    const now = this.#now();
    const provider = this.#options.nodeAddress(placed.nodeId);
    const price = this.#options.nodePriceWei?.(placed.nodeId) ?? BigInt(config.chain.pricePerBlockWei);
    const sessionKey = sessionKeyOf(placed.sessionId);
    store.transaction(() => {
      const inserted = store.insertSession({
        sessionId: placed.sessionId,
        sessionKey,
        nodeId: placed.nodeId,
        provider: provider ? getAddress(provider) : null,
        playerId: placed.playerId,
        targetFps: placed.targetFps,
        latencyBudgetMs: placed.latencyBudgetMs,
        intervalMs: config.intervalMs,
        pricePerBlockWei: price.toString(),
        createdAt: now,
      });
      if (!inserted || !this.#outbox || !provider) return;
      const escrow = price * BigInt(config.chain.escrowBlocks);
      if (this.#chain?.kind === 'embedded') {
        const stake: StakeJob = { provider: getAddress(provider), amountWei: config.chain.embeddedStakeWei };
        store.enqueueJob('stake', stake.provider, stake, now);
      }
      const allocate: AllocateJob = {
        sessionKey,
        provider: getAddress(provider),
        pricePerBlockWei: price.toString(),
        escrowWei: escrow.toString(),
        slaMinBps: config.sla.minMetBps,
        penaltyBps: config.sla.penaltyBps,
      };
      store.enqueueJob('allocate', placed.sessionId, allocate, now);
    });
    if (!provider) {
      this.#log.warn(
        { sessionId: placed.sessionId, nodeId: placed.nodeId },
        'node has no proven key: its QoS reports cannot be verified and the session is not settled on chain',
      );
    }
    this.#kick();
  }

  /** The session streams: minute 0 starts now. Returns what to send the agent and the player. */
  sessionStreaming(sessionId: string): QosStartPayload | undefined {
    this.store.markStarted(sessionId, this.#now());
    return this.startPayload(sessionId);
  }

  /** QosStart for a session that streams (a rejoining player, a failed-over agent); undefined otherwise. */
  startPayload(sessionId: string): QosStartPayload | undefined {
    const session = this.store.session(sessionId);
    if (!session || session.startedAt === null || session.endedAt !== null || !this.#domain) return undefined;
    return {
      sessionId,
      domain: this.#domain,
      intervalMs: session.intervalMs,
      elapsedMs: Math.max(0, this.#now() - session.startedAt),
    };
  }

  /** The session moved to another node: later agent reports must come from that node's key. */
  sessionFailedOver(sessionId: string, toNodeId: string): void {
    const provider = this.#options.nodeAddress(toNodeId);
    this.store.moveToNode(sessionId, toNodeId, provider ? getAddress(provider) : null);
  }

  /** The session ended: its complete minutes are closed (after the report grace), then it is settled. */
  sessionEnded(sessionId: string, reason: string): void {
    this.store.markEnded(sessionId, this.#now(), reason);
    this.#kick();
  }

  // ---------------------------------------------------------------- reports

  async bindClientKey(sessionId: string, key: string, proof: string): Promise<QosStartPayload | undefined> {
    const session = this.#openSession(sessionId, QosSide.Client);
    const address = getAddress(key);
    const signer = await recoverSigner(keyBindingDigest(sessionId, address), proof);
    if (!signer || !isAddressEqual(signer, address)) {
      throw new FramewayError('FW_ERR_QOS_SIGNATURE_INVALID', 'the key binding is not signed by that key');
    }
    const keys = this.store.clientKeys(session.sessionId);
    if (!keys.some((k) => isAddressEqual(k.address, address))) {
      if (keys.length >= MAX_CLIENT_KEYS) {
        throw new FramewayError('FW_ERR_RATE_LIMITED', `at most ${MAX_CLIENT_KEYS} keys per session`);
      }
      this.store.bindClientKey(session.sessionId, address, this.#now());
      this.#log.debug({ sessionId, key: address }, 'client QoS key bound');
    }
    return this.startPayload(sessionId);
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
    const digest = agentReportDigest(this.domain, report);
    const signer = await recoverSigner(digest, signed.signature);
    if (!signer || !isAddressEqual(signer, session.provider)) {
      this.#reject(session, report.minuteIndex, QosSide.Agent, 'signature is not from the node key');
      throw new FramewayError('FW_ERR_QOS_SIGNATURE_INVALID', 'the agent report is not signed by the node key');
    }
    const record = await this.#durably(() =>
      this.#store(session, QosSide.Agent, report.minuteIndex, report, signed.signature as Hex, digest, signer),
    );
    this.#recorded(record ? [record] : []);
  }

  async acceptClientReport(sessionId: string, signed: SignedClientReport): Promise<void> {
    const { report } = signed;
    const session = this.#openSession(sessionId, QosSide.Client);
    if (report.sessionId !== sessionId) {
      throw new FramewayError('FW_ERR_QOS_REPORT_INVALID', 'the report is for another session');
    }
    const keys = this.store.clientKeys(sessionId);
    if (keys.length === 0) throw new FramewayError('FW_ERR_QOS_KEY_NOT_BOUND', 'bind a session key first');
    this.#checkMinuteOpen(session, report.minuteIndex, QosSide.Client);
    const digest = clientReportDigest(this.domain, report);
    const signer = await recoverSigner(digest, signed.signature);
    if (!signer || !keys.some((k) => isAddressEqual(k.address, signer))) {
      this.#reject(session, report.minuteIndex, QosSide.Client, 'signature is not from a bound session key');
      throw new FramewayError('FW_ERR_QOS_SIGNATURE_INVALID', 'the client report is not signed by a bound key');
    }
    const record = await this.#durably(() =>
      this.#store(session, QosSide.Client, report.minuteIndex, report, signed.signature as Hex, digest, signer),
    );
    this.#recorded(record ? [record] : []);
  }

  // ---------------------------------------------------------------- upkeep

  /**
   * Closes minutes whose reports are overdue, settles ended sessions, cuts
   * due batches and runs the chain outbox. Called by the timer; tests call it.
   */
  tick(): void {
    if (this.#closed || !this.#batcher) return;
    try {
      const records = this.store.transaction(() =>
        this.store.openSessions().flatMap((session) => this.#closeDueMinutes(session)),
      );
      this.#recorded(records);
      this.#cutBatches(false);
    } catch (error) {
      this.#log.error({ err: error }, 'ledger tick failed');
    }
    this.#kickOutbox();
  }

  /** Cuts a batch of whatever is unbatched now (shutdown, tests, the bench). */
  flush(): void {
    this.#cutBatches(true);
  }

  /** Runs the outbox until nothing is due (tests and the bench). */
  async drain(): Promise<void> {
    if (!this.#outbox) return;
    await this.#outbox.runDue(); // a run already in flight may have started before the latest jobs
    while ((await this.#outbox.runDue()) > 0) {
      // keep going while jobs finish: one may unblock another
    }
  }

  // ----------------------------------------------------------------- reads

  verdictsFor(sessionId: string): readonly MinuteVerdict[] {
    return this.store.recordsFor(sessionId).map(toVerdict);
  }

  /** Every record of a session with reports, leaf and inclusion proof: GET /v1/sessions/:id/qos. */
  sessionView(sessionId: string): QosSessionView | undefined {
    const session = this.store.session(sessionId);
    if (!session) return undefined;
    const reports = new Map<string, StoredReport>();
    for (const report of this.store.reportsFor(sessionId)) reports.set(`${report.minuteIndex}:${report.side}`, report);
    const chain = this.#chain;
    return {
      sessionId,
      sessionKey: session.sessionKey,
      domain: this.domain,
      chain: chain ? { kind: chain.kind, chainId: chain.chainId, contract: chain.address } : null,
      records: this.store.recordsFor(sessionId).map((record) => this.#recordView(session, record, reports)),
    };
  }

  /** Stops the timer and the chain client it built. The database stays open (the gateway owns it). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    // Reports verified but not yet committed: commit them now, while the database is still open.
    if (this.#pendingWrites.length > 0) this.#commitWrites();
    if (this.#ownsChain) this.#chain?.close();
    this.removeAllListeners();
  }

  // --------------------------------------------------------------- internals

  #openSession(sessionId: string, side: QosSide): LedgerSessionRow {
    const session = this.store.session(sessionId);
    if (!session) {
      this.#metrics.reportsRejected++;
      throw new FramewayError('FW_ERR_SESSION_NOT_FOUND', `the ledger knows no session ${sessionId} (${side})`);
    }
    return session;
  }

  #checkMinuteOpen(session: LedgerSessionRow, minuteIndex: number, side: QosSide): void {
    const now = this.#now();
    if (session.startedAt === null) {
      this.#reject(session, minuteIndex, side, 'not streaming');
      throw new FramewayError('FW_ERR_QOS_REPORT_INVALID', 'the session is not streaming yet');
    }
    const end = session.startedAt + (minuteIndex + 1) * session.intervalMs;
    const early = Math.min(EARLY_MS_MAX, session.intervalMs / 10);
    const problem =
      now < end - early
        ? `minute ${minuteIndex} has not ended yet`
        : now > end + this.config.reportGraceMs || minuteIndex < session.nextMinute
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
    this.#metrics.reportsRejected++;
    this.store.noteRejection(session.sessionId, minuteIndex, side, reason);
    this.#log.debug({ sessionId: session.sessionId, minuteIndex, side, reason }, 'QoS report rejected');
  }

  #store(
    session: LedgerSessionRow,
    side: QosSide,
    minuteIndex: number,
    report: AgentMinuteReport | ClientMinuteReport,
    signature: Hex,
    digest: Hex,
    signer: Address,
  ): MinuteRecordRow | undefined {
    const existing = this.store.report(session.sessionId, minuteIndex, side);
    if (existing) {
      // The same report again (its Ack was lost): accepted, nothing to do.
      if (existing.digest === digest) return undefined;
      this.#metrics.reportsRejected++;
      throw new FramewayError('FW_ERR_QOS_REPORT_DUPLICATE', `a ${side} report for minute ${minuteIndex} is stored`);
    }
    // The minute may have been closed while the signature was being checked.
    if (this.store.record(session.sessionId, minuteIndex)) {
      throw new FramewayError('FW_ERR_QOS_REPORT_INVALID', `minute ${minuteIndex} is closed`);
    }
    this.store.insertReport({
      sessionId: session.sessionId,
      minuteIndex,
      side,
      report,
      signature,
      digest,
      signer,
      receivedAt: this.#now(),
    });
    this.#metrics.reportsAccepted++;
    const other = side === QosSide.Agent ? QosSide.Client : QosSide.Agent;
    return this.store.report(session.sessionId, minuteIndex, other)
      ? this.#recordMinute(session, minuteIndex)
      : undefined;
  }

  /** Records the minutes whose grace is over; settles an ended session once all its minutes are. */
  #closeDueMinutes(session: LedgerSessionRow): MinuteRecordRow[] {
    const now = this.#now();
    const grace = this.config.reportGraceMs;
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
      const record = this.#recordMinute(session, minute);
      if (record) records.push(record);
      minute++;
    }
    if (minute !== session.nextMinute) this.store.advanceMinute(session.sessionId, minute);
    if (session.endedAt !== null) {
      const complete = Math.floor((session.endedAt - session.startedAt) / session.intervalMs);
      if (minute >= complete) this.#settle({ ...session, nextMinute: minute });
    }
    return records;
  }

  /** Judges a minute from what is stored and writes its record (once); the caller emits after its commit. */
  #recordMinute(session: LedgerSessionRow, minuteIndex: number): MinuteRecordRow | undefined {
    const { store } = this;
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
        fpsRatio: this.config.sla.fpsRatio,
        latencyBudgetMs: session.latencyBudgetMs,
        inputToPhotonBudgetMs: this.config.sla.inputToPhotonBudgetMs,
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
      createdAt: this.#now(),
    });
    if (!inserted) return undefined;
    this.#metrics.recordsWritten++;
    if (!judgement.slaMet) {
      this.#log.debug({ sessionId: session.sessionId, minuteIndex, failures: judgement.failures }, 'minute failed SLA');
    }
    return store.record(session.sessionId, minuteIndex);
  }

  /** After the records are committed: announce their verdicts, cut a batch if one is full. */
  #recorded(records: readonly MinuteRecordRow[]): void {
    if (records.length === 0) return;
    if (this.store.unbatchedCount() >= this.config.batch.maxLeaves) this.#cutBatches(false);
    for (const record of records) this.emit('verdict', toVerdict(record));
  }

  /**
   * Runs `write` in a transaction shared with every write queued in the same
   * turn of the event loop (group commit: one fsync for many reports under
   * synchronous=FULL). Resolves once committed, so a reporter's Ack always
   * follows durability; a write that throws rejects alone.
   */
  #durably<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pendingWrites.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.#pendingWrites.length === 1) setImmediate(() => this.#commitWrites());
    });
  }

  #commitWrites(): void {
    const batch = this.#pendingWrites.splice(0);
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.store.transaction(() => {
        for (const pending of batch) {
          try {
            outcomes.push({ ok: true, value: this.store.transaction(pending.write) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i] as (typeof outcomes)[number];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }

  #settle(session: LedgerSessionRow): void {
    const { store } = this;
    const records = store.recordsFor(session.sessionId);
    store.transaction(() => {
      if (store.job('allocate', session.sessionId)) {
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
        store.enqueueJob('settle', session.sessionId, job, this.#now());
      }
      store.markSettled(session.sessionId);
    });
    this.#log.info(
      {
        sessionId: session.sessionId,
        minutes: records.length,
        failed: records.filter((r) => !r.slaMet).length,
        onChain: store.job('settle', session.sessionId) !== undefined,
      },
      'session closed in the QoS ledger',
    );
  }

  #cutBatches(force: boolean): void {
    const batches = this.#batcher?.flush(force) ?? [];
    for (const batch of batches) {
      this.#metrics.batchesCut++;
      this.#log.debug({ batchId: batch.batchId, leaves: batch.leafCount, root: batch.root }, 'batch cut');
    }
    if (batches.length > 0) this.#kickOutbox();
  }

  /** Sessions the previous run left open: they ended when their last evidence arrived. */
  #recoverInterruptedSessions(): void {
    for (const session of this.store.openSessions()) {
      if (session.endedAt !== null) continue;
      const lastReport = this.store.reportsFor(session.sessionId).reduce((max, r) => Math.max(max, r.receivedAt), 0);
      const endedAt = Math.max(session.startedAt ?? session.createdAt, lastReport, session.createdAt);
      this.store.markEnded(session.sessionId, endedAt, 'gateway_restarted');
      this.#log.info({ sessionId: session.sessionId }, 'session interrupted by a gateway restart: closing it');
    }
  }

  #recordView(
    session: LedgerSessionRow,
    record: MinuteRecordRow,
    reports: ReadonlyMap<string, StoredReport>,
  ): QosRecordView {
    const batch = record.batchId ? this.store.batch(record.batchId) : undefined;
    const agent = reports.get(`${record.minuteIndex}:${QosSide.Agent}`);
    const client = reports.get(`${record.minuteIndex}:${QosSide.Client}`);
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
      agentReport: agent
        ? {
            report: agent.report as AgentMinuteReport,
            signature: agent.signature,
            signer: agent.signer,
            digest: agent.digest,
          }
        : null,
      clientReport: client
        ? {
            report: client.report as ClientMinuteReport,
            signature: client.signature,
            signer: client.signer,
            digest: client.digest,
          }
        : null,
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
      tree = new MerkleTree(this.store.batchLeaves(batchId));
      if (this.#trees.size >= TREE_CACHE_SIZE) this.#trees.delete(this.#trees.keys().next().value as Hex);
    }
    this.#trees.set(batchId, tree);
    return tree;
  }

  #kick(): void {
    queueMicrotask(() => this.tick());
  }

  #kickOutbox(): void {
    if (this.#closed) return;
    this.#outbox?.runDue().catch((error: unknown) => this.#log.error({ err: error }, 'outbox run failed'));
  }
}

function toVerdict(record: MinuteRecordRow): MinuteVerdict {
  return {
    sessionId: record.sessionId,
    minuteIndex: record.minuteIndex,
    startedAt: record.startedAt,
    slaMet: record.slaMet,
    failures: failuresOfMask(record.failureMask),
    fps: record.fpsMilli / 1000,
    p95LatencyMs: record.p95LatencyUs / 1000,
  };
}
