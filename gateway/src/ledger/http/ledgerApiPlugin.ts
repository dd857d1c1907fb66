import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { QosLedger } from '../QosLedger.js';
import { qosRoutes } from './qosRoutes.js';

/**
 * The QoS route as a studio API plugin: valibot schemas for the API's
 * validator and OpenAPI document, and a session visible only to the studio
 * whose API key made it.
 */
export function ledgerApiPlugin(
  ledger: QosLedger,
  owns: (studioId: string, sessionId: string) => boolean,
): (app: FastifyInstance) => Promise<void> {
  const studioOf = (request: FastifyRequest): string | undefined =>
    (request as FastifyRequest & { auth?: { studioId?: string } | null }).auth?.studioId;
  return (app) =>
    qosRoutes(app, {
      ledger,
      valibotSchemas: true,
      canRead: (request, sessionId) => {
        const studioId = studioOf(request);
        return studioId !== undefined && owns(studioId, sessionId);
      },
    });
}
