import * as v from 'valibot';
import type { ErrorCode } from '../errors/errorCodes.js';
import {
  CreateInvoiceRequest,
  GetInvoiceQuery,
  Invoice,
  InvoiceIdParams,
  InvoiceSummary,
  ListInvoicesQuery,
  PeriodQuery,
  UsageReport,
} from './billing.js';
import { PageQuery, pageOf } from './common.js';
import { DemoSession } from './demo.js';
import { ApiKey, ApiKeyIdParams, CreateApiKeyRequest, CreatedApiKey, RotateApiKeyRequest, WhoAmI } from './keys.js';
import { SessionQos, SessionQosParams } from './qos.js';
import { ApiScope } from './scopes.js';
import {
  CreatedSession,
  CreateSessionRequest,
  ListSessionsQuery,
  Session,
  SessionDetail,
  SessionIdParams,
} from './sessions.js';
import { CreateTitleRequest, Title, TitleIdParams } from './titles.js';
import {
  CreatedWebhook,
  CreateWebhookRequest,
  ListDeliveriesQuery,
  Webhook,
  WebhookDelivery,
  WebhookIdParams,
} from './webhooks.js';
import { DEMO_SESSION_PATH } from './wirePaths.js';

/**
 * One route of the studio REST API: the single description the server
 * registers (validation, auth, OpenAPI) and the Node client calls.
 */
export interface RestRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** OpenAPI-style path, e.g. `/v1/titles/{titleId}`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** 'public' needs no key; 'key' needs any valid key; otherwise the scope the key must hold. */
  readonly auth: 'public' | 'key' | ApiScope;
  readonly params?: v.GenericSchema;
  readonly query?: v.GenericSchema;
  readonly body?: v.GenericSchema;
  /** Creating calls accept an `Idempotency-Key` header. */
  readonly idempotent?: boolean;
  readonly status: 200 | 201;
  /** JSON response body; null for routes answering another media type. */
  readonly response: v.GenericSchema | null;
  /** Media type of a non-JSON response. */
  readonly produces?: string;
  /** Errors particular to this route (auth, validation, rate limit and internal errors apply everywhere). */
  readonly errors: readonly ErrorCode[];
}

