import { WebhookEventType } from '@frameway/protocol/rest';
import type { MinuteVerdict, QosVerdictSource } from '../ledger/QosVerdicts.js';
import { createLogger } from '../logging/logger.js';
import type { SessionRecords } from '../studio/SessionRecords.js';
import { isoTime } from '../studio/StudioContext.js';
import type { StudioSessionEvents, StudioSessions } from '../studio/StudioSessions.js';

const log = createLogger('webhooks.studio');

/** Only what the publisher reads and calls, so it can be driven without a gateway. */
export interface StudioEventPublisherOptions {
  sessions: {
    on<E extends keyof StudioSessionEvents>(event: E, listener: (...args: StudioSessionEvents[E]) => void): unknown;
    view: StudioSessions['view'];
  };
  records: Pick<SessionRecords, 'find' | 'addEvent'>;
  /** What the dispatcher returns (the stored event) is not used here. */
  dispatcher: { publish(studioId: string, type: WebhookEventType, data: unknown): unknown };
}

/**
 * Turns what happens in the studio domain into webhook events: session
 * started / ended / failed over, and QoS SLA breaches from the ledger's minute
 * verdicts. After `close()` nothing more is queued.
 */
export class StudioEventPublisher {
  readonly #options: StudioEventPublisherOptions;
  #detachVerdicts: (() => void) | undefined;
  #closed = false;

  constructor(options: StudioEventPublisherOptions) {
    this.#options = options;
    const { sessions } = options;
    sessions.on('started', (record) =>
      this.publish(record.studioId, WebhookEventType.SessionStarted, { session: sessions.view(record) }),
    );
    sessions.on('ended', (record) =>
      this.publish(record.studioId, WebhookEventType.SessionEnded, { session: sessions.view(record) }),
    );
    sessions.on('failedOver', (record, fromNodeId, toNodeId) =>
      this.publish(record.studioId, WebhookEventType.SessionFailedOver, {
        session: sessions.view(record),
        fromNodeId,
        toNodeId,
      }),
    );
  }

  /** Follows a verdict source (replacing the previous one): failed minutes become qos.sla_breach. */
  useVerdictSource(source: QosVerdictSource): void {
    this.#detachVerdicts?.();
    const listener = (verdict: MinuteVerdict) => this.#onVerdict(verdict);
    source.on('verdict', listener);
    this.#detachVerdicts = () => source.off('verdict', listener);
  }

  /** Queues an event for the studio's endpoints; a failure to queue is logged, never thrown at the caller. */
  publish(studioId: string, type: WebhookEventType, data: unknown): void {
    if (this.#closed) return;
    try {
      this.#options.dispatcher.publish(studioId, type, data);
    } catch (error) {
      log.error({ err: error, type, studioId }, 'could not queue a webhook event');
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detachVerdicts?.();
    this.#detachVerdicts = undefined;
  }

  #onVerdict(verdict: MinuteVerdict): void {
    if (verdict.slaMet || this.#closed) return;
    const { records } = this.#options;
    const record = records.find(verdict.sessionId);
    if (!record) return;
    const data = {
      sessionId: verdict.sessionId,
      minuteIndex: verdict.minuteIndex,
      minuteStartedAt: isoTime(verdict.startedAt),
      failures: [...verdict.failures],
      fps: verdict.fps,
      p95LatencyMs: verdict.p95LatencyMs,
    };
    // The session's history and its webhooks tell the same story: record the breach, then publish it.
    records.addEvent(record.id, 'sla_breach', data);
    this.publish(record.studioId, WebhookEventType.QosSlaBreach, data);
  }
}
