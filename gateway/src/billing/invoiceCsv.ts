import type { Invoice } from '@frameway/protocol/rest';

const COLUMNS = [
  'invoice_id',
  'session_id',
  'title_id',
  'player_id',
  'started_at',
  'ended_at',
  'billable_seconds',
  'blocks',
  'unit_price',
  'utilisation_percent',
  'amount',
  'failed_minutes',
  'credit',
  'net',
  'currency',
] as const;

/** An invoice as RFC 4180 CSV: a header, then one line per session; amounts in minor units. */
export function invoiceCsv(invoice: Invoice): string {
  const rows = invoice.lines.map((line) => [
    invoice.id,
    line.sessionId,
    line.titleId,
    line.playerId,
    line.startedAt ?? '',
    line.endedAt,
    line.billableSeconds,
    line.blocks,
    line.unitPrice,
    line.utilisationPercent ?? '',
    line.amount,
    line.failedMinutes,
    line.credit,
    line.net,
    invoice.currency,
  ]);
  return `${[COLUMNS, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
