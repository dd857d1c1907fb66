import { FramewayError } from '@frameway/protocol';
import { validateRest } from '@frameway/protocol/rest';
import Fastify, { type FastifyInstance } from 'fastify';
import type * as v from 'valibot';
import { createLogger } from '../logging/logger.js';

const JSON_TYPE = 'application/json; charset=utf-8';

export interface RestHostOptions {
  /** Logger name of the host's refused and failed requests. */
  name: string;
  /** Maps what a route throws (ours, Fastify's, validation failures) to the error the client gets. */
  toError: (error: unknown) => FramewayError;
  bodyLimitBytes?: number;
  /**
   * Read every body as JSON whatever its content type: operators' tools
   * (`curl -d`) send form types. Off, only application/json is accepted (415).
   */
  anyContentType?: boolean;
}

/**
 * A Fastify app, not listening, that serves routes of protocol's route
 * tables (addRestRoute): valibot validation, JSON bodies, typed JSON errors
 * and a JSON 404 FW_ERR_NOT_FOUND. The gateway serves it through
 * `SocketServer.mount(prefix, fastifyBridge(app))`.
 */
export function createRestHost(options: RestHostOptions): FastifyInstance {
  const log = createLogger('http', { host: options.name });
  const app = Fastify({
    logger: false,
    exposeHeadRoutes: false,
    bodyLimit: options.bodyLimitBytes ?? 64 * 1024,
    return503OnClosing: true,
  });
  // Answers are live state (health, fleet, sessions): never from a cache.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  app.setValidatorCompiler(({ schema, httpPart }) => (data: unknown) => {
    const input = httpPart === 'body' && data === null ? undefined : data;
    const result = validateRest(schema as v.GenericSchema, input);
    if (result.ok) return { value: result.value };
    return { error: Object.assign(new Error(result.issues[0]?.message ?? 'invalid input'), { issues: result.issues }) };
  });
  app.setSerializerCompiler(() => (data: unknown) => JSON.stringify(data));
  useJsonBodies(app, options.anyContentType ? '*' : 'application/json');
  app.setErrorHandler((error, request, reply) => {
    const fwError = options.toError(error);
    if (fwError.code === 'FW_ERR_INTERNAL') log.error({ err: error, url: request.url }, 'request failed');
    else log.debug({ code: fwError.code, url: request.url }, 'request refused');
    return reply.code(fwError.status).type(JSON_TYPE).send(JSON.stringify(fwError.toJSON()));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new FramewayError('FW_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(404).type(JSON_TYPE).send(JSON.stringify(error.toJSON()));
  });
  return app;
}

/**
 * Bodies as JSON only (of `contentType`; `'*'` reads any type as JSON, for
 * `curl -d`): an empty body is no body (DELETE, optional bodies), anything
 * else that does not parse is Fastify's invalid-JSON error.
 */
export function useJsonBodies(app: FastifyInstance, contentType: string): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(contentType, { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(
        Object.assign(new Error('the body is not valid JSON'), {
          code: 'FST_ERR_CTP_INVALID_JSON_BODY',
          statusCode: 400,
        }),
      );
    }
  });
}
