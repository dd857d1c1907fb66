import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { StudioApiConfigSchema } from './studioApiConfig.js';

const parse = (input: unknown) => v.safeParse(StudioApiConfigSchema, input);

describe('studioApi config', () => {
  it('fills every default of the HTTP edge and the domains under the same keys as before', () => {
    const result = parse({});
    expect(result.success).toBe(true);
    expect(result.output).toEqual({
      enabled: true,
      rateLimit: { burst: 60, perSecond: 10 },
      idempotencyTtlSeconds: 86_400,
      playerTokenTtlSeconds: 900,
      demoStudio: true,
      billing: {
        currency: 'USD',
        blockMinutes: 15,
        minPricePerBlock: 60,
        maxPricePerBlock: 150,
        lowUtilisationPercent: 20,
        highUtilisationPercent: 90,
        utilisationBasis: 'node',
        slaCreditPercent: 100,
      },
      webhooks: { timeoutMs: 10_000, maxAttempts: 8, baseDelayMs: 10_000, maxDelayMs: 3_600_000 },
    });
  });

  it('keeps what a user config sets at the top level and in billing and webhooks', () => {
    const result = parse({
      enabled: false,
      playerTokenTtlSeconds: 60,
      demoStudio: false,
      billing: { currency: 'EUR', utilisationBasis: 'fleet' },
      webhooks: { maxAttempts: 3 },
    });
    expect(result.success).toBe(true);
    expect(result.output).toMatchObject({
      enabled: false,
      playerTokenTtlSeconds: 60,
      demoStudio: false,
      billing: { currency: 'EUR', utilisationBasis: 'fleet', blockMinutes: 15 },
      webhooks: { maxAttempts: 3, timeoutMs: 10_000 },
    });
  });

  it('rejects unknown keys at every level', () => {
    for (const input of [
      { bogus: 1 },
      { billing: { bogus: 1 } },
      { webhooks: { bogus: 1 } },
      { rateLimit: { x: 1 } },
    ]) {
      const result = parse(input);
      expect(result.success, JSON.stringify(input)).toBe(false);
    }
  });

  it('rejects a billing price range or utilisation band that is upside down', () => {
    const prices = parse({ billing: { minPricePerBlock: 200, maxPricePerBlock: 100 } });
    expect(prices.success).toBe(false);
    expect(prices.issues?.[0]?.message).toBe('minPricePerBlock must be <= maxPricePerBlock');
    const band = parse({ billing: { lowUtilisationPercent: 90, highUtilisationPercent: 90 } });
    expect(band.success).toBe(false);
    expect(band.issues?.[0]?.message).toBe('lowUtilisationPercent must be < highUtilisationPercent');
  });

  it('rejects out-of-range values in the domains', () => {
    expect(parse({ playerTokenTtlSeconds: 0 }).success).toBe(false);
    expect(parse({ billing: { currency: 'usd' } }).success).toBe(false);
    expect(parse({ webhooks: { maxAttempts: 51 } }).success).toBe(false);
  });
});
