import * as v from 'valibot';

const PositiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
const NonNegativeInt = v.pipe(v.number(), v.integer(), v.minValue(0));
const Percent = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100));

/**
 * The studio REST API's options (`studioApi` in the gateway config). Money is
 * in integer minor units of `currency`; see docs/studio-api.md for the price formula.
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
  /** Default lifetime of player tokens minted by POST /v1/sessions. */
  playerTokenTtlSeconds: v.optional(PositiveInt, 900),
  /** In demo mode: create the demo studio and mint a fresh API key for it at start (printed on stdout). */
  demoStudio: v.optional(v.boolean(), true),
  billing: v.optional(
    v.pipe(
      v.strictObject({
        currency: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/)), 'USD'),
        blockMinutes: v.optional(v.pipe(PositiveInt, v.maxValue(24 * 60)), 15),
        /** Price of one block at or below `lowUtilisationPercent`. */
        minPricePerBlock: v.optional(NonNegativeInt, 60),
        /** Price of one block at or above `highUtilisationPercent`. */
        maxPricePerBlock: v.optional(NonNegativeInt, 150),
        lowUtilisationPercent: v.optional(Percent, 20),
        highUtilisationPercent: v.optional(Percent, 90),
        /** Utilisation of the session's node at placement, or of the whole fleet. */
        utilisationBasis: v.optional(v.picklist(['node', 'fleet']), 'node'),
        /** Share of a failed minute's prorated price credited back. */
        slaCreditPercent: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)), 100),
      }),
      v.check((b) => b.minPricePerBlock <= b.maxPricePerBlock, 'minPricePerBlock must be <= maxPricePerBlock'),
      v.check(
        (b) => b.lowUtilisationPercent < b.highUtilisationPercent,
        'lowUtilisationPercent must be < highUtilisationPercent',
      ),
    ),
    {},
  ),
  webhooks: v.optional(
    v.strictObject({
      timeoutMs: v.optional(PositiveInt, 10_000),
      maxAttempts: v.optional(v.pipe(PositiveInt, v.maxValue(50)), 8),
      /** Delay before the 2nd attempt; doubles per attempt up to `maxDelayMs`. */
      baseDelayMs: v.optional(PositiveInt, 10_000),
      maxDelayMs: v.optional(PositiveInt, 3_600_000),
    }),
    {},
  ),
});

export type StudioApiConfig = Readonly<v.InferOutput<typeof StudioApiConfigSchema>>;
