import { FramewayError } from '@frameway/protocol';
import { type RestRoute, restRoutes, validateRest } from '@frameway/protocol/rest';
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyPluginCallback,
  type FastifyRequest,
} from 'fastify';
import type * as v from 'valibot';
import { useJsonBodies } from '../http/createRestHost.js';
import { toApiError } from '../http/toApiError.js';
import { createLogger } from '../logging/logger.js';
import type { ApiKeys } from '../studio/ApiKeys.js';
import { addRestRoute } from './addRestRoute.js';
import { buildOpenApiDocument, type OpenApiInfo } from './buildOpenApiDocument.js';
import type { DocumentedRoute } from './fastifyTypes.js';
import { IdempotencyStore } from './IdempotencyStore.js';
import { isLoopbackAddress } from './isLoopbackAddress.js';
import type { RateLimiter } from './RateLimiter.js';
import { renderReferencePage } from './renderReferencePage.js';
import { toOpenApiPath } from './restPaths.js';

const log = createLogger('api');

/** A Fastify plugin (async or callback style) that adds routes to the API. */
export type ApiPlugin = FastifyPluginAsync | FastifyPluginCallback;

export interface ApiAppOptions {
  keys: ApiKeys;
  rateLimiter: RateLimiter;
  idempotency: IdempotencyStore;
  /** Registers the API's own routes (addRestRoute for each contract entry). */
  routes: (app: FastifyInstance) => void;
  /**
   * Extra route plugins, registered after the API's own routes with the same
   * auth, validation, errors and OpenAPI generation. A plugin route declares
   * itself with addRestRoute, or with plain Fastify options: valibot schemas
   * in `schema.{params,querystring,body,response}`, `schema.summary`,
   * `schema.tags`, and `config.auth` ('public', 'key' or a scope; default 'key').
   */
  plugins?: readonly ApiPlugin[];
  /** The document's info block; a function is asked on each (cached) build. */
  info: () => OpenApiInfo;
  /** Check every JSON response against its schema (tests): a mismatch is a 500. */
  checkResponses?: boolean;
  bodyLimitBytes?: number;
}

