import type { ErrorCode } from '@frameway/protocol';
import type { RestRoute } from '@frameway/protocol/rest';
import type { AuthContext } from '../studio/ApiKeys.js';

/** A route as the API documents and guards it: the contract entry plus its operation id. */
export interface DocumentedRoute extends RestRoute {
  readonly operationId: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by addRestRoute, or derived in onRoute from `schema` + `auth` for routes added by plugins. */
    rest?: DocumentedRoute;
    /** For plain plugin routes: 'public', 'key' or the scope they need (default 'key'). */
    auth?: RestRoute['auth'];
    /** For plain plugin routes: the route's own error codes, for the document. */
    errors?: readonly ErrorCode[];
    operationId?: string;
  }
  interface FastifyRequest {
    /** The caller, on routes that need a key (set by the auth hook). */
    auth: AuthContext | null;
    /** The Idempotency-Key this request claimed, if any. */
    idempotencyKey: string | null;
    /** The JSON body as received, before validation filled defaults (what idempotency compares). */
    receivedBody: unknown;
  }
}
