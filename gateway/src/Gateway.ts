import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FramewayError, MAX_SIGNALING_MESSAGE_BYTES, SessionEndReason } from '@frameway/protocol';
import { DEMO_SESSION_PATH, operatorRoutes, socketPaths } from '@frameway/protocol/rest';
import { parseEther } from 'viem';
import { AgentLink, type AgentRegistration } from './agents/AgentLink.js';
import { StudioApi, type StudioApiOverrides } from './api/StudioApi.js';
import { PlayerTokens } from './auth/PlayerTokens.js';
import { secretsEqual } from './auth/secretsEqual.js';
import type { GatewayConfig } from './config.js';
import { Fleet } from './fleet/Fleet.js';
import { demoSessionRoutes } from './http/demoSessionRoutes.js';
import { fastifyBridge } from './http/fastifyBridge.js';
import { fleetAdminDeps, registerFleetAdminRoutes } from './http/fleetAdminRoutes.js';
import { createHealthApp } from './http/healthRoutes.js';
import { ledgerApiPlugin } from './http/qos/ledgerApiPlugin.js';
import { staticFiles } from './http/staticFiles.js';
import { toApiError } from './http/toApiError.js';
import { attachQosLedger } from './ledger/attachQosLedger.js';
import { QosLedger } from './ledger/QosLedger.js';
import { createLogger } from './logging/logger.js';
import type { MediaRouter } from './media/MediaRouter.js';
import { CandidateFilter, isLoopback } from './media/sdp/candidateFilter.js';
import { WeriftMediaRouter } from './media/werift/WeriftMediaRouter.js';
import { PlayerLink } from './players/PlayerLink.js';
import { NodeRegistry } from './registry/NodeRegistry.js';
import { createSocketServer } from './server/createSocketServer.js';
import type { SocketServer, WsConnection } from './server/SocketServer.js';
import type { SessionSpec } from './sessions/Session.js';
import { SessionManager } from './sessions/SessionManager.js';
import { type Db, openDatabase } from './store/openDatabase.js';

const log = createLogger('gateway');

export const AGENT_SOCKET_PATH = socketPaths.agent;
export const PLAYER_SOCKET_PATH = socketPaths.player;

/** One gateway process: control plane, media plane and the public listener. */
export class Gateway {
  readonly config: GatewayConfig;
  readonly registry: NodeRegistry;
  /** Node identity, persistence, network coordinates, latency-aware placement, drain. */
  readonly fleet: Fleet;
  readonly sessions: SessionManager;
  readonly media: MediaRouter;
  readonly tokens: PlayerTokens;
  /** The embedded database every persistent feature keeps its tables in. */
  readonly db: Db;
  /** Studio REST API v1 (keys, titles, sessions, billing, webhooks), served under /v1. */
  readonly studio: StudioApi;
  /** QoS ledger: signed minute reports, verdicts, Merkle batches, chain settlement; undefined when turned off. */
  readonly ledger: QosLedger | undefined;
  #demoApiKey: string | undefined;
  readonly #server: SocketServer;
  readonly #agents = new Map<string, AgentLink>();
  readonly #agentLinks = new Map<WsConnection, AgentLink>();
  readonly #playerLinks = new Map<WsConnection, PlayerLink>();
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
  #port = 0;
  #closed = false;

