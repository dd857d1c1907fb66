import * as v from 'valibot';
import { Label, ResourceId, Timestamp } from './common.js';
import { ApiScopeSchema } from './scopes.js';

export const ApiKey = v.object({
  id: ResourceId,
  name: v.string(),
  /** The first characters of the secret, to tell keys apart; the secret itself is never stored. */
  prefix: v.string(),
  scopes: v.array(ApiScopeSchema),
  createdAt: Timestamp,
  expiresAt: v.nullable(Timestamp),
  /** When the key stops working (immediately on revoke, after the grace period on rotate). */
  revokedAt: v.nullable(Timestamp),
  lastUsedAt: v.nullable(Timestamp),
  /** The key that replaced this one on rotation. */
  replacedBy: v.nullable(ResourceId),
});

export const CreateApiKeyRequest = v.strictObject({
  name: Label,
  /** A subset of the calling key's own scopes. */
  scopes: v.pipe(v.array(ApiScopeSchema), v.minLength(1)),
  expiresInSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(60), v.maxValue(5 * 365 * 86_400))),
});

export const CreatedApiKey = v.object({
  key: ApiKey,
  /** Shown once: store it now. Send it as `Authorization: Bearer <secret>`. */
  secret: v.string(),
});

export const RotateApiKeyRequest = v.strictObject({
  /** How long the old key keeps working (0 = revoked at once). */
  graceSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(7 * 86_400)), 0),
});

export const ApiKeyIdParams = v.strictObject({ keyId: ResourceId });

export const Studio = v.object({
  id: ResourceId,
  name: v.string(),
  createdAt: Timestamp,
});

export const WhoAmI = v.object({ studio: Studio, key: ApiKey });

export type ApiKey = v.InferOutput<typeof ApiKey>;
export type CreatedApiKey = v.InferOutput<typeof CreatedApiKey>;
