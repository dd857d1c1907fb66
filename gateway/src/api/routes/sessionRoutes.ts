import { restRoutes } from '@frameway/protocol/rest';
import type { FastifyInstance } from 'fastify';
import type { ApiServices } from '../ApiServices.js';
import { addRestRoute } from '../addRestRoute.js';
import { DEFAULT_PAGE_SIZE } from './pageSize.js';

export function registerSessionRoutes(app: FastifyInstance, services: ApiServices): void {
  const { sessions } = services;

  addRestRoute(app, 'createSession', restRoutes.createSession, ({ auth, body }) =>
    sessions.create(auth.studioId, body),
  );

  addRestRoute(app, 'listSessions', restRoutes.listSessions, ({ auth, query }) =>
    sessions.list(
      auth.studioId,
      {
        state: query.state,
        titleId: query.titleId,
        playerId: query.playerId,
        createdAfter: query.createdAfter === undefined ? undefined : Date.parse(query.createdAfter),
        createdBefore: query.createdBefore === undefined ? undefined : Date.parse(query.createdBefore),
      },
      { cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_SIZE },
    ),
  );

  addRestRoute(app, 'getSession', restRoutes.getSession, ({ auth, params }) =>
    sessions.detail(auth.studioId, params.sessionId),
  );

  addRestRoute(app, 'terminateSession', restRoutes.terminateSession, ({ auth, params }) =>
    sessions.terminate(auth.studioId, params.sessionId),
  );
}
