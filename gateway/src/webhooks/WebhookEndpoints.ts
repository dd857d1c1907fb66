import { randomBytes } from 'node:crypto';
import { FramewayError } from '@frameway/protocol';
import type { Webhook, WebhookEventType } from '@frameway/protocol/rest';
import { isoTime, type StudioContext } from '../studio/StudioContext.js';

export interface WebhookRecord {
  id: string;
  studioId: string;
  url: string;
  events: WebhookEventType[];
  description: string | null;
  secret: string;
  createdAt: number;
}

interface WebhookRow {
  id: string;
  studio_id: string;
  url: string;
  events: string;
  description: string | null;
  secret: string;
  created_at: number;
  deleted_at: number | null;
}

/** Studios' webhook endpoints and their signing secrets. */
export class WebhookEndpoints {
  readonly #context: StudioContext;

  constructor(context: StudioContext) {
    this.#context = context;
  }

  create(
    studioId: string,
    options: { url: string; events: readonly WebhookEventType[]; description?: string | undefined },
  ): WebhookRecord {
    const record: WebhookRecord = {
      id: this.#context.newId('wh'),
      studioId,
      url: options.url,
      events: [...options.events],
      description: options.description ?? null,
      secret: `whsec_${randomBytes(32).toString('base64url')}`,
      createdAt: this.#context.now(),
    };
    this.#context.db
      .prepare(
        'INSERT INTO studio_webhooks (id, studio_id, url, events, description, secret, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        record.id,
        studioId,
        record.url,
        JSON.stringify(record.events),
        record.description,
        record.secret,
        record.createdAt,
      );
    return record;
  }

  /** A live endpoint of the studio; FW_ERR_NOT_FOUND otherwise. */
  get(studioId: string, webhookId: string): WebhookRecord {
    const row = this.#context.db
      .prepare('SELECT * FROM studio_webhooks WHERE id = ? AND studio_id = ? AND deleted_at IS NULL')
      .get(webhookId, studioId) as WebhookRow | undefined;
    if (!row) throw new FramewayError('FW_ERR_NOT_FOUND', 'no such webhook', { resource: 'webhook', id: webhookId });
    return fromRow(row);
  }

  /** Any endpoint by id, deleted ones included (the dispatcher's view). */
  find(webhookId: string): (WebhookRecord & { deleted: boolean }) | undefined {
    const row = this.#context.db.prepare('SELECT * FROM studio_webhooks WHERE id = ?').get(webhookId) as
      | WebhookRow
      | undefined;
    return row && { ...fromRow(row), deleted: row.deleted_at !== null };
  }

  list(studioId: string): WebhookRecord[] {
    const rows = this.#context.db
      .prepare('SELECT * FROM studio_webhooks WHERE studio_id = ? AND deleted_at IS NULL ORDER BY created_at, id')
      .all(studioId) as WebhookRow[];
    return rows.map(fromRow);
  }

  /** Live endpoints of a studio subscribed to an event type. */
  subscribers(studioId: string, type: WebhookEventType): WebhookRecord[] {
    return this.list(studioId).filter((endpoint) => endpoint.events.includes(type));
  }

  delete(studioId: string, webhookId: string): WebhookRecord {
    const record = this.get(studioId, webhookId);
    this.#context.db
      .prepare('UPDATE studio_webhooks SET deleted_at = ? WHERE id = ?')
      .run(this.#context.now(), webhookId);
    return record;
  }

  static view(record: WebhookRecord): Webhook {
    return {
      id: record.id,
      url: record.url,
      events: [...record.events],
      description: record.description,
      createdAt: isoTime(record.createdAt),
    };
  }
}

function fromRow(row: WebhookRow): WebhookRecord {
  return {
    id: row.id,
    studioId: row.studio_id,
    url: row.url,
    events: JSON.parse(row.events) as WebhookEventType[],
    description: row.description,
    secret: row.secret,
    createdAt: row.created_at,
  };
}
