import { sessionKeyOf } from '@frameway/protocol/qos';
import { type Address, getAddress } from 'viem';
import type { LedgerContext } from '../LedgerContext.js';
import type { AllocateJob, StakeJob } from '../outbox/ChainOutbox.js';
import type { QosStartPayload } from '../QosIntake.js';

/** A session as the ledger learns it at placement. */
export interface PlacedSession {
  sessionId: string;
  playerId: string;
  nodeId: string;
  targetFps: number;
  latencyBudgetMs: number;
}

export interface SessionLifecycleOptions {
  context: LedgerContext;
  /** A node's EVM address: the key its agent signs reports with (proven at registration). */
  nodeAddress: (nodeId: string) => Address | undefined;
  /** A node's asking price per 15-minute block in wei, when it announced one. */
  nodePriceWei?: ((nodeId: string) => bigint | undefined) | undefined;
  /** Asks for an upkeep pass soon (close minutes, settle, run the outbox). */
  kick: () => void;
}

/**
 * The session lifecycle as the ledger sees it: placed (remember it, queue its
 * escrow on chain), streaming (minute 0 starts), failed over (later agent
 * reports come from another key), ended (close and settle).
 */
export class SessionLifecycle {
  readonly #context: LedgerContext;
  readonly #options: SessionLifecycleOptions;

  constructor(options: SessionLifecycleOptions) {
    this.#context = options.context;
    this.#options = options;
  }

  /** A session was placed on a node: remember it and queue its allocation (escrow) on chain. */
  placed(placed: PlacedSession): void {
    const { config, store, runtime, log } = this.#context;
    const now = this.#context.now();
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
      if (!inserted || !runtime?.outbox || !provider) return;
      const escrow = price * BigInt(config.chain.escrowBlocks);
      if (runtime.chain?.kind === 'embedded') {
        const stake: StakeJob = { provider: getAddress(provider), amountWei: config.chain.embeddedStakeWei };
        store.jobs.enqueue('stake', stake.provider, stake, now);
      }
      const allocate: AllocateJob = {
        sessionKey,
        provider: getAddress(provider),
        pricePerBlockWei: price.toString(),
        escrowWei: escrow.toString(),
        slaMinBps: config.sla.minMetBps,
        penaltyBps: config.sla.penaltyBps,
      };
      store.jobs.enqueue('allocate', placed.sessionId, allocate, now);
    });
    if (!provider) {
      log.warn(
        { sessionId: placed.sessionId, nodeId: placed.nodeId },
        'node has no proven key: its QoS reports cannot be verified and the session is not settled on chain',
      );
    }
    this.#options.kick();
  }

  /** The session streams: minute 0 starts now. Returns what to send the agent and the player. */
  streaming(sessionId: string): QosStartPayload | undefined {
    this.#context.store.markStarted(sessionId, this.#context.now());
    return this.startPayload(sessionId);
  }

  /** QosStart for a session that streams (a rejoining player, a failed-over agent); undefined otherwise. */
  startPayload(sessionId: string): QosStartPayload | undefined {
    const session = this.#context.store.session(sessionId);
    const domain = this.#context.runtime?.domain;
    if (!session || session.startedAt === null || session.endedAt !== null || !domain) return undefined;
    return {
      sessionId,
      domain,
      intervalMs: session.intervalMs,
      elapsedMs: Math.max(0, this.#context.now() - session.startedAt),
    };
  }

  /** The session moved to another node: later agent reports must come from that node's key. */
  failedOver(sessionId: string, toNodeId: string): void {
    const provider = this.#options.nodeAddress(toNodeId);
    this.#context.store.moveToNode(sessionId, toNodeId, provider ? getAddress(provider) : null);
  }

  /** The session ended: its complete minutes are closed (after the report grace), then it is settled. */
  ended(sessionId: string, reason: string): void {
    this.#context.store.markEnded(sessionId, this.#context.now(), reason);
    this.#options.kick();
  }
}
