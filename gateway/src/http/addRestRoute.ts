import type { OperatorRoute, RestRoute } from '@frameway/protocol/rest';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type * as v from 'valibot';
import { toFastifyPath } from './restPaths.js';

/** The studio key's caller, as the studio API's auth hook sets it on the request. */
type StudioCaller = NonNullable<FastifyRequest['auth']>;

/** A route of one of protocol's tables: the studio API's or the operator's. */
export type TableRoute = RestRoute | OperatorRoute;

type Parsed<R extends TableRoute, K extends 'params' | 'query' | 'body'> = R[K] extends v.GenericSchema
  ? v.InferOutput<R[K]>
  : undefined;

/** What a REST handler receives: validated input and the caller. */
export interface RestCall<R extends TableRoute> {
  params: Parsed<R, 'params'>;
  query: Parsed<R, 'query'>;
  body: Parsed<R, 'body'>;
  /** The studio key's caller; null on public routes and on admin routes (the host checks the admin token). */
  auth: R['auth'] extends 'public' | 'admin' ? null : StudioCaller;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A non-JSON answer (CSV, HTML). */
export interface RawReply {
  raw: { contentType: string; body: string };
}

export type RestResult<R extends TableRoute> =
  | (R['response'] extends v.GenericSchema ? v.InferInput<R['response']> : never)
  | RawReply;

export type RestRouteHandler<R extends TableRoute> = (call: RestCall<R>) => RestResult<R> | Promise<RestResult<R>>;

/**
 * Registers one route from its contract entry: path, validation schemas,
 * auth and OpenAPI metadata all come from `route`; the handler returns the
 * body (sent with `route.status`) or a RawReply. Plugins add their routes
 * the same way, and they appear in /v1/openapi.json.
 * @example addRestRoute(app, 'getSessionQos', restRoutes.getSessionQos, ({ params }) => qosOf(params.sessionId))
 */
export function addRestRoute<const R extends TableRoute>(
  app: FastifyInstance,
  operationId: string,
  route: R,
  handler: RestRouteHandler<R>,
): void {
  // The entry travels with the route for the studio API's auth hook and document; an admin route's host guards it.
  const config = isStudioShaped(route) ? { rest: { ...route, operationId } } : {};
  app.route({
    method: route.method,
    url: toFastifyPath(route.path),
    schema: {
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { querystring: route.query } : {}),
      ...(route.body ? { body: route.body } : {}),
      ...(route.response ? { response: { [route.status]: route.response } } : {}),
    },
    config,
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

/** Every route but the admin-token ones has the studio route's shape (public or keyed). */
function isStudioShaped(route: TableRoute): route is RestRoute {
  return route.auth !== 'admin';
}

function isRawReply(value: unknown): value is RawReply {
  return typeof value === 'object' && value !== null && 'raw' in value && Object.keys(value).length === 1;
}
