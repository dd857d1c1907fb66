import { describe, expect, it } from 'vitest';
import { invoiceCsv } from './invoiceCsv.js';

describe('invoiceCsv', () => {
  it('writes a header and one RFC 4180 line per session, quoting fields that need it', () => {
    const csv = invoiceCsv({
      id: 'inv_1',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
      createdAt: '2026-02-01T00:00:00.000Z',
      currency: 'EUR',
      blockMinutes: 15,
      subtotal: 300,
      credits: 30,
      total: 270,
      lines: [
        {
          sessionId: 'ses_1',
          titleId: 'tt_1',
          playerId: 'player,"x"',
          startedAt: null,
          endedAt: '2026-01-02T00:20:00.000Z',
          billableSeconds: 1200,
          blocks: 2,
          unitPrice: 150,
          utilisationPercent: 25,
          amount: 300,
          failedMinutes: 3,
          credit: 30,
          net: 270,
        },
      ],
    });
    expect(csv.split('\r\n')).toEqual([
      'invoice_id,session_id,title_id,player_id,started_at,ended_at,billable_seconds,blocks,unit_price,utilisation_percent,amount,failed_minutes,credit,net,currency',
      'inv_1,ses_1,tt_1,"player,""x""",,2026-01-02T00:20:00.000Z,1200,2,150,25,300,3,30,270,EUR',
      '',
    ]);
  });
});
