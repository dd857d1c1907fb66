import type { WebhookEventType } from '@frameway/protocol/rest';
import type { Billing } from '../billing/Billing.js';
import type { ApiKeys } from '../studio/ApiKeys.js';
import type { StudioSessions } from '../studio/StudioSessions.js';
import type { Studios } from '../studio/Studios.js';
import type { Titles } from '../studio/Titles.js';
import type { WebhookDispatcher } from '../webhooks/WebhookDispatcher.js';
import type { WebhookEndpoints } from '../webhooks/WebhookEndpoints.js';

/** What the route handlers work with; built once by StudioApi. */
export interface ApiServices {
  studios: Studios;
  keys: ApiKeys;
  titles: Titles;
  sessions: StudioSessions;
  billing: Billing;
  endpoints: WebhookEndpoints;
  dispatcher: WebhookDispatcher;
  /** The studio clock (epoch ms), injectable in tests. */
  now(): number;
  publish(studioId: string, type: WebhookEventType, data: unknown): void;
}
