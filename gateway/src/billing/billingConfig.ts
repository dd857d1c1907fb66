import * as v from 'valibot';

const PositiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
const NonNegativeInt = v.pipe(v.number(), v.integer(), v.minValue(0));
const Percent = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100));

/**
 * Session-based billing (`studioApi.billing` in the gateway config). Money is in
 * integer minor units of `currency`; see docs/studio-api.md for the price formula.
 */
export const BillingConfigSchema = v.pipe(
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
);

export type BillingConfig = Readonly<v.InferOutput<typeof BillingConfigSchema>>;
