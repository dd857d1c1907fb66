import * as v from 'valibot';
import { InvoiceSummary } from './billing.js';
import { NonNegativeInt, PageCursor, PageLimit, ResourceId, Timestamp } from './common.js';
import { Session } from './sessions.js';

export const WebhookEventType = {
  SessionStarted: 'session.started',
  SessionEnded: 'session.ended',
  SessionFailedOver: 'session.failed_over',
  QosSlaBreach: 'qos.sla_breach',
  InvoiceReady: 'invoice.ready',
} as const;
export type WebhookEventType = (typeof WebhookEventType)[keyof typeof WebhookEventType];
export const webhookEventTypeList = Object.values(WebhookEventType) as readonly WebhookEventType[];
export const WebhookEventTypeSchema = v.picklist(webhookEventTypeList as WebhookEventType[]);

/** The header that carries `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const WEBHOOK_SIGNATURE_HEADER = 'frameway-signature';
/** Receivers should reject a signature whose timestamp is further than this from their clock. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export const CreateWebhookRequest = v.strictObject({
  url: v.pipe(v.string(), v.url(), v.regex(/^https?:\/\//, 'an http(s) URL'), v.maxLength(2048)),
  events: v.pipe(
    v.array(WebhookEventTypeSchema),
    v.minLength(1),
    v.check((events) => new Set(events).size === events.length, 'each event type once'),
    v.metadata({ uniqueItems: true }),
  ),
  description: v.optional(v.pipe(v.string(), v.maxLength(256))),
});

export const Webhook = v.object({
  id: ResourceId,
  url: v.string(),
  events: v.array(WebhookEventTypeSchema),
  description: v.nullable(v.string()),
  createdAt: Timestamp,
});

export const CreatedWebhook = v.object({
  webhook: Webhook,
  /** The signing secret (shown once). */
  secret: v.string(),
});

export const WebhookIdParams = v.strictObject({ webhookId: ResourceId });

export const DeliveryAttempt = v.object({
  attempt: NonNegativeInt,
  at: Timestamp,
  statusCode: v.nullable(v.number()),
  error: v.nullable(v.string()),
  durationMs: NonNegativeInt,
});

export const WebhookDelivery = v.object({
  id: ResourceId,
  webhookId: ResourceId,
  eventId: ResourceId,
  eventType: WebhookEventTypeSchema,
  status: v.picklist(['pending', 'delivered', 'failed']),
  attempts: NonNegativeInt,
  nextAttemptAt: v.nullable(Timestamp),
  lastStatusCode: v.nullable(v.number()),
  lastError: v.nullable(v.string()),
  createdAt: Timestamp,
  deliveredAt: v.nullable(Timestamp),
  log: v.array(DeliveryAttempt),
});

export const ListDeliveriesQuery = v.strictObject({
  status: v.optional(v.picklist(['pending', 'delivered', 'failed'])),
  cursor: PageCursor,
  limit: PageLimit,
});

const eventFields = { id: ResourceId, studioId: ResourceId, createdAt: Timestamp };

/** The body of every webhook request: one event. */
export const WebhookEvent = v.variant('type', [
  v.object({ ...eventFields, type: v.literal('session.started'), data: v.object({ session: Session }) }),
  v.object({ ...eventFields, type: v.literal('session.ended'), data: v.object({ session: Session }) }),
  v.object({
    ...eventFields,
    type: v.literal('session.failed_over'),
    data: v.object({ session: Session, fromNodeId: v.string(), toNodeId: v.string() }),
  }),
  v.object({
    ...eventFields,
    type: v.literal('qos.sla_breach'),
    data: v.object({
      sessionId: ResourceId,
      minuteIndex: NonNegativeInt,
      minuteStartedAt: Timestamp,
      failures: v.array(v.string()),
      fps: v.number(),
      p95LatencyMs: v.number(),
    }),
  }),
  v.object({ ...eventFields, type: v.literal('invoice.ready'), data: v.object({ invoice: InvoiceSummary }) }),
]);

export type Webhook = v.InferOutput<typeof Webhook>;
export type WebhookDelivery = v.InferOutput<typeof WebhookDelivery>;
export type WebhookEvent = v.InferOutput<typeof WebhookEvent>;
