import { type AnyMessage, MessageType, type SignalingChannel } from '@frameway/protocol';
import type { QosSigner } from '@frameway/protocol/qos';
import { createLogger, type Logger } from '../logging/logger.js';
import { AgentQosReporter, type EncoderCounters, type QosStart } from './AgentQosReporter.js';
import type { HandoffWindow } from './HandoffTimer.js';
import { TargetBitrateMeter } from './TargetBitrateMeter.js';

/** What the QoS side reads from a running session. */
export interface QosSessionProbe {
  counters: () => EncoderCounters;
  handoff: () => HandoffWindow;
}

export interface AgentQosOptions {
  /** The node key's account: signs every report. */
  signer: QosSigner;
  /** The gateway's id for this node while registered. */
  nodeId: () => string | undefined;
  /** The running session with this id, if any. */
  session: (sessionId: string) => QosSessionProbe | undefined;
  logger?: Logger;
  now?: () => number;
}

/**
 * The agent's QoS reporting: starts a reporter per session when the gateway
 * says the session streams (QosStart), stops it when the session ends.
 */
export class AgentQos {
  readonly #options: AgentQosOptions;
  readonly #log: Logger;
  readonly #reporters = new Map<string, AgentQosReporter>();
  readonly #bitrates = new Map<string, TargetBitrateMeter>();

  constructor(options: AgentQosOptions) {
    this.#options = options;
    this.#log = options.logger ?? createLogger('qos');
  }

  get activeReporters(): number {
    return this.#reporters.size;
  }

  /** Remembers what the session's encoder was configured for (part of every report). */
  sessionStarted(sessionId: string, targetBitrateKbps: number): void {
    this.#bitrates.set(sessionId, new TargetBitrateMeter(targetBitrateKbps, this.#now()));
  }

  /** Congestion control moved the session's target: reports state the time-weighted mean. */
  targetChanged(sessionId: string, targetBitrateKbps: number): void {
    this.#bitrates.get(sessionId)?.set(targetBitrateKbps, this.#now());
  }

  sessionEnded(sessionId: string): void {
    this.#reporters.get(sessionId)?.close();
    this.#reporters.delete(sessionId);
    this.#bitrates.delete(sessionId);
  }

  /** Feeds every gateway message; acts on QosStart only. */
  handleMessage(message: AnyMessage, channel: SignalingChannel): void {
    if (message.t === MessageType.QosStart) this.#start(message.p, channel);
  }

  close(): void {
    for (const reporter of this.#reporters.values()) reporter.close();
    this.#reporters.clear();
    this.#bitrates.clear();
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #start(start: QosStart, channel: SignalingChannel): void {
    const session = this.#options.session(start.sessionId);
    const nodeId = this.#options.nodeId();
    if (!session || nodeId === undefined) {
      this.#log.debug({ sessionId: start.sessionId }, 'QosStart for a session not running here');
      return;
    }
    this.#reporters.get(start.sessionId)?.close();
    const log = this.#log.child({ sessionId: start.sessionId });
    this.#reporters.set(
      start.sessionId,
      new AgentQosReporter({
        start,
        nodeId,
        signer: this.#options.signer,
        targetBitrateKbps: () => this.#bitrates.get(start.sessionId)?.takeMean(this.#now()) ?? 0,
        counters: session.counters,
        handoff: session.handoff,
        send: async (signed) => {
          await channel.request(MessageType.QosAgentReport, signed);
        },
        log,
        ...(this.#options.now ? { now: this.#options.now } : {}),
      }),
    );
    log.info({ intervalMs: start.intervalMs, elapsedMs: start.elapsedMs }, 'QoS reporting started');
  }
}
