import { FramewayError } from '@frameway/protocol';
import { type ApiScope, restRoutes } from '@frameway/protocol/rest';
import type { FastifyInstance } from 'fastify';
import { ApiKeys } from '../../studio/ApiKeys.js';
import { Studios } from '../../studio/Studios.js';
import type { ApiServices } from '../ApiServices.js';
import { addRestRoute } from '../addRestRoute.js';

/** GET /v1/studio and the key management routes. */
export function registerKeyRoutes(app: FastifyInstance, services: ApiServices): void {
  const { keys, studios } = services;

  addRestRoute(app, 'whoAmI', restRoutes.whoAmI, ({ auth }) => {
    const studio = studios.get(auth.studioId);
    const key = keys.get(auth.studioId, auth.keyId);
    if (!studio || !key) throw new FramewayError('FW_ERR_UNAUTHORIZED', 'the key no longer exists');
    return { studio: Studios.view(studio), key: ApiKeys.view(key) };
  });

  addRestRoute(app, 'listApiKeys', restRoutes.listApiKeys, ({ auth }) => ({
    items: keys.list(auth.studioId).map(ApiKeys.view),
  }));

  addRestRoute(app, 'createApiKey', restRoutes.createApiKey, ({ auth, body }) => {
    requireScopes(auth.scopes, body.scopes);
    const expiresAt = body.expiresInSeconds === undefined ? null : services.now() + body.expiresInSeconds * 1000;
    const created = keys.create(auth.studioId, { name: body.name, scopes: body.scopes, expiresAt });
    return { key: ApiKeys.view(created.record), secret: created.secret };
  });

  addRestRoute(app, 'rotateApiKey', restRoutes.rotateApiKey, ({ auth, params, body }) => {
    const old = keys.get(auth.studioId, params.keyId);
    if (old) requireScopes(auth.scopes, old.scopes);
    const created = keys.rotate(auth.studioId, params.keyId, body.graceSeconds);
    return { key: ApiKeys.view(created.record), secret: created.secret };
  });

  addRestRoute(app, 'revokeApiKey', restRoutes.revokeApiKey, ({ auth, params }) =>
    ApiKeys.view(keys.revoke(auth.studioId, params.keyId)),
  );
}

/** A key may only hand out (or rotate) scopes it holds itself. */
function requireScopes(held: ReadonlySet<ApiScope>, wanted: readonly ApiScope[]): void {
  const missing = wanted.filter((scope) => !held.has(scope));
  if (missing.length > 0) {
    throw new FramewayError('FW_ERR_INSUFFICIENT_SCOPE', `the calling key lacks ${missing.join(', ')}`, { missing });
  }
}