  constructor(config: GatewayConfig, overrides: { studioApi?: StudioApiOverrides } = {}) {
    this.config = config;
    this.db = openDatabase({ path: config.database });
    this.tokens = new PlayerTokens({
      secret: config.tokenSecret ? Buffer.from(config.tokenSecret) : PlayerTokens.randomSecret(),
    });
    this.registry = new NodeRegistry({
      heartbeatTimeoutMs: config.registry.heartbeatTimeoutMs,
      initialReputation: config.fleet.initialReputation,
    });
    this.media = new WeriftMediaRouter({
      rtpHost: config.media.rtpHost,
      iceServers: config.media.iceServers.map((s) => ({ ...s })),
      additionalHostAddresses: [...config.media.additionalHostAddresses],
      candidateFilter: new CandidateFilter(config.media.iceAddresses ?? defaultIceAddresses(config.host)),
      inputRatePerSecond: config.media.inputRatePerSecond,
      disconnectGraceMs: config.media.disconnectGraceMs,
      repair: config.media.repair,
      adaptiveBitrate: config.media.adaptiveBitrate,
      minBitrateKbps: config.media.minBitrateKbps,
      retransmitShare: config.media.retransmitShare,
      fec: config.media.fec,
    });
    this.fleet = new Fleet({
      fleet: config.fleet,
      placement: config.placement,
      db: this.db,
      registry: this.registry,
      gatewayName: () => this.url,
      gatewayProbeUrl: () => config.fleet.gatewayProbeUrl ?? `${this.url.replace(/^http/, 'ws')}${socketPaths.probe}`,
      agentFor: (nodeId) => this.#agents.get(nodeId),
    });
    this.sessions = new SessionManager({
      registry: this.registry,
      media: this.media,
      placer: this.fleet.placer,
      failover: config.placement.failover,
      agentFor: (nodeId) => this.#agents.get(nodeId)?.api,
      playerReconnectGraceMs: config.session.playerReconnectGraceMs,
      unjoinedTimeoutMs: config.session.unjoinedTimeoutMs,
      keyframeRequestIntervalMs: config.session.keyframeRequestIntervalMs,
    });
    this.fleet.attach(this.sessions);
    this.ledger = config.ledger.enabled ? this.#createLedger() : undefined;
    this.studio = new StudioApi({
      config: config.studioApi,
      db: this.db,
      sessions: this.sessions,
      registry: this.registry,
      tokens: this.tokens,
      urls: () => ({ publicUrl: this.url, signalingUrl: `${this.url.replace(/^http/, 'ws')}${PLAYER_SOCKET_PATH}` }),
      defaultBitrateKbps: config.session.bitrateKbps,
      liveMeasurements: (sessionId) => ({ rttMs: this.fleet.monitor?.rttOf(sessionId) ?? null }),
      ...(this.ledger ? { verdicts: this.ledger } : {}),
      ...overrides.studioApi,
      plugins: [
        demoSessionRoutes({
          enabled: () => this.config.demo,
          create: () => this.createDemoSession(),
          signalingUrl: (host) => this.#signalingUrl(host),
        }),
        // Plugins given by the owner (tests) stand in for the features' own.
        ...(overrides.studioApi?.plugins ??
          (this.ledger
            ? [ledgerApiPlugin(this.ledger, (studioId, id) => !!this.studio.records.get(studioId, id))]
            : [])),
      ],
    });
    this.registry.on('nodeDown', (node, reason) => {
      log.info({ nodeId: node.nodeId, reason }, 'node down');
      this.sessions.nodeDown(node.nodeId, reason);
      const link = this.#agents.get(node.nodeId);
      if (link) {
        this.#agents.delete(node.nodeId);
        link.close(4002, reason);
      }
    });
    this.registry.on('nodeUp', (node) => log.info({ nodeId: node.nodeId, slots: node.slots }, 'node up'));
    this.#server = createSocketServer(config.server.engine);
    this.#routes();
  }

