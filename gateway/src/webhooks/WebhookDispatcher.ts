import { WEBHOOK_SIGNATURE_HEADER, type WebhookDelivery, type WebhookEventType } from '@frameway/protocol/rest';
import { createLogger } from '../logging/logger.js';
import { decodeCursor, pageRows } from '../studio/pageCursor.js';
import { isoTime, type StudioContext } from '../studio/StudioContext.js';
import { retryDelay } from './retryDelay.js';
import { signWebhook } from './signWebhook.js';
import type { WebhookEndpoints } from './WebhookEndpoints.js';
import type { WebhookConfig } from './webhookConfig.js';

const log = createLogger('webhooks.dispatcher');

export interface WebhookDispatcherOptions {
  context: StudioContext;
  endpoints: WebhookEndpoints;
  config: WebhookConfig;
  fetch?: typeof globalThis.fetch;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

type DeliveryStatus = 'pending' | 'delivered' | 'failed';

interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: WebhookEventType;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  at: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** The envelope every webhook body carries. */
export interface PublishedEvent {
  id: string;
  type: WebhookEventType;
  studioId: string;
  createdAt: string;
  data: unknown;
}

/** Due deliveries picked per pass. */
const BATCH = 20;
/** Longest a timer is armed for (setTimeout's limit is 2^31-1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Delivers events to studios' endpoints: one durable delivery per endpoint,
 * signed POSTs, retries with capped exponential backoff, and a log of every
 * attempt. Pending deliveries survive a restart (they live in SQLite).
 */
export class WebhookDispatcher {
  readonly #options: Required<WebhookDispatcherOptions>;
  readonly #inFlight = new Map<string, AbortController>();
  readonly #running = new Set<Promise<void>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #closed = false;

  constructor(options: WebhookDispatcherOptions) {
    this.#options = { fetch: globalThis.fetch.bind(globalThis), random: Math.random, ...options };
  }