export interface ApiApp {
  readonly app: FastifyInstance;
  /** Every route registered, as documented (complete once the app is ready). */
  readonly routes: readonly DocumentedRoute[];
  openApiDocument(): Record<string, unknown>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The studio REST API as a Fastify app, not listening: the gateway serves it
 * through `SocketServer.mount('/v1', fastifyBridge(app))`.
 */
export function createApiApp(options: ApiAppOptions): ApiApp {
  const app = Fastify({
    logger: false,
    exposeHeadRoutes: false,
    bodyLimit: options.bodyLimitBytes ?? 256 * 1024,
    return503OnClosing: true,
  });
  const routes: DocumentedRoute[] = [];
  let document: Record<string, unknown> | undefined;
  const openApiDocument = (): Record<string, unknown> => {
    document ??= buildOpenApiDocument(routes, options.info());
    return document;
  };

  app.decorateRequest('auth', null);
  app.decorateRequest('idempotencyKey', null);
  app.decorateRequest('receivedBody', undefined);

  app.addHook('onRoute', (route) => {
    const rest = route.config?.rest ?? describePluginRoute(route);
    route.config = { ...route.config, rest };
    routes.push(rest);
    document = undefined;
  });

  app.setValidatorCompiler(({ schema, httpPart }) => (data: unknown) => {
    const input = httpPart === 'body' && data === null ? undefined : data;
    const result = validateRest(schema as v.GenericSchema, input);
    if (result.ok) return { value: result.value };
    const error = Object.assign(new Error(result.issues[0]?.message ?? 'invalid input'), { issues: result.issues });
    return { error };
  });
  app.setSerializerCompiler(({ schema, url, httpStatus }) => {
    if (!options.checkResponses) return (data: unknown) => JSON.stringify(data);
    return (data: unknown) => {
      const result = validateRest(schema as v.GenericSchema, data);
      if (!result.ok) {
        throw new FramewayError('FW_ERR_INTERNAL', `response of ${url} (${httpStatus}) breaks its schema`, {
          issues: result.issues,
        });
      }
      return JSON.stringify(data);
    };
  });

  useJsonBodies(app, 'application/json');

  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const rest = request.routeOptions.config?.rest;
    if (!rest) return; // not found: the 404 handler answers
    if (rest.auth === 'public') {
      rateLimit(`ip:${request.ip}`);
      return;
    }
    const auth = options.keys.authenticate(bearerToken(request));
    if (auth.localOnly && !isLoopbackAddress(request.ip)) {
      throw new FramewayError('FW_ERR_FORBIDDEN', 'the demo key works from this machine only');
    }
    const limit = rateLimit(`key:${auth.keyId}`);
    reply.header('ratelimit-limit', String(options.rateLimiter.limit));
    reply.header('ratelimit-remaining', String(limit));
    if (rest.auth !== 'key' && !auth.scopes.has(rest.auth)) {
      throw new FramewayError('FW_ERR_INSUFFICIENT_SCOPE', `this route needs the ${rest.auth} scope`, {
        required: rest.auth,
      });
    }
    request.auth = auth;
  });

  app.addHook('preValidation', async (request) => {
    request.receivedBody = request.body;
  });

  app.addHook('preHandler', async (request, reply) => {
    const rest = request.routeOptions.config?.rest;
    const key = request.headers['idempotency-key'];
    if (!rest?.idempotent || key === undefined || !request.auth) return;
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
      throw new FramewayError('FW_ERR_INVALID_REQUEST', 'Idempotency-Key must be 1-255 printable ASCII characters', {
        part: 'headers',
      });
    }
    const fingerprint = IdempotencyStore.fingerprint(request.method, request.url.split('?')[0]!, request.receivedBody);
    const claim = options.idempotency.claim(request.auth.studioId, key, fingerprint);
    if (claim.kind === 'replay') {
      return reply.code(claim.status).header('idempotent-replayed', 'true').type(JSON_TYPE).send(claim.body);
    }
    request.idempotencyKey = key;
    return undefined;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const key = request.idempotencyKey;
    if (key === null || !request.auth) return payload;
    request.idempotencyKey = null;
    if (reply.statusCode >= 500 || typeof payload !== 'string') options.idempotency.release(request.auth.studioId, key);
    else options.idempotency.complete(request.auth.studioId, key, reply.statusCode, payload);
    return payload;
  });

  app.setErrorHandler((error, request, reply) => {
    const fwError = toApiError(error);
    if (fwError.code === 'FW_ERR_INTERNAL') {
      log.error({ err: error, method: request.method, url: request.url }, 'studio API request failed');
    } else {
      log.debug({ code: fwError.code, method: request.method, url: request.url }, 'studio API request refused');
    }
    const retryAfter = fwError.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    return reply.code(fwError.status).type(JSON_TYPE).send(JSON.stringify(fwError.toJSON()));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new FramewayError('FW_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(404).type(JSON_TYPE).send(JSON.stringify(error.toJSON()));
  });

  addRestRoute(app, 'getOpenApi', restRoutes.getOpenApi, () => openApiDocument());
  addRestRoute(app, 'getReference', restRoutes.getReference, () => ({
    raw: { contentType: 'text/html; charset=utf-8', body: renderReferencePage(openApiDocument()) },
  }));
  options.routes(app);
  for (const plugin of options.plugins ?? []) app.register(plugin);

  function rateLimit(bucket: string): number {
    const result = options.rateLimiter.take(bucket);
    if (!result.ok) {
      throw new FramewayError('FW_ERR_RATE_LIMITED', 'too many requests for this key; slow down', {
        retryAfterSeconds: Math.max(1, Math.ceil(result.retryAfterMs / 1000)),
      });
    }
    return result.remaining;
  }

  return {
    app,
    routes,
    openApiDocument,
  };
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw new FramewayError('FW_ERR_UNAUTHORIZED', 'send the API key as Authorization: Bearer <key>');
  const match = /^Bearer +(\S+)$/i.exec(header);
  if (!match) throw new FramewayError('FW_ERR_UNAUTHORIZED', 'the Authorization header is not Bearer <key>');
  return match[1]!;
}

/** A route a plugin added with plain Fastify options: documented from its schemas and config. */
function describePluginRoute(route: {
  method: string | string[];
  url: string;
  schema?: unknown;
  config?: { auth?: RestRoute['auth']; errors?: RestRoute['errors']; operationId?: string } | undefined;
}): DocumentedRoute {
  const schema = (route.schema ?? {}) as {
    params?: v.GenericSchema;
    querystring?: v.GenericSchema;
    body?: v.GenericSchema;
    response?: Record<string, v.GenericSchema>;
    summary?: string;
    description?: string;
    tags?: string[];
  };
  const method = (Array.isArray(route.method) ? route.method[0] : route.method) as RestRoute['method'];
  const [status, response] =
    Object.entries(schema.response ?? {}).find(([code]) => code.startsWith('2')) ?? (['200', undefined] as const);
  const path = toOpenApiPath(route.url);
  return {
    operationId:
      route.config?.operationId ??
      `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    method,
    path,
    summary: schema.summary ?? `${method} ${path}`,
    ...(schema.description ? { description: schema.description } : {}),
    tag: schema.tags?.[0] ?? 'other',
    auth: route.config?.auth ?? 'key',
    ...(schema.params ? { params: schema.params } : {}),
    ...(schema.querystring ? { query: schema.querystring } : {}),
    ...(schema.body ? { body: schema.body } : {}),
    status: Number(status) === 201 ? 201 : 200,
    response: response ?? null,
    errors: route.config?.errors ?? [],
  };
}
