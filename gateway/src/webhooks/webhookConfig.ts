import * as v from 'valibot';

const PositiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));

/** Webhook delivery (`studioApi.webhooks` in the gateway config). */
export const WebhookConfigSchema = v.strictObject({
  timeoutMs: v.optional(PositiveInt, 10_000),
  maxAttempts: v.optional(v.pipe(PositiveInt, v.maxValue(50)), 8),
  /** Delay before the 2nd attempt; doubles per attempt up to `maxDelayMs`. */
  baseDelayMs: v.optional(PositiveInt, 10_000),
  maxDelayMs: v.optional(PositiveInt, 3_600_000),
});

export type WebhookConfig = Readonly<v.InferOutput<typeof WebhookConfigSchema>>;