  /** Records the event and queues a delivery to each subscribed endpoint; returns the event. */
  publish(studioId: string, type: WebhookEventType, data: unknown): PublishedEvent {
    const { context, endpoints } = this.#options;
    const now = context.now();
    const event: PublishedEvent = { id: context.newId('evt'), type, studioId, createdAt: isoTime(now), data };
    const targets = endpoints.subscribers(studioId, type);
    if (targets.length === 0) return event;
    const payload = JSON.stringify(event);
    const insert = context.db.prepare(
      `INSERT INTO studio_webhook_deliveries (id, webhook_id, event_id, event_type, payload, status, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
    );
    context.db.transaction(() => {
      for (const endpoint of targets) insert.run(context.newId('whd'), endpoint.id, event.id, type, payload, now, now);
    })();
    log.debug({ eventId: event.id, type, endpoints: targets.length }, 'webhook event queued');
    this.#arm(now);
    return event;
  }

  /** Starts delivering what a previous process left pending. */
  start(): void {
    const next = this.#options.context.db
      .prepare("SELECT MIN(next_attempt_at) AS at FROM studio_webhook_deliveries WHERE status = 'pending'")
      .get() as { at: number | null };
    if (next.at !== null) this.#arm(next.at);
  }

  /** An endpoint's delivery log, newest first. */
  deliveries(
    webhookId: string,
    filters: { status?: DeliveryStatus | undefined },
    page: { cursor?: string | undefined; limit: number },
  ): { items: WebhookDelivery[]; nextCursor: string | null } {
    const db = this.#options.context.db;
    const where = ['webhook_id = @webhookId'];
    const args: Record<string, unknown> = { webhookId, limit: page.limit + 1 };
    if (filters.status !== undefined) {
      where.push('status = @status');
      args.status = filters.status;
    }
    if (page.cursor !== undefined) {
      const after = decodeCursor(page.cursor);
      where.push('(created_at, id) < (@afterAt, @afterId)');
      args.afterAt = after.at;
      args.afterId = after.id;
    }
    const rows = db
      .prepare(
        `SELECT * FROM studio_webhook_deliveries WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT @limit`,
      )
      .all(args) as DeliveryRow[];
    const { rows: pageOut, nextCursor } = pageRows(rows, page.limit);
    const attempts = db.prepare('SELECT * FROM studio_webhook_attempts WHERE delivery_id = ? ORDER BY attempt');
    return {
      items: pageOut.map((row) => deliveryView(row, attempts.all(row.id) as AttemptRow[])),
      nextCursor,
    };
  }

  /** Drops an endpoint's pending deliveries (it was deleted). */
  cancelFor(webhookId: string): void {
    this.#options.context.db
      .prepare(
        `UPDATE studio_webhook_deliveries SET status = 'failed', next_attempt_at = NULL, last_error = 'endpoint deleted'
         WHERE webhook_id = ? AND status = 'pending'`,
      )
      .run(webhookId);
  }

  /** Stops the timer and aborts requests in flight (they stay pending and resume on the next start). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const controller of this.#inFlight.values()) controller.abort();
    await Promise.allSettled([...this.#running]);
  }

  #arm(at: number): void {
    if (this.#closed || at >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.#options.context.now()));
    this.#timer = setTimeout(() => {
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#runDue();
    }, delay);
    this.#timer.unref();
  }

  #runDue(): void {
    if (this.#closed) return;
    const { db, now } = this.#options.context;
    const due = db
      .prepare(
        `SELECT * FROM studio_webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
         ORDER BY next_attempt_at LIMIT ?`,
      )
      .all(now(), BATCH + this.#inFlight.size) as DeliveryRow[];
    for (const row of due) {
      if (this.#inFlight.has(row.id)) continue;
      const run = this.#attempt(row).finally(() => {
        this.#running.delete(run);
      });
      this.#running.add(run);
    }
    const next = db
      .prepare(
        "SELECT MIN(next_attempt_at) AS at FROM studio_webhook_deliveries WHERE status = 'pending' AND next_attempt_at > ?",
      )
      .get(now()) as { at: number | null };
    if (next.at !== null) this.#arm(next.at);
    // A full batch may have left more due work behind.
    if (due.length >= BATCH) this.#arm(now() + 10);
  }

  async #attempt(row: DeliveryRow): Promise<void> {
    const { context, endpoints, config } = this.#options;
    const endpoint = endpoints.find(row.webhook_id);
    if (!endpoint || endpoint.deleted) {
      this.cancelFor(row.webhook_id);
      return;
    }
    const controller = new AbortController();
    this.#inFlight.set(row.id, controller);
    const attempt = row.attempts + 1;
    const startedAt = context.now();
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer within ${config.timeoutMs} ms`)),
      config.timeoutMs,
    );
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await this.#options.fetch(endpoint.url, {
        method: 'POST',
        redirect: 'manual',
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Frameway-Webhooks/1',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(endpoint.secret, row.payload, Math.floor(startedAt / 1000)),
          'frameway-event-id': row.event_id,
          'frameway-event-type': row.event_type,
          'frameway-delivery-id': row.id,
          'frameway-delivery-attempt': String(attempt),
        },
        body: row.payload,
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (statusCode < 200 || statusCode >= 300) error = `endpoint answered HTTP ${statusCode}`;
    } catch (cause) {
      error = controller.signal.aborted && this.#closed ? 'gateway shutting down' : describe(cause, controller);
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(row.id);
    }
    if (this.#closed && statusCode === null) return; // left pending for the next start
    const finishedAt = context.now();
    const delivered = error === null;
    const failedForGood = !delivered && attempt >= config.maxAttempts;
    const nextAttemptAt =
      delivered || failedForGood
        ? null
        : finishedAt + retryDelay(attempt, config.baseDelayMs, config.maxDelayMs, this.#options.random);
    const status: DeliveryStatus = delivered ? 'delivered' : failedForGood ? 'failed' : 'pending';
    context.db.transaction(() => {
      context.db
        .prepare(
          'INSERT INTO studio_webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(row.id, attempt, startedAt, statusCode, error, Math.max(0, finishedAt - startedAt));
      context.db
        .prepare(
          `UPDATE studio_webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_status_code = ?,
             last_error = ?, delivered_at = ? WHERE id = ?`,
        )
        .run(status, attempt, nextAttemptAt, statusCode, error, delivered ? finishedAt : null, row.id);
    })();
    log.debug({ deliveryId: row.id, attempt, statusCode, error, status }, 'webhook delivery attempt');
    if (nextAttemptAt !== null) this.#arm(nextAttemptAt);
  }
}

function describe(cause: unknown, controller: AbortController): string {
  if (controller.signal.aborted) {
    const reason = controller.signal.reason;
    return reason instanceof Error ? reason.message : 'request aborted';
  }
  if (cause instanceof Error) {
    const code = (cause.cause as { code?: string } | undefined)?.code;
    return code ? `${cause.message} (${code})` : cause.message;
  }
  return String(cause);
}

function deliveryView(row: DeliveryRow, attempts: readonly AttemptRow[]): WebhookDelivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: isoTime(row.next_attempt_at),
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: isoTime(row.created_at),
    deliveredAt: isoTime(row.delivered_at),
    log: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      at: isoTime(attempt.at),
      statusCode: attempt.status_code,
      error: attempt.error,
      durationMs: attempt.duration_ms,
    })),
  };
}
