import { restRoutes, WebhookEventType } from '@frameway/protocol/rest';
import type { FastifyInstance } from 'fastify';
import { Billing } from '../../billing/Billing.js';
import { invoiceCsv } from '../../billing/invoiceCsv.js';
import type { ApiServices } from '../ApiServices.js';
import { addRestRoute } from '../addRestRoute.js';
import { DEFAULT_PAGE_SIZE } from './pageSize.js';

export function registerBillingRoutes(app: FastifyInstance, services: ApiServices): void {
  const { billing } = services;

  addRestRoute(app, 'getUsage', restRoutes.getUsage, ({ auth, query }) =>
    billing.usage(auth.studioId, Date.parse(query.from), Date.parse(query.to)),
  );

  addRestRoute(app, 'createInvoice', restRoutes.createInvoice, ({ auth, body }) => {
    const invoice = billing.createInvoice(auth.studioId, Date.parse(body.from), Date.parse(body.to));
    services.publish(auth.studioId, WebhookEventType.InvoiceReady, { invoice: Billing.summary(invoice) });
    return invoice;
  });

  addRestRoute(app, 'listInvoices', restRoutes.listInvoices, ({ auth, query }) =>
    billing.listInvoices(auth.studioId, { cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_SIZE }),
  );

  addRestRoute(app, 'getInvoice', restRoutes.getInvoice, ({ auth, params, query }) => {
    const invoice = billing.getInvoice(auth.studioId, params.invoiceId);
    if (query.format === 'csv') return { raw: { contentType: 'text/csv; charset=utf-8', body: invoiceCsv(invoice) } };
    return invoice;
  });
}
