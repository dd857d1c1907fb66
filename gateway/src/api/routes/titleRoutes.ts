import { restRoutes } from '@frameway/protocol/rest';
import type { FastifyInstance } from 'fastify';
import { Titles } from '../../studio/Titles.js';
import type { ApiServices } from '../ApiServices.js';
import { addRestRoute } from '../addRestRoute.js';
import { DEFAULT_PAGE_SIZE } from './pageSize.js';

export function registerTitleRoutes(app: FastifyInstance, services: ApiServices): void {
  const { titles } = services;

  addRestRoute(app, 'createTitle', restRoutes.createTitle, ({ auth, body }) =>
    Titles.view(titles.create(auth.studioId, body)),
  );

  addRestRoute(app, 'listTitles', restRoutes.listTitles, ({ auth, query }) => {
    const page = titles.list(auth.studioId, { cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_SIZE });
    return { items: page.items.map(Titles.view), nextCursor: page.nextCursor };
  });

  addRestRoute(app, 'getTitle', restRoutes.getTitle, ({ auth, params }) =>
    Titles.view(titles.get(auth.studioId, params.titleId)),
  );

  addRestRoute(app, 'archiveTitle', restRoutes.archiveTitle, ({ auth, params }) =>
    Titles.view(titles.archive(auth.studioId, params.titleId)),
  );
}