  /** The origin players use, e.g. http://127.0.0.1:8080 */
  get url(): string {
    return this.config.publicUrl ?? `http://${formatHost(this.config.host)}:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  /** In demo mode: the demo studio's API key minted at start (loopback callers only). */
  get demoApiKey(): string | undefined {
    return this.#demoApiKey;
  }

  get engine(): SocketServer['engine'] {
    return this.#server.engine;
  }

  async start(): Promise<void> {
    await this.ledger?.start();
    this.#port = await this.#server.listen(this.config.host, this.config.port);
    this.#sweepTimer = setInterval(
      () => this.registry.sweep(),
      Math.min(1000, this.config.registry.heartbeatTimeoutMs / 2),
    );
    this.#sweepTimer.unref();
    this.fleet.start();
    await this.studio.start();
    if (this.config.demo && this.config.studioApi.enabled && this.config.studioApi.demoStudio) {
      this.#demoApiKey = this.studio.createDemoKey().key;
    }
    log.info(
      { url: this.url, engine: this.#server.engine, media: this.media.backend, demo: this.config.demo },
      'gateway listening',
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    this.sessions.closeAll(SessionEndReason.GatewayShutdown);
    for (const link of this.#agentLinks.values()) link.close(1001, 'gateway shutting down');
    for (const link of this.#playerLinks.values()) link.close(1001, 'gateway shutting down');
    await this.media.close();
    await this.#server.close();
    await this.studio.close();
    this.fleet.close();
    this.ledger?.close();
    this.db.close();
    log.info('gateway closed');
  }

  /** The session spec the gateway's defaults describe (demo sessions). */
  defaultSessionSpec(id: string, playerId: string): SessionSpec {
    const s = this.config.session;
    return {
      id,
      playerId,
      runtime: s.runtime,
      ...(s.runtimeOptions ? { runtimeOptions: s.runtimeOptions } : {}),
      video: { width: s.width, height: s.height, fps: s.fps, codec: s.codec, bitrateKbps: s.bitrateKbps, gop: s.gop },
      latencyBudgetMs: s.latencyBudgetMs,
    };
  }

  /** Creates a demo session and mints its player token (demo mode only). */
  createDemoSession(): { sessionId: string; token: string } {
    const sessionId = `ses_${randomBytes(9).toString('base64url')}`;
    const playerId = `demo_${randomBytes(6).toString('base64url')}`;
    this.sessions.create(this.defaultSessionSpec(sessionId, playerId));
    const token = this.tokens.issue({ sid: sessionId, sub: playerId, ttlSeconds: this.config.session.tokenTtlSeconds });
    return { sessionId, token };
  }

  #routes(): void {
    const server = this.#server;
    const health = createHealthApp({
      report: () => ({
        status: 'ok',
        engine: server.engine,
        media: this.media.backend,
        nodes: this.registry.list().filter((n) => n.status === 'up').length,
        sessions: this.sessions.list().length,
      }),
      toError: toApiError,
    });
    server.route(operatorRoutes.getHealth.method, operatorRoutes.getHealth.path, fastifyBridge(health));
    this.fleet.registerRoutes(server);
    registerFleetAdminRoutes(server, fleetAdminDeps(this.fleet, this.registry, this.config.fleet.adminToken));
    // The API app serves the demo route too: with the studio API off, that route alone stays reachable.
    if (this.config.studioApi.enabled) server.mount('/v1', this.studio.handler);
    else server.route('POST', DEMO_SESSION_PATH, this.studio.handler);
    server.websocket(AGENT_SOCKET_PATH, {
      maxPayloadBytes: MAX_SIGNALING_MESSAGE_BYTES,
      idleTimeoutSeconds: 30,
      open: (connection) => this.#agentLinks.set(connection, this.#createAgentLink(connection)),
      message: (connection, data, isBinary) => this.#agentLinks.get(connection)?.receive(data, isBinary),
      close: (connection, code, reason) => {
        const link = this.#agentLinks.get(connection);
        this.#agentLinks.delete(connection);
        link?.socketClosed(code, reason);
      },
    });
    server.websocket(PLAYER_SOCKET_PATH, {
      maxPayloadBytes: MAX_SIGNALING_MESSAGE_BYTES,
      idleTimeoutSeconds: 30,
      open: (connection) =>
        this.#playerLinks.set(
          connection,
          new PlayerLink({
            connection,
            context: { tokens: this.tokens, sessions: this.sessions, qos: this.ledger },
            joinTimeoutMs: this.config.session.playerJoinTimeoutMs,
          }),
        ),
      message: (connection, data, isBinary) => this.#playerLinks.get(connection)?.receive(data, isBinary),
      close: (connection, code) => {
        const link = this.#playerLinks.get(connection);
        this.#playerLinks.delete(connection);
        link?.socketClosed(code);
      },
    });
    server.fallback(
      staticFiles(this.config.webRoot ?? defaultWebRoot(), { '/': 'index.html', '/phone': 'phone.html' }),
    );
  }

  #createLedger(): QosLedger {
    const ledger = new QosLedger({
      db: this.db,
      config: this.config.ledger,
      nodeAddress: (nodeId) => this.registry.get(nodeId)?.address as `0x${string}` | undefined,
      nodePriceWei: (nodeId) => {
        const price = this.registry.get(nodeId)?.pricePerBlock ?? 0;
        return price > 0 ? parseEther(String(price)) : undefined;
      },
    });
    attachQosLedger(ledger, { sessions: this.sessions, agentFor: (nodeId) => this.#agents.get(nodeId)?.api });
    return ledger;
  }

  #createAgentLink(connection: WsConnection): AgentLink {
    const link = new AgentLink({
      connection,
      registerTimeoutMs: this.config.registry.registerTimeoutMs,
      startTimeoutMs: this.config.session.startTimeoutMs,
      onRegister: (agentLink, registration) => this.#registerAgent(agentLink, registration),
      challenge: this.fleet.newChallenge(),
      qos: this.ledger,
      onDrain: (agentLink, drain) => {
        if (agentLink.nodeId) this.fleet.drain(agentLink.nodeId, drain.draining, 'agent');
      },
      onHeartbeat: (agentLink, heartbeat) => {
        if (agentLink.nodeId) this.registry.heartbeat(agentLink.nodeId, heartbeat);
      },
    });
    link.on('sessionEnded', (sessionId, reason, message) => {
      if (link.nodeId) this.sessions.agentSessionEnded(link.nodeId, sessionId, reason, message);
    });
    link.on('closed', (reason) => {
      const nodeId = link.nodeId;
      if (nodeId && this.#agents.get(nodeId) === link) {
        this.#agents.delete(nodeId);
        this.registry.markDown(nodeId, `agent link closed: ${reason}`);
      }
    });
    return link;
  }

  async #registerAgent(
    link: AgentLink,
    registration: AgentRegistration,
  ): Promise<{ nodeId: string; heartbeatIntervalMs: number }> {
    if (!secretsEqual(registration.secret, this.config.agentSecret)) {
      log.warn(
        { agentId: registration.agentId, remote: link.options.connection.remoteAddress },
        'agent secret rejected',
      );
      throw new FramewayError('FW_ERR_UNAUTHORIZED', 'agent secret rejected');
    }
    const admitted = await this.fleet.admit(link, registration);
    if (link.closed) throw new FramewayError('FW_ERR_CONNECTION_CLOSED', 'the agent left during registration');
    const node = this.registry.register(admitted);
    this.#agents.set(node.nodeId, link);
    return { nodeId: node.nodeId, heartbeatIntervalMs: this.config.registry.heartbeatIntervalMs };
  }

  #signalingUrl(host: string | undefined): string {
    const base = this.config.publicUrl ?? (host ? `http://${host}` : this.url);
    const url = new URL(PLAYER_SOCKET_PATH, base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }
}

function defaultWebRoot(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@frameway/client-sdk/package.json')), 'dist', 'web');
}

/** A gateway that listens on loopback serves local players only: keep ICE on loopback too. */
function defaultIceAddresses(host: string): string[] | undefined {
  return isLoopback(host) ? ['127.0.0.1', '::1'] : undefined;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
