import * as v from 'valibot';
import { BillingConfigSchema } from '../billing/billingConfig.js';
import { StudioConfigSchema } from '../studio/studioConfig.js';
import { WebhookConfigSchema } from '../webhooks/webhookConfig.js';

const PositiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));

/**
 * The studio REST API's options (`studioApi` in the gateway config): the HTTP
 * edge's own (mounting, rate limits, idempotency) here, the domains' from their
 * folders. Each domain owns its schema and defaults so that it never imports
 * api/; the keys stay where config files have always had them.
 */
export const StudioApiConfigSchema = v.strictObject({
  enabled: v.optional(v.boolean(), true),
  /** Token bucket per API key: `burst` requests at once, refilled at `perSecond`. */
  rateLimit: v.optional(
    v.strictObject({
      burst: v.optional(PositiveInt, 60),
      perSecond: v.optional(v.pipe(v.number(), v.minValue(0.01)), 10),
    }),
    {},
  ),
  /** How long an Idempotency-Key and its stored response are kept. */
  idempotencyTtlSeconds: v.optional(PositiveInt, 24 * 3600),
  ...StudioConfigSchema.entries,
  billing: v.optional(BillingConfigSchema, {}),
  webhooks: v.optional(WebhookConfigSchema, {}),
});

export type StudioApiConfig = Readonly<v.InferOutput<typeof StudioApiConfigSchema>>;
