import { FramewayError } from '@frameway/protocol';
import { MINUTE_RECORD_LEAF_TYPES } from '@frameway/protocol/qos';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as v from 'valibot';
import type { QosSessionView } from '../QosLedger.js';

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
  /**
   * Attach valibot schemas to the route for a host whose validator and
   * OpenAPI generator take them (the studio API app). A bare Fastify uses
   * JSON Schema, so this is off by default; the handler validates either way.
   */
  valibotSchemas?: boolean;
}

const Params = v.object({
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'a session id of 1-64 characters [A-Za-z0-9._:-]')),
});

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `GET /v1/sessions/:id/qos`: every minute record of a session with both
 * signed reports, its Merkle leaf and its inclusion proof against the batch
 * root anchored on chain, so anyone can check a minute without trusting the
 * gateway. A Fastify plugin: register it on the studio API (or any Fastify).
 *
 * @example app.register(qosRoutes, { ledger, canRead: (req, id) => ownsSession(req, id) })
 */
export async function qosRoutes(app: FastifyInstance, options: QosRoutesOptions): Promise<void> {
  app.route({
    method: 'GET',
    url: '/v1/sessions/:id/qos',
    ...(options.valibotSchemas
      ? {
          schema: {
            summary: "A session's signed QoS minute records with Merkle inclusion proofs",
            description:
              'Each record carries the agent and client EIP-712 reports it was judged from, its leaf values (ABI types in `leafEncoding`), and a proof against the batch root committed on chain. See docs/qos-ledger.md.',
            tags: ['sessions'],
            params: Params,
          } as never,
        }
      : {}),
    config: { operationId: 'getSessionQos', errors: ['FW_ERR_SESSION_NOT_FOUND'] } as never,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        const params = v.safeParse(Params, request.params);
        if (!params.success) {
          throw new FramewayError('FW_ERR_SESSION_NOT_FOUND', params.issues[0]?.message ?? 'bad session id');
        }
        const sessionId = params.output.id;
        const allowed = options.canRead ? await options.canRead(request, sessionId) : true;
        const view = allowed ? options.ledger.sessionView(sessionId) : undefined;
        if (!view) throw new FramewayError('FW_ERR_SESSION_NOT_FOUND', `no QoS records for session ${sessionId}`);
        return reply
          .code(200)
          .type(JSON_TYPE)
          .send(JSON.stringify({ ...view, leafEncoding: MINUTE_RECORD_LEAF_TYPES }));
      } catch (error) {
        const fwError =
          error instanceof FramewayError
            ? error
            : new FramewayError('FW_ERR_INTERNAL', 'reading the QoS records failed', undefined, { cause: error });
        return reply.code(fwError.status).type(JSON_TYPE).send(JSON.stringify(fwError.toJSON()));
      }
    },
  });
}
