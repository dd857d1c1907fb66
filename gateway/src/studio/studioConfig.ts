import * as v from 'valibot';

const PositiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));

/**
 * The studio domain's own options. They sit at the top level of `studioApi` in
 * the gateway config (beside the HTTP edge's options, see api/studioApiConfig.ts),
 * so this schema's entries are spread there rather than nested.
 */
export const StudioConfigSchema = v.strictObject({
  /** Default lifetime of player tokens minted by POST /v1/sessions. */
  playerTokenTtlSeconds: v.optional(PositiveInt, 900),
  /** In demo mode: create the demo studio and mint a fresh API key for it at start (printed on stdout). */
  demoStudio: v.optional(v.boolean(), true),
});

export type StudioConfig = Readonly<v.InferOutput<typeof StudioConfigSchema>>;
