import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from './verifyWebhookSignature.js';

const secret = 'whsec_test';
const event = {
  id: 'evt_1',
  type: 'invoice.ready',
  studioId: 'std_1',
  createdAt: '2026-01-01T00:00:00.000Z',
  data: {
    invoice: {
      id: 'inv_1',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-02T00:00:00.000Z',
      createdAt: '2026-01-02T00:00:00.000Z',
      currency: 'USD',
      blockMinutes: 15,
      subtotal: 300,
      credits: 30,
      total: 270,
      lineCount: 1,
    },
  },
};
const body = JSON.stringify(event);
const now = 1_800_000_000_000;

/** Signed the way the docs describe, with node:crypto (not the code under test). */
function header(t: number, signedBody = body, key = secret): string {
  return `t=${t},v1=${createHmac('sha256', key).update(`${t}.${signedBody}`).digest('hex')}`;
}

describe('verifyWebhookSignature', () => {
  it('accepts a genuine, fresh signature and returns the typed event', async () => {
    const verified = await verifyWebhookSignature({ secret, header: header(now / 1000 - 10), body, now: () => now });
    expect(verified).toEqual(event);
  });

  it('rejects tampered bodies, other secrets, stale or future timestamps and malformed headers', async () => {
    const t = now / 1000;
    const cases: [string | undefined, string][] = [
      [header(t), body.replace('270', '0')],
      [header(t, body, 'whsec_other'), body],
      [header(t - 301), body],
      [header(t + 301), body],
      [undefined, body],
      ['t=abc,v1=00', body],
      [`v1=${'0'.repeat(64)}`, body],
    ];
    for (const [h, b] of cases) {
      await expect(verifyWebhookSignature({ secret, header: h, body: b, now: () => now }), h).rejects.toMatchObject({
        code: 'FW_ERR_UNAUTHORIZED',
      });
    }
    await expect(
      verifyWebhookSignature({ secret, header: header(t - 301), body, now: () => now, toleranceSeconds: 600 }),
    ).resolves.toMatchObject({ id: 'evt_1' });
  });

  it('rejects a genuinely signed body that is not a Frameway event', async () => {
    const t = now / 1000;
    await expect(
      verifyWebhookSignature({ secret, header: header(t, '{"hello":1}'), body: '{"hello":1}', now: () => now }),
    ).rejects.toMatchObject({ code: 'FW_ERR_INVALID_PAYLOAD' });
  });
});