/** Every route of the studio REST API v1, by operation id. */
export const restRoutes = {
  getOpenApi: {
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    tag: 'meta',
    auth: 'public',
    status: 200,
    response: v.record(v.string(), v.unknown()),
    errors: [],
  },
  getReference: {
    method: 'GET',
    path: '/v1/docs',
    summary: 'Human-readable API reference (HTML, generated from the OpenAPI document)',
    tag: 'meta',
    auth: 'public',
    status: 200,
    response: null,
    produces: 'text/html',
    errors: [],
  },
  whoAmI: {
    method: 'GET',
    path: '/v1/studio',
    summary: 'The studio and the API key making the call',
    tag: 'keys',
    auth: 'key',
    status: 200,
    response: WhoAmI,
    errors: [],
  },
  listApiKeys: {
    method: 'GET',
    path: '/v1/keys',
    summary: "List the studio's API keys (never their secrets)",
    tag: 'keys',
    auth: ApiScope.KeysRead,
    status: 200,
    response: v.object({ items: v.array(ApiKey) }),
    errors: [],
  },
  createApiKey: {
    method: 'POST',
    path: '/v1/keys',
    summary: 'Create an API key with a subset of the calling key’s scopes',
    tag: 'keys',
    auth: ApiScope.KeysWrite,
    body: CreateApiKeyRequest,
    idempotent: true,
    status: 201,
    response: CreatedApiKey,
    errors: ['FW_ERR_INSUFFICIENT_SCOPE'],
  },
  rotateApiKey: {
    method: 'POST',
    path: '/v1/keys/{keyId}/rotate',
    summary: 'Replace a key by a new one with the same scopes; the old one stops after the grace period',
    tag: 'keys',
    auth: ApiScope.KeysWrite,
    params: ApiKeyIdParams,
    body: v.optional(RotateApiKeyRequest, {}),
    idempotent: true,
    status: 201,
    response: CreatedApiKey,
    errors: ['FW_ERR_NOT_FOUND', 'FW_ERR_API_KEY_REVOKED', 'FW_ERR_INSUFFICIENT_SCOPE'],
  },
  revokeApiKey: {
    method: 'DELETE',
    path: '/v1/keys/{keyId}',
    summary: 'Revoke a key at once',
    tag: 'keys',
    auth: ApiScope.KeysWrite,
    params: ApiKeyIdParams,
    status: 200,
    response: ApiKey,
    errors: ['FW_ERR_NOT_FOUND'],
  },
  createTitle: {
    method: 'POST',
    path: '/v1/titles',
    summary: 'Register a title: a game (container image or X11 command) or an Android app',
    tag: 'titles',
    auth: ApiScope.TitlesWrite,
    body: CreateTitleRequest,
    idempotent: true,
    status: 201,
    response: Title,
    errors: [],
  },
  listTitles: {
    method: 'GET',
    path: '/v1/titles',
    summary: 'List titles, newest first',
    tag: 'titles',
    auth: ApiScope.TitlesRead,
    query: PageQuery,
    status: 200,
    response: pageOf(Title),
    errors: [],
  },
  getTitle: {
    method: 'GET',
    path: '/v1/titles/{titleId}',
    summary: 'Get a title',
    tag: 'titles',
    auth: ApiScope.TitlesRead,
    params: TitleIdParams,
    status: 200,
    response: Title,
    errors: ['FW_ERR_TITLE_NOT_FOUND'],
  },
  archiveTitle: {
    method: 'DELETE',
    path: '/v1/titles/{titleId}',
    summary: 'Archive a title: running sessions go on, new ones are refused',
    tag: 'titles',
    auth: ApiScope.TitlesWrite,
    params: TitleIdParams,
    status: 200,
    response: Title,
    errors: ['FW_ERR_TITLE_NOT_FOUND'],
  },
  createSession: {
    method: 'POST',
    path: '/v1/sessions',
    summary: 'Start a session of a title for a player: returns the player token and play URL',
    tag: 'sessions',
    auth: ApiScope.SessionsWrite,
    body: CreateSessionRequest,
    idempotent: true,
    status: 201,
    response: CreatedSession,
    errors: ['FW_ERR_TITLE_NOT_FOUND', 'FW_ERR_TITLE_ARCHIVED', 'FW_ERR_REGION_NOT_ALLOWED'],
  },
  listSessions: {
    method: 'GET',
    path: '/v1/sessions',
    summary: 'List sessions, newest first, with filters',
    tag: 'sessions',
    auth: ApiScope.SessionsRead,
    query: ListSessionsQuery,
    status: 200,
    response: pageOf(Session),
    errors: [],
  },
  getSession: {
    method: 'GET',
    path: '/v1/sessions/{sessionId}',
    summary: 'Get a session: state, node, region, live measurements, billing and history',
    tag: 'sessions',
    auth: ApiScope.SessionsRead,
    params: SessionIdParams,
    status: 200,
    response: SessionDetail,
    errors: ['FW_ERR_SESSION_NOT_FOUND'],
  },
  getSessionQos: {
    method: 'GET',
    path: '/v1/sessions/{sessionId}/qos',
    summary: "A session's signed QoS minute records with Merkle inclusion proofs",
    description:
      'Each record carries the agent and client EIP-712 reports it was judged from, its leaf values (ABI types in `leafEncoding`), and a proof against the batch root committed on chain. Served when the gateway runs the QoS ledger. See docs/qos-ledger.md.',
    tag: 'sessions',
    auth: 'key',
    params: SessionQosParams,
    status: 200,
    response: SessionQos,
    errors: ['FW_ERR_SESSION_NOT_FOUND'],
  },
  terminateSession: {
    method: 'DELETE',
    path: '/v1/sessions/{sessionId}',
    summary: 'Terminate a session',
    tag: 'sessions',
    auth: ApiScope.SessionsWrite,
    params: SessionIdParams,
    status: 200,
    response: Session,
    errors: ['FW_ERR_SESSION_NOT_FOUND', 'FW_ERR_SESSION_ENDED'],
  },
  getUsage: {
    method: 'GET',
    path: '/v1/usage',
    summary: 'Usage and charges for sessions that ended in [from, to)',
    tag: 'billing',
    auth: ApiScope.UsageRead,
    query: PeriodQuery,
    status: 200,
    response: UsageReport,
    errors: [],
  },
  createInvoice: {
    method: 'POST',
    path: '/v1/invoices',
    summary: 'Invoice every not yet invoiced session that ended in [from, to); sends invoice.ready',
    tag: 'billing',
    auth: ApiScope.BillingWrite,
    body: CreateInvoiceRequest,
    idempotent: true,
    status: 201,
    response: Invoice,
    errors: [],
  },
  listInvoices: {
    method: 'GET',
    path: '/v1/invoices',
    summary: 'List invoices, newest first',
    tag: 'billing',
    auth: ApiScope.UsageRead,
    query: ListInvoicesQuery,
    status: 200,
    response: pageOf(InvoiceSummary),
    errors: [],
  },
  getInvoice: {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}',
    summary: 'Get an invoice as JSON or, with format=csv, as CSV (one line per session)',
    tag: 'billing',
    auth: ApiScope.UsageRead,
    params: InvoiceIdParams,
    query: GetInvoiceQuery,
    status: 200,
    response: Invoice,
    produces: 'text/csv',
    errors: ['FW_ERR_NOT_FOUND'],
  },
  createWebhook: {
    method: 'POST',
    path: '/v1/webhooks',
    summary: 'Subscribe an HTTPS endpoint to events; returns its signing secret once',
    tag: 'webhooks',
    auth: ApiScope.WebhooksWrite,
    body: CreateWebhookRequest,
    idempotent: true,
    status: 201,
    response: CreatedWebhook,
    errors: [],
  },
  listWebhooks: {
    method: 'GET',
    path: '/v1/webhooks',
    summary: 'List webhook endpoints',
    tag: 'webhooks',
    auth: ApiScope.WebhooksRead,
    status: 200,
    response: v.object({ items: v.array(Webhook) }),
    errors: [],
  },
  deleteWebhook: {
    method: 'DELETE',
    path: '/v1/webhooks/{webhookId}',
    summary: 'Delete a webhook endpoint; pending deliveries to it are dropped',
    tag: 'webhooks',
    auth: ApiScope.WebhooksWrite,
    params: WebhookIdParams,
    status: 200,
    response: Webhook,
    errors: ['FW_ERR_NOT_FOUND'],
  },
  listWebhookDeliveries: {
    method: 'GET',
    path: '/v1/webhooks/{webhookId}/deliveries',
    summary: 'The delivery log of an endpoint, newest first, with every attempt',
    tag: 'webhooks',
    auth: ApiScope.WebhooksRead,
    params: WebhookIdParams,
    query: ListDeliveriesQuery,
    status: 200,
    response: pageOf(WebhookDelivery),
    errors: ['FW_ERR_NOT_FOUND'],
  },
  createDemoSession: {
    method: 'POST',
    path: DEMO_SESSION_PATH,
    summary: 'Demo mode only: start a session with the gateway defaults and mint its player token',
    description:
      'Anyone who can reach a gateway in demo mode may call it (no key); without demo mode it answers 403 FW_ERR_FORBIDDEN.',
    tag: 'demo',
    auth: 'public',
    status: 201,
    response: DemoSession,
    errors: ['FW_ERR_FORBIDDEN'],
  },
} as const satisfies Record<string, RestRoute>;

export type RestOperationId = keyof typeof restRoutes;
type RouteOf<Op extends RestOperationId> = (typeof restRoutes)[Op];
type Part<R, K extends string> = R extends { readonly [P in K]: infer S extends v.GenericSchema } ? S : undefined;

/** What a caller sends for a part of a request (path params, query, body). */
export type RestInput<Op extends RestOperationId, K extends 'params' | 'query' | 'body'> =
  Part<RouteOf<Op>, K> extends v.GenericSchema ? v.InferInput<Part<RouteOf<Op>, K>> : undefined;

/** What the server's validation hands the handler for a part of a request. */
export type RestParsed<Op extends RestOperationId, K extends 'params' | 'query' | 'body'> =
  Part<RouteOf<Op>, K> extends v.GenericSchema ? v.InferOutput<Part<RouteOf<Op>, K>> : undefined;

/** The JSON body of a route's success response. */
export type RestResponse<Op extends RestOperationId> = RouteOf<Op>['response'] extends v.GenericSchema
  ? v.InferOutput<RouteOf<Op>['response']>
  : string;
