import { SessionEndReason } from '@frameway/protocol';
import { apiScopeList } from '@frameway/protocol/rest';
import type { FastifyInstance } from 'fastify';
import type { PlayerTokens } from '../auth/PlayerTokens.js';
import { Billing } from '../billing/Billing.js';
import type { QosVerdictSource } from '../ledger/QosVerdicts.js';
import { createLogger } from '../logging/logger.js';
import type { NodeRegistry } from '../registry/NodeRegistry.js';
import type { HttpHandler } from '../server/SocketServer.js';
import type { SessionManager } from '../sessions/SessionManager.js';
import { type Db, migrate } from '../store/openDatabase.js';
import { ApiKeys } from '../studio/ApiKeys.js';
import { SessionRecords } from '../studio/SessionRecords.js';
import { createStudioContext, type StudioContext } from '../studio/StudioContext.js';
import { type LiveMeasurements, StudioSessions } from '../studio/StudioSessions.js';
import { Studios } from '../studio/Studios.js';
import { studioMigrations } from '../studio/studioMigrations.js';
import { Titles } from '../studio/Titles.js';
import { StudioEventPublisher } from '../webhooks/StudioEventPublisher.js';
import { WebhookDispatcher } from '../webhooks/WebhookDispatcher.js';
import { WebhookEndpoints } from '../webhooks/WebhookEndpoints.js';
import type { ApiServices } from './ApiServices.js';
import { type ApiApp, type ApiPlugin, createApiApp } from './createApiApp.js';
import { fastifyBridge } from './fastifyBridge.js';
import { IdempotencyStore } from './IdempotencyStore.js';
import { RateLimiter } from './RateLimiter.js';
import { registerBillingRoutes } from './routes/billingRoutes.js';
import { registerKeyRoutes } from './routes/keyRoutes.js';
import { registerSessionRoutes } from './routes/sessionRoutes.js';
import { registerTitleRoutes } from './routes/titleRoutes.js';
import { registerWebhookRoutes } from './routes/webhookRoutes.js';
import type { StudioApiConfig } from './studioApiConfig.js';

const log = createLogger('api.studio');

/** The name of the key minted for the demo studio on every start in demo mode. */
export const DEMO_KEY_NAME = 'demo';

export interface StudioApiOptions {
  config: StudioApiConfig;
  db: Db;
  sessions: SessionManager;
  registry: NodeRegistry;
  tokens: PlayerTokens;
  /** Where players reach the gateway: the web player origin and the signaling socket URL. */
  urls: () => { publicUrl: string; signalingUrl: string };
  /** Bitrate of the gateway's default stream (1280×720, 60 fps); titles scale it. */
  defaultBitrateKbps: number;
  /** The QoS ledger's minute verdicts (SLA credits, qos.sla_breach, live fps/latency); attachable later. */
  verdicts?: QosVerdictSource | undefined;
  /** Extra live measurements per session (e.g. RTT from placement probes). */
  liveMeasurements?: ((sessionId: string) => Partial<LiveMeasurements> | undefined) | undefined;
  /** Route plugins registered on the API (e.g. the ledger's GET /v1/sessions/:id/qos). */
  plugins?: readonly ApiPlugin[] | undefined;
  /** Check every JSON response against its schema (tests). */
  checkResponses?: boolean | undefined;
  now?: (() => number) | undefined;
  newId?: ((prefix: string) => string) | undefined;
  /** Webhook HTTP client and jitter source (tests). */
  fetch?: typeof globalThis.fetch | undefined;
  random?: (() => number) | undefined;
}

/** What a Gateway's owner may inject into its StudioApi (tests: clock, verdict source, webhook client). */
export type StudioApiOverrides = Partial<
  Pick<
    StudioApiOptions,
    'now' | 'newId' | 'fetch' | 'random' | 'verdicts' | 'liveMeasurements' | 'plugins' | 'checkResponses'
  >
>;

/**
 * The studio integration API: keys, titles, sessions, usage and billing,
 * webhooks, and the Fastify app that serves them under /v1. Mount `handler`
 * on the gateway's listener; call `start()` once the gateway listens.
 */
export class StudioApi {
  readonly context: StudioContext;
  readonly studios: Studios;
  readonly keys: ApiKeys;
  readonly titles: Titles;
  readonly records: SessionRecords;
  readonly sessions: StudioSessions;
  readonly billing: Billing;
  readonly endpoints: WebhookEndpoints;
  readonly dispatcher: WebhookDispatcher;
  readonly events: StudioEventPublisher;
  readonly api: ApiApp;
  /** Serves the API from the gateway's listener (SocketServer.mount). */
  readonly handler: HttpHandler;
  #verdicts: QosVerdictSource | undefined;
  #closed = false;

