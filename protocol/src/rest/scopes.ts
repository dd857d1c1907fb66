import * as v from 'valibot';

/**
 * What an API key may do. A key holds a subset of these; each route names
 * the one it needs. Read scopes never imply write scopes, nor the reverse.
 */
export const ApiScope = {
  TitlesRead: 'titles:read',
  TitlesWrite: 'titles:write',
  SessionsRead: 'sessions:read',
  SessionsWrite: 'sessions:write',
  UsageRead: 'usage:read',
  BillingWrite: 'billing:write',
  WebhooksRead: 'webhooks:read',
  WebhooksWrite: 'webhooks:write',
  KeysRead: 'keys:read',
  KeysWrite: 'keys:write',
} as const;
export type ApiScope = (typeof ApiScope)[keyof typeof ApiScope];

export const apiScopeList = Object.values(ApiScope) as readonly ApiScope[];

export const ApiScopeSchema = v.picklist(apiScopeList as ApiScope[]);
