// `@frameway/protocol/rest`: the studio REST API contract, shared by the gateway and the Node client.
export {
  CreateInvoiceRequest,
  GetInvoiceQuery,
  Invoice,
  InvoiceIdParams,
  InvoiceLine,
  InvoiceSummary,
  ListInvoicesQuery,
  PeriodQuery,
  UsageByTitle,
  UsageReport,
} from './billing.js';
export {
  Currency,
  ErrorBody,
  Label,
  MinorUnits,
  PageCursor,
  PageLimit,
  PageQuery,
  PlayerId,
  pageOf,
  Region,
  ResourceId,
  Timestamp,
} from './common.js';
export { DemoSession } from './demo.js';
export { DrainNodeRequest, DrainNodeResult, FleetEvent, FleetEventsQuery, FleetNode } from './fleetAdmin.js';
export {
  ApiKey,
  ApiKeyIdParams,
  CreateApiKeyRequest,
  CreatedApiKey,
  RotateApiKeyRequest,
  Studio,
  WhoAmI,
} from './keys.js';
export {
  FLEET_ADMIN_PREFIX,
  HealthReport,
  type OperatorOperationId,
  type OperatorRoute,
  operatorRoutes,
} from './operatorRoutes.js';
export { QosMinuteRecord, SessionQos, SessionQosParams } from './qos.js';
export {
  type RestInput,
  type RestOperationId,
  type RestParsed,
  type RestResponse,
  type RestRoute,
  restRoutes,
} from './routes.js';
export { ApiScope, ApiScopeSchema, apiScopeList } from './scopes.js';
export {
  CreatedSession,
  CreateSessionRequest,
  ListSessionsQuery,
  Session,
  SessionBilling,
  SessionDetail,
  SessionHistoryEntry,
  SessionIdParams,
  SessionLive,
  SessionState,
} from './sessions.js';
export {
  AndroidApp,
  CreateTitleRequest,
  GameRuntime,
  GpuClass,
  Title,
  TitleIdParams,
  TitleRequirements,
} from './titles.js';
export { type RestIssue, type RestValidation, validateRest } from './validateRest.js';
export {
  CreatedWebhook,
  CreateWebhookRequest,
  DeliveryAttempt,
  ListDeliveriesQuery,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TOLERANCE_SECONDS,
  Webhook,
  WebhookDelivery,
  WebhookEvent,
  WebhookEventType,
  WebhookEventTypeSchema,
  WebhookIdParams,
  webhookEventTypeList,
} from './webhooks.js';
export { DEMO_SESSION_PATH, type SocketPath, socketPaths } from './wirePaths.js';