  constructor(options: StudioApiOptions) {
    const { config } = options;
    migrate(options.db, 'studio', studioMigrations);
    this.context = createStudioContext({ db: options.db, now: options.now, newId: options.newId });
    this.studios = new Studios(this.context);
    this.keys = new ApiKeys(this.context);
    this.titles = new Titles(this.context);
    this.records = new SessionRecords(this.context);
    this.billing = new Billing({
      context: this.context,
      sessions: this.records,
      config: config.billing,
      verdicts: () => this.#verdicts,
    });
    this.sessions = new StudioSessions({
      context: this.context,
      records: this.records,
      titles: this.titles,
      sessions: options.sessions,
      registry: options.registry,
      tokens: options.tokens,
      pricing: this.billing,
      config,
      defaults: { bitrateKbps: options.defaultBitrateKbps },
      urls: options.urls,
      verdicts: () => this.#verdicts,
      liveMeasurements: options.liveMeasurements,
    });
    this.endpoints = new WebhookEndpoints(this.context);
    this.dispatcher = new WebhookDispatcher({
      context: this.context,
      endpoints: this.endpoints,
      config: config.webhooks,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    this.events = new StudioEventPublisher({
      sessions: this.sessions,
      records: this.records,
      dispatcher: this.dispatcher,
    });
    const services: ApiServices = {
      studios: this.studios,
      keys: this.keys,
      titles: this.titles,
      sessions: this.sessions,
      billing: this.billing,
      endpoints: this.endpoints,
      dispatcher: this.dispatcher,
      now: this.context.now,
      publish: (studioId, type, data) => this.events.publish(studioId, type, data),
    };
    this.api = createApiApp({
      keys: this.keys,
      rateLimiter: new RateLimiter({ ...config.rateLimit, now: this.context.now }),
      idempotency: new IdempotencyStore(this.context, { ttlSeconds: config.idempotencyTtlSeconds }),
      routes: (app) => {
        registerKeyRoutes(app, services);
        registerTitleRoutes(app, services);
        registerSessionRoutes(app, services);
        registerBillingRoutes(app, services);
        registerWebhookRoutes(app, services);
      },
      ...(options.plugins ? { plugins: options.plugins } : {}),
      info: () => ({
        title: 'Frameway studio API',
        version: '1.0.0',
        description:
          'Register titles, start sessions for your players, watch their quality, and pay for what was delivered. Authenticate with `Authorization: Bearer <API key>`. Errors are JSON `{ code, message, details? }` with a stable FW_ERR_* code. Creating calls accept `Idempotency-Key`. Lists are newest first with cursor pagination (`limit`, `cursor` = the previous page’s `nextCursor`). Money is in integer minor units. See docs/studio-api.md.',
        serverUrl: options.urls().publicUrl,
      }),
      checkResponses: options.checkResponses ?? false,
    });
    this.handler = fastifyBridge(this.api.app);
    this.sessions.attach();
    if (options.verdicts) this.useVerdictSource(options.verdicts);
  }

  get app(): FastifyInstance {
    return this.api.app;
  }

  /** Ends what a crashed process left running, starts webhook delivery and readies the app. */
  async start(): Promise<void> {
    const recovered = this.records.endUnfinished(SessionEndReason.GatewayShutdown);
    if (recovered.length > 0) log.info({ sessions: recovered.length }, 'ended sessions left over by a previous run');
    this.dispatcher.start();
    await this.api.app.ready();
  }

  /** Reads minute verdicts from the QoS ledger: SLA credits, qos.sla_breach webhooks, live fps/latency. */
  useVerdictSource(source: QosVerdictSource): void {
    this.#verdicts = source;
    this.events.useVerdictSource(source);
  }

  /** A studio with an all-scopes key (operators; the demo). */
  createStudio(name: string): { studioId: string; key: string } {
    const studio = this.studios.create(name);
    const { secret } = this.keys.create(studio.id, { name: 'admin', scopes: apiScopeList });
    return { studioId: studio.id, key: secret };
  }

  /**
   * The demo studio's key for this run: earlier demo keys are revoked and a
   * new all-scopes key is minted that answers loopback callers only.
   */
  createDemoKey(): { studioId: string; key: string } {
    const studio = this.studios.demo();
    this.keys.revokeByName(studio.id, DEMO_KEY_NAME);
    const { secret } = this.keys.create(studio.id, { name: DEMO_KEY_NAME, scopes: apiScopeList, localOnly: true });
    return { studioId: studio.id, key: secret };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.events.close();
    this.sessions.detach();
    this.sessions.removeAllListeners();
    await this.dispatcher.close();
    await this.api.app.close();
  }
}
