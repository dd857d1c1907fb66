import { FramewayError } from '@frameway/protocol';
import { restRoutes } from '@frameway/protocol/rest';
import type { FastifyInstance } from 'fastify';
import { addRestRoute } from './addRestRoute.js';

export interface DemoSessionRoutesOptions {
  /** Whether the gateway runs in demo mode; off, the route answers 403. */
  enabled: () => boolean;
  /** Creates a session with the gateway defaults and mints its player token. */
  create: () => { sessionId: string; token: string };
  /** The player socket URL as a caller that sent this Host header reaches the gateway. */
  signalingUrl: (host: string | undefined) => string;
}

/**
 * `POST /v1/demo/session` (route table: `createDemoSession`) as a plugin of
 * the gateway's API app. Always registered, so a gateway out of demo mode
 * answers a typed 403 rather than a 404 that looks like a wrong URL.
 */
export function demoSessionRoutes(options: DemoSessionRoutesOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    addRestRoute(app, 'createDemoSession', restRoutes.createDemoSession, ({ request }) => {
      if (!options.enabled()) throw new FramewayError('FW_ERR_FORBIDDEN', 'demo mode is off');
      const { sessionId, token } = options.create();
      return { sessionId, token, signalingUrl: options.signalingUrl(request.headers.host) };
    });
  };
}
