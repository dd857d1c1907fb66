import * as v from 'valibot';
import { Currency, MinorUnits, NonNegativeInt, PageQuery, PlayerId, ResourceId, Timestamp } from './common.js';

/** A period [from, to): sessions that ended inside it are counted. */
export const PeriodQuery = v.strictObject({ from: Timestamp, to: Timestamp });

export const UsageByTitle = v.object({
  titleId: ResourceId,
  sessions: NonNegativeInt,
  blocks: NonNegativeInt,
  failedMinutes: NonNegativeInt,
  subtotal: MinorUnits,
  credits: MinorUnits,
  total: MinorUnits,
});

export const UsageReport = v.object({
  from: Timestamp,
  to: Timestamp,
  currency: v.string(),
  blockMinutes: v.number(),
  /** Sessions that ended in the period. */
  sessions: NonNegativeInt,
  /** Sessions still running now (not billed until they end). */
  activeSessions: NonNegativeInt,
  billableSeconds: NonNegativeInt,
  blocks: NonNegativeInt,
  failedMinutes: NonNegativeInt,
  subtotal: MinorUnits,
  credits: MinorUnits,
  total: MinorUnits,
  byTitle: v.array(UsageByTitle),
});

export const InvoiceLine = v.object({
  sessionId: ResourceId,
  titleId: ResourceId,
  playerId: PlayerId,
  startedAt: v.nullable(Timestamp),
  endedAt: Timestamp,
  billableSeconds: NonNegativeInt,
  blocks: NonNegativeInt,
  unitPrice: MinorUnits,
  utilisationPercent: v.nullable(v.number()),
  amount: MinorUnits,
  failedMinutes: NonNegativeInt,
  credit: MinorUnits,
  net: MinorUnits,
});

const invoiceFields = {
  id: ResourceId,
  from: Timestamp,
  to: Timestamp,
  createdAt: Timestamp,
  currency: Currency,
  blockMinutes: v.number(),
  subtotal: MinorUnits,
  credits: MinorUnits,
  total: MinorUnits,
};

export const InvoiceSummary = v.object({ ...invoiceFields, lineCount: NonNegativeInt });

export const Invoice = v.object({ ...invoiceFields, lines: v.array(InvoiceLine) });

/** Invoices every session that ended in [from, to) and is not on an earlier invoice. */
export const CreateInvoiceRequest = v.strictObject({ from: Timestamp, to: Timestamp });

export const InvoiceIdParams = v.strictObject({ invoiceId: ResourceId });

export const GetInvoiceQuery = v.strictObject({
  format: v.optional(v.picklist(['json', 'csv']), 'json'),
});

export const ListInvoicesQuery = PageQuery;

export type UsageReport = v.InferOutput<typeof UsageReport>;
export type Invoice = v.InferOutput<typeof Invoice>;
export type InvoiceLine = v.InferOutput<typeof InvoiceLine>;
export type InvoiceSummary = v.InferOutput<typeof InvoiceSummary>;
