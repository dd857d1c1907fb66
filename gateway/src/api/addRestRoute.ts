import type { RestRoute } from '@frameway/protocol/rest';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type * as v from 'valibot';
import type { AuthContext } from '../studio/ApiKeys.js';
import type { DocumentedRoute } from './fastifyTypes.js';
import { toFastifyPath } from './restPaths.js';

type Parsed<R extends RestRoute, K extends 'params' | 'query' | 'body'> = R[K] extends v.GenericSchema
  ? v.InferOutput<R[K]>
  : undefined;

/** What a REST handler receives: validated input and the caller. */
export interface RestCall<R extends RestRoute> {
  params: Parsed<R, 'params'>;
  query: Parsed<R, 'query'>;
  body: Parsed<R, 'body'>;
  /** The caller; null only on public routes. */
  auth: R['auth'] extends 'public' ? null : AuthContext;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A non-JSON answer (CSV, HTML). */
export interface RawReply {
  raw: { contentType: string; body: string };
}

export type RestResult<R extends RestRoute> =
  | (R['response'] extends v.GenericSchema ? v.InferInput<R['response']> : never)
  | RawReply;

export type RestRouteHandler<R extends RestRoute> = (call: RestCall<R>) => RestResult<R> | Promise<RestResult<R>>;

/**
 * Registers one route from its contract entry: path, validation schemas,
 * auth and OpenAPI metadata all come from `route`; the handler returns the
 * body (sent with `route.status`) or a RawReply. Plugins add their routes
 * the same way, and they appear in /v1/openapi.json.
 * @example addRestRoute(app, 'getSessionQos', { method: 'GET', path: '/v1/sessions/{sessionId}/qos', … }, handler)
 */
export function addRestRoute<const R extends RestRoute>(
  app: FastifyInstance,
  operationId: string,
  route: R,
  handler: RestRouteHandler<R>,
): void {
  const documented: DocumentedRoute = { ...route, operationId };
  app.route({
    method: route.method,
    url: toFastifyPath(route.path),
    schema: {
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { querystring: route.query } : {}),
      ...(route.body ? { body: route.body } : {}),
      ...(route.response ? { response: { [route.status]: route.response } } : {}),
    },
    config: { rest: documented },
    handler: async (request, reply) => {
      const result = await handler({
        params: request.params as Parsed<R, 'params'>,
        query: request.query as Parsed<R, 'query'>,
        body: request.body as Parsed<R, 'body'>,
        auth: request.auth as RestCall<R>['auth'],
        request,
        reply,
      });
      if (isRawReply(result)) return reply.code(route.status).type(result.raw.contentType).send(result.raw.body);
      return reply.code(route.status).send(result);
    },
  });
}

function isRawReply(value: unknown): value is RawReply {
  return typeof value === 'object' && value !== null && 'raw' in value && Object.keys(value).length === 1;
}
