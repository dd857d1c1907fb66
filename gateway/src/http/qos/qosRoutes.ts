import { FramewayError } from '@frameway/protocol';
import { MINUTE_RECORD_LEAF_TYPES } from '@frameway/protocol/qos';
import { type RestResponse, restRoutes } from '@frameway/protocol/rest';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { QosSessionView } from '../../ledger/QosLedger.js';
import { addRestRoute } from '../addRestRoute.js';

/** What the route reads: the ledger (QosLedger implements it). */
export interface QosRecordSource {
  sessionView(sessionId: string): QosSessionView | undefined;
}

export interface QosRoutesOptions {
  ledger: QosRecordSource;
  /**
   * Whether the caller may read this session (e.g. the API key's studio owns
   * it). False answers 404, so other studios' session ids do not leak. Default: yes.
   */
  canRead?: (request: FastifyRequest, sessionId: string) => boolean | Promise<boolean>;
}

/** Session ids the ledger can hold; anything else is answered like an unknown session. */
const SESSION_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * `GET /v1/sessions/{sessionId}/qos` (route table: `getSessionQos`): every
 * minute record of a session with both signed reports, its Merkle leaf and
 * its inclusion proof against the batch root anchored on chain, so anyone
 * can check a minute without trusting the gateway. A Fastify plugin for the
 * studio API app (or any host with the REST validator compilers).
 *
 * @example app.register(qosRoutes, { ledger, canRead: (req, id) => ownsSession(req, id) })
 */
export async function qosRoutes(app: FastifyInstance, options: QosRoutesOptions): Promise<void> {
  addRestRoute(app, 'getSessionQos', restRoutes.getSessionQos, async ({ params, request }) => {
    const { sessionId } = params;
    if (!SESSION_ID.test(sessionId)) {
      throw new FramewayError('FW_ERR_SESSION_NOT_FOUND', 'a session id has 1-64 characters [A-Za-z0-9._:-]');
    }
    const allowed = options.canRead ? await options.canRead(request, sessionId) : true;
    const view = allowed ? options.ledger.sessionView(sessionId) : undefined;
    if (!view) throw new FramewayError('FW_ERR_SESSION_NOT_FOUND', `no QoS records for session ${sessionId}`);
    const body: RestResponse<'getSessionQos'> = {
      ...view,
      records: view.records.map((record) => ({ ...record, leaf: { ...record.leaf, values: [...record.leaf.values] } })),
      leafEncoding: [...MINUTE_RECORD_LEAF_TYPES],
    };
    return body;
  });
}
