import { FramewayError } from '@frameway/protocol';
import type { Invoice, InvoiceLine, InvoiceSummary, UsageReport } from '@frameway/protocol/rest';
import type { QosVerdictSource } from '../ledger/QosVerdicts.js';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { decodeCursor, pageRows } from '../studio/pageCursor.js';
import type { SessionPricing } from '../studio/SessionPricing.js';
import type { SessionRecord, SessionRecords } from '../studio/SessionRecords.js';
import { isoTime, type StudioContext } from '../studio/StudioContext.js';
import type { BillingConfig } from './billingConfig.js';
import { billSession, type SessionBill } from './billSession.js';
import { measureUtilisation } from './measureUtilisation.js';
import { priceForUtilisation } from './priceForUtilisation.js';

export interface BillingOptions {
  context: StudioContext;
  sessions: SessionRecords;
  config: BillingConfig;
  /** Minute verdicts of the QoS ledger; without one, no SLA credits are given. */
  verdicts: () => QosVerdictSource | undefined;
}

interface InvoiceRow {
  id: string;
  created_at: number;
  document: string;
}

/**
 * Session-based billing: prices per block from utilisation, charges and SLA
 * credits per session, usage reports and invoices (stored as issued).
 */
export class Billing implements SessionPricing {
  readonly #options: BillingOptions;

  constructor(options: BillingOptions) {
    this.#options = options;
  }

  get config(): BillingConfig {
    return this.#options.config;
  }

