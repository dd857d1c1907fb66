import { restRoutes } from '@frameway/protocol/rest';
import type { FastifyInstance } from 'fastify';
import { WebhookEndpoints } from '../../webhooks/WebhookEndpoints.js';
import type { ApiServices } from '../ApiServices.js';
import { addRestRoute } from '../addRestRoute.js';
import { DEFAULT_PAGE_SIZE } from './pageSize.js';

export function registerWebhookRoutes(app: FastifyInstance, services: ApiServices): void {
  const { endpoints, dispatcher } = services;

  addRestRoute(app, 'createWebhook', restRoutes.createWebhook, ({ auth, body }) => {
    const record = endpoints.create(auth.studioId, body);
    return { webhook: WebhookEndpoints.view(record), secret: record.secret };
  });

  addRestRoute(app, 'listWebhooks', restRoutes.listWebhooks, ({ auth }) => ({
    items: endpoints.list(auth.studioId).map(WebhookEndpoints.view),
  }));

  addRestRoute(app, 'deleteWebhook', restRoutes.deleteWebhook, ({ auth, params }) => {
    const record = endpoints.delete(auth.studioId, params.webhookId);
    dispatcher.cancelFor(record.id);
    return WebhookEndpoints.view(record);
  });

  addRestRoute(app, 'listWebhookDeliveries', restRoutes.listWebhookDeliveries, ({ auth, params, query }) => {
    const endpoint = endpoints.get(auth.studioId, params.webhookId);
    return dispatcher.deliveries(
      endpoint.id,
      { status: query.status },
      { cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_SIZE },
    );
  });
}
