import type { FastifyInstance } from 'fastify';
import type { QosLedger } from '../../ledger/QosLedger.js';
import { qosRoutes } from './qosRoutes.js';

/**
 * The QoS route as a studio API plugin: a session is visible only to the
 * studio whose API key asks for it.
 */
export function ledgerApiPlugin(
  ledger: QosLedger,
  owns: (studioId: string, sessionId: string) => boolean,
): (app: FastifyInstance) => Promise<void> {
  return (app) =>
    qosRoutes(app, {
      ledger,
      canRead: (request, sessionId) => {
        const studioId = request.auth?.studioId;
        return studioId !== undefined && owns(studioId, sessionId);
      },
    });
}