  get terms(): SessionPricing['terms'] {
    return { currency: this.#options.config.currency, blockMinutes: this.#options.config.blockMinutes };
  }

  /** The block price at a utilisation (basis points); see priceForUtilisation for the formula. */
  priceAt(utilisationBp: number): number {
    return priceForUtilisation(utilisationBp, this.#options.config);
  }

  /** Prices a session at placement from the utilisation of its node or of the fleet (`utilisationBasis`). */
  priceAtPlacement(
    nodes: readonly Readonly<NodeRecord>[],
    nodeId: string,
  ): { utilisationBp: number; pricePerBlock: number } {
    const utilisationBp = measureUtilisation(nodes, this.#options.config.utilisationBasis, nodeId);
    return { utilisationBp, pricePerBlock: this.priceAt(utilisationBp) };
  }

  /** What a session costs so far (running sessions are billed up to `asOf`). */
  bill(record: SessionRecord, asOf = this.#options.context.now()): SessionBill {
    return billSession({
      startedAt: record.startedAt,
      endedAt: record.endedAt ?? asOf,
      pricePerBlock: record.pricePerBlock ?? 0,
      blockMinutes: record.blockMinutes,
      slaCreditPercent: this.#options.config.slaCreditPercent,
      verdicts: this.#options.verdicts()?.verdictsFor(record.id) ?? [],
    });
  }

  usage(studioId: string, from: number, to: number): UsageReport {
    checkPeriod(from, to);
    const lines = this.#options.sessions.endedBetween(studioId, from, to).map((record) => this.#line(record));
    const byTitle = new Map<string, UsageReport['byTitle'][number]>();
    for (const line of lines) {
      const entry = byTitle.get(line.titleId) ?? {
        titleId: line.titleId,
        sessions: 0,
        blocks: 0,
        failedMinutes: 0,
        subtotal: 0,
        credits: 0,
        total: 0,
      };
      entry.sessions += 1;
      entry.blocks += line.blocks;
      entry.failedMinutes += line.failedMinutes;
      entry.subtotal += line.amount;
      entry.credits += line.credit;
      entry.total += line.net;
      byTitle.set(line.titleId, entry);
    }
    const totals = sumLines(lines);
    return {
      from: isoTime(from),
      to: isoTime(to),
      currency: this.#options.config.currency,
      blockMinutes: this.#options.config.blockMinutes,
      sessions: lines.length,
      activeSessions: this.#options.sessions.activeCount(studioId),
      billableSeconds: lines.reduce((sum, line) => sum + line.billableSeconds, 0),
      blocks: lines.reduce((sum, line) => sum + line.blocks, 0),
      failedMinutes: lines.reduce((sum, line) => sum + line.failedMinutes, 0),
      ...totals,
      byTitle: [...byTitle.values()],
    };
  }

  /** Invoices every session that ended in [from, to) and is on no earlier invoice. */
  createInvoice(studioId: string, from: number, to: number): Invoice {
    checkPeriod(from, to);
    const { context, sessions } = this.#options;
    return context.db.transaction(() => {
      const records = sessions.endedBetween(studioId, from, to, { uninvoicedOnly: true });
      const lines = records.map((record) => this.#line(record));
      const createdAt = context.now();
      const invoice: Invoice = {
        id: context.newId('inv'),
        from: isoTime(from),
        to: isoTime(to),
        createdAt: isoTime(createdAt),
        currency: this.#options.config.currency,
        blockMinutes: this.#options.config.blockMinutes,
        ...sumLines(lines),
        lines,
      };
      context.db
        .prepare(
          'INSERT INTO studio_invoices (id, studio_id, period_from, period_to, created_at, document) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(invoice.id, studioId, from, to, createdAt, JSON.stringify(invoice));
      sessions.markInvoiced(
        records.map((record) => record.id),
        invoice.id,
      );
      return invoice;
    })();
  }

  getInvoice(studioId: string, invoiceId: string): Invoice {
    const row = this.#options.context.db
      .prepare('SELECT document FROM studio_invoices WHERE id = ? AND studio_id = ?')
      .get(invoiceId, studioId) as { document: string } | undefined;
    if (!row) throw new FramewayError('FW_ERR_NOT_FOUND', 'no such invoice', { resource: 'invoice', id: invoiceId });
    return JSON.parse(row.document) as Invoice;
  }

  listInvoices(
    studioId: string,
    page: { cursor?: string | undefined; limit: number },
  ): { items: InvoiceSummary[]; nextCursor: string | null } {
    const db = this.#options.context.db;
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const rows = (
      after
        ? db
            .prepare(
              `SELECT id, created_at, document FROM studio_invoices WHERE studio_id = ? AND (created_at, id) < (?, ?)
               ORDER BY created_at DESC, id DESC LIMIT ?`,
            )
            .all(studioId, after.at, after.id, page.limit + 1)
        : db
            .prepare(
              'SELECT id, created_at, document FROM studio_invoices WHERE studio_id = ? ORDER BY created_at DESC, id DESC LIMIT ?',
            )
            .all(studioId, page.limit + 1)
    ) as InvoiceRow[];
    const { rows: pageOut, nextCursor } = pageRows(rows, page.limit);
    return { items: pageOut.map((row) => Billing.summary(JSON.parse(row.document) as Invoice)), nextCursor };
  }

  static summary(invoice: Invoice): InvoiceSummary {
    const { lines, ...rest } = invoice;
    return { ...rest, lineCount: lines.length };
  }

  #line(record: SessionRecord): InvoiceLine {
    const bill = this.bill(record);
    return {
      sessionId: record.id,
      titleId: record.titleId,
      playerId: record.playerId,
      startedAt: isoTime(record.startedAt),
      endedAt: isoTime(record.endedAt ?? this.#options.context.now()),
      billableSeconds: bill.billableSeconds,
      blocks: bill.blocks,
      unitPrice: record.pricePerBlock ?? 0,
      utilisationPercent: record.utilisationBp === null ? null : record.utilisationBp / 100,
      amount: bill.amount,
      failedMinutes: bill.failedMinutes,
      credit: bill.credit,
      net: bill.net,
    };
  }
}

function sumLines(lines: readonly InvoiceLine[]): { subtotal: number; credits: number; total: number } {
  let subtotal = 0;
  let credits = 0;
  for (const line of lines) {
    subtotal += line.amount;
    credits += line.credit;
  }
  return { subtotal, credits, total: subtotal - credits };
}

function checkPeriod(from: number, to: number): void {
  if (!(from < to)) throw new FramewayError('FW_ERR_INVALID_REQUEST', '`from` must be before `to`', { from, to });
}
