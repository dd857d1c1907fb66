// `@frameway/client-sdk/studio`: the Node (server-side) client of the studio REST API.
// Kept out of the browser bundle: studio API keys belong on a backend, never in a page.
export { FramewayError, isFramewayError } from '@frameway/protocol';
export {
  ApiScope,
  type CreatedSession,
  type CreateSessionRequest,
  type CreateTitleRequest,
  type Invoice,
  type RestOperationId,
  type RestResponse,
  type Session,
  type SessionDetail,
  type Title,
  type UsageReport,
  WEBHOOK_SIGNATURE_HEADER,
  type Webhook,
  type WebhookDelivery,
  type WebhookEvent,
  WebhookEventType,
} from '@frameway/protocol/rest';
export { type StudioCallInput, StudioClient, type StudioClientOptions } from './StudioClient.js';
export { type VerifyWebhookOptions, verifyWebhookSignature } from './verifyWebhookSignature.js';
