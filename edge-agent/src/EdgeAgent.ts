import {
  type EncoderControls,
  type EncoderInfo,
  type EncoderTarget,
  FramewayError,
  type InputEvent,
  type MessageType,
  type PayloadOf,
  SessionEndReason,
  type SignalingChannel,
  TypedEmitter,
} from '@frameway/protocol';
import type { AgentConfig } from './config.js';
import { type EncoderName, isEncoderName } from './encoder/encoderCatalog.js';
import { inProcessEncoderAvailable } from './encoder/loadNodeAv.js';
import { type NodeCapabilities, probeEncoders } from './encoder/probeEncoders.js';
import { resolveFfmpeg } from './ffmpeg/resolveFfmpeg.js';
import { FleetMember } from './fleet/FleetMember.js';
import { loadNodeKey } from './fleet/loadNodeKey.js';
import { GatewayLink } from './gateway/GatewayLink.js';
import { notifySessionEnded, register, sendHeartbeat } from './gateway/gatewayApi.js';
import {
  createGatewayHandlers,
  type GatewayHandlers,
  type InputStats,
  type SessionHost,
} from './gateway/gatewayHandlers.js';
import type { NodeKey } from './identity/NodeKey.js';
import { createLogger } from './logging/logger.js';
import { AgentQos } from './qos/AgentQos.js';
import { createRuntimeFactory, type RuntimeFactory } from './runtime/createRuntime.js';
import type { AgentSession, SessionEnd } from './session/AgentSession.js';
import { createAgentSession } from './session/createAgentSession.js';
import { SessionTable } from './session/SessionTable.js';
import { cpuLoad } from './system/cpuLoad.js';
import { AGENT_VERSION } from './version.js';

const log = createLogger('agent');

type SessionStart = PayloadOf<typeof MessageType.SessionStart>;

export interface EdgeAgentOptions {
  config: AgentConfig;
  /** Skips the encoder probe (embedding, tests); must list at least one encoder. */
  capabilities?: NodeCapabilities;
  /** Creates session runtimes; defaults to the ones the config enables. */
  createRuntime?: RuntimeFactory;
  /** Randomness for reconnect jitter. */
  random?: () => number;
  /** The node key (identity); loaded from `config.fleet.nodeKeyFile` when absent. */
  nodeKey?: NodeKey;
}

export type EdgeAgentEvents = {
  registered: [nodeId: string];
  disconnected: [reason: string];
  sessionStarted: [sessionId: string];
  sessionEnded: [sessionId: string, end: SessionEnd];
  closed: [];
};

/**
 * The edge agent: finds ffmpeg and the working encoders, keeps a registered
 * link to the gateway, and runs the sessions the gateway starts (one runtime
 * feeding one ffmpeg each), within its slot count.
 */
export class EdgeAgent extends TypedEmitter<EdgeAgentEvents> implements SessionHost {
  readonly config: AgentConfig;
  readonly #createRuntime: RuntimeFactory;
  readonly #link: GatewayLink;
  readonly #handlers: GatewayHandlers;
  readonly #sessions: SessionTable;
  readonly #fleet: FleetMember;
  readonly #qos: AgentQos;
  // Sessions the gateway has been told are started: only those get AgentSessionEnded.
  readonly #announced = new WeakSet<AgentSession>();
  #capabilities: NodeCapabilities | undefined;
  #ffmpegPath: string | undefined;
  #nodeId: string | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  // Sessions still stopping after the gateway link dropped.
  #draining: Promise<unknown> = Promise.resolve();

  constructor(options: EdgeAgentOptions) {
    super((error, event) => log.error({ err: error, event }, 'agent event listener threw'));
    this.config = options.config;
    this.#capabilities = options.capabilities;
    this.#createRuntime = options.createRuntime ?? createRuntimeFactory(options.config);
    this.#sessions = new SessionTable(options.config.slots);
    this.#handlers = createGatewayHandlers(this);
    this.#link = new GatewayLink({
      url: options.config.gatewayUrl,
      reconnect: options.config.reconnect,
      requestTimeoutMs: options.config.requestTimeoutMs,
      ...(options.random ? { random: options.random } : {}),
    });
    this.#link.on('up', (channel) => {
      this.#onLinkUp(channel).catch((error: unknown) => log.error({ err: error }, 'registration failed'));
    });
    this.#link.on('down', (reason) => this.#onLinkDown(reason));
    this.#link.on('message', (message, channel) => this.#handlers.handleMessage(message, channel));
    this.#fleet = new FleetMember({
      agentId: options.config.agentId,
      gatewayUrl: options.config.gatewayUrl,
      config: options.config.fleet,
      key: options.nodeKey ?? loadNodeKey(options.config.fleet.nodeKeyFile, options.config.agentId),
    });
    this.#link.on('message', (message, channel) => this.#fleet.handleMessage(message, channel));
    this.#qos = new AgentQos({
      signer: this.#fleet.key.account,
      nodeId: () => this.#nodeId,
      session: (id) => {
        const session = this.#sessions.get(id);
        return session && { counters: () => session.encoderStats, handoff: () => session.handoff.takeWindow() };
      },
    });
    this.#link.on('message', (message, channel) => this.#qos.handleMessage(message, channel));
    this.#link.on('binary', (data) => this.#handlers.handleBinary(data));
  }

  /** The gateway's id for this node while registered. */
  get nodeId(): string | undefined {
    return this.#nodeId;
  }

  /** Node identity, probe endpoint and drain state. */
  get fleet(): FleetMember {
    return this.#fleet;
  }

  get capabilities(): NodeCapabilities | undefined {
    return this.#capabilities;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  get inputStats(): Readonly<InputStats> {
    return { ...this.#handlers.inputStats };
  }

  /** Gateway sockets opened so far (1 + reconnects). */
  get gatewayConnects(): number {
    return this.#link.connects;
  }

  session(sessionId: string): AgentSession | undefined {
    return this.#sessions.get(sessionId);
  }

  /**
   * Resolves ffmpeg, probes encoders (unless given) and starts dialling the
   * gateway. Rejects with FW_ERR_ENCODER_UNAVAILABLE when the node cannot
   * encode at all. Registration happens in the background, again after every
   * reconnect.
   */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#ffmpegPath = this.config.ffmpegPath ?? resolveFfmpeg().path;
    if (!this.#capabilities) {
      const started = Date.now();
      this.#capabilities = await probeEncoders({ ffmpegPath: this.#ffmpegPath, timeoutMs: this.config.probeTimeoutMs });
      log.info(
        {
          encoders: this.#capabilities.encoders.map((encoder) => encoder.name),
          gpus: this.#capabilities.gpus.map((gpu) => gpu.model),
          ms: Date.now() - started,
        },
        'encoders probed',
      );
    }
    if (this.#capabilities.encoders.length === 0) {
      throw new FramewayError('FW_ERR_ENCODER_UNAVAILABLE', `no encoder works with ffmpeg at ${this.#ffmpegPath}`);
    }
    if (this.config.inProcessEncoder && this.#capabilities.inProcess === undefined) {
      this.#capabilities = { ...this.#capabilities, inProcess: await probeInProcessEncoders(this.#capabilities) };
    }
    if (this.#closing) return;
    await this.#fleet.start();
    if (this.#closing) return;
    log.info(
      {
        agentId: this.config.agentId,
        gateway: this.config.gatewayUrl,
        slots: this.config.slots,
        address: this.#fleet.key.address,
        probeUrl: this.#fleet.probeUrl,
      },
      'agent started',
    );
    this.#link.start();
  }

  /**
   * Stops every session (the gateway is told: agent_shutdown), then closes
   * the gateway socket. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    log.info({ sessions: this.#sessions.size }, 'agent shutting down');
    this.#stopHeartbeat();
    await Promise.all(
      this.#sessions.values().map((session) =>
        session.close({
          reason: SessionEndReason.AgentShutdown,
          message: 'edge agent shutting down',
          origin: 'agent',
        }),
      ),
    );
    await this.#link.close();
    await this.#fleet.close();
    this.#nodeId = undefined;
    log.info('agent stopped');
    this.emit('closed');
  }

  async startSession(request: SessionStart): Promise<{ encoder: EncoderInfo; encoderControls: EncoderControls }> {
    const { sessionId } = request;
    const refusal = refuseStart(request, this.config, this.#sessions, this.#closing !== undefined);
    if (refusal) throw refusal;
    const session = createAgentSession(request, {
      ffmpegPath: this.#ffmpegPath as string,
      encoders: this.#capabilities?.encoders ?? [],
      createRuntime: this.#createRuntime,
      encoderCloseGraceMs: this.config.encoderCloseGraceMs,
      ...(this.config.intraRefresh === undefined ? {} : { intraRefresh: this.config.intraRefresh }),
      inProcessEncoders: this.#capabilities?.inProcess ?? new Set(),
    });
    this.#sessions.add(session); // throws on a duplicate id or channel
    session.on('ended', (end) => this.#onSessionEnded(session, end));
    this.#qos.sessionStarted(sessionId, request.video.bitrateKbps);
    await session.start();
    this.#announced.add(session);
    this.emit('sessionStarted', sessionId);
    return { encoder: session.encoderInfo, encoderControls: session.encoderControls };
  }

  /**
   * Asks the gateway to drain this node (no new sessions; the current ones
   * finish) or to lift the drain. Rejects when not connected.
   */
  async drain(draining = true): Promise<void> {
    const channel = this.#link.channel;
    if (!channel || this.#nodeId === undefined) {
      throw new FramewayError('FW_ERR_CONNECTION_CLOSED', 'not registered with a gateway');
    }
    await this.#fleet.requestDrain(channel, draining, 'operator request on the agent');
  }

  async stopSession(sessionId: string, reason: SessionEndReason): Promise<boolean> {
    const session = this.#sessions.get(sessionId);
    if (!session) return false;
    await session.close({ reason, message: 'stopped by the gateway', origin: 'gateway' });
    return true;
  }

  requestKeyframe(sessionId: string): boolean {
    return this.#sessions.get(sessionId)?.requestKeyframe() ?? false;
  }

  setEncoderTarget(target: EncoderTarget): boolean {
    const session = this.#sessions.get(target.sessionId);
    const applied = session?.setTarget(target);
    if (!applied) return false;
    this.#qos.targetChanged(target.sessionId, applied.bitrateKbps);
    return true;
  }

  applyInput(channel: number, events: readonly InputEvent[]): boolean {
    const session = this.#sessions.byChannel(channel);
    if (!session) return false;
    session.applyInput(events);
    return true;
  }

  #onSessionEnded(session: AgentSession, end: SessionEnd): void {
    this.#sessions.remove(session);
    this.#qos.sessionEnded(session.sessionId);
    const channel = this.#link.channel;
    if (end.origin === 'agent' && this.#announced.has(session) && channel) {
      notifySessionEnded(channel, { sessionId: session.sessionId, reason: end.reason, message: end.message });
    }
    this.emit('sessionEnded', session.sessionId, end);
  }

  async #onLinkUp(channel: SignalingChannel): Promise<void> {
    // Sessions of the previous connection must be gone before the gateway sees
    // this agent's slots as free again.
    await this.#draining;
    if (channel.closed || this.#closing) return;
    const capabilities = this.#capabilities as NodeCapabilities;
    const fleetFields = await this.#fleet.registrationFields(channel);
    if (channel.closed || this.#closing) return;
    register(channel, {
      agentId: this.config.agentId,
      secret: this.config.secret,
      version: AGENT_VERSION,
      slots: this.config.slots,
      runtimes: [...this.config.runtimes],
      encoders: capabilities.encoders,
      gpus: capabilities.gpus,
      ...(this.config.region === undefined ? {} : { region: this.config.region }),
      ...fleetFields,
    }).then(
      (registered) => {
        if (channel.closed || this.#closing) return;
        this.#nodeId = registered.nodeId;
        this.#link.resetBackoff();
        this.#startHeartbeat(channel, registered.heartbeatIntervalMs);
        log.info({ nodeId: registered.nodeId, heartbeatIntervalMs: registered.heartbeatIntervalMs }, 'registered');
        this.emit('registered', registered.nodeId);
      },
      (error: unknown) => {
        if (channel.closed || this.#closing) return;
        log.error({ err: error }, 'registration rejected; will retry');
        this.#link.drop('registration rejected');
      },
    );
  }

  #onLinkDown(reason: string): void {
    this.#stopHeartbeat();
    this.#nodeId = undefined;
    if (this.#closing) return;
    // The gateway ends every session of an agent it loses; keeping them would
    // only burn the GPU and double-book slots after re-registering.
    this.#draining = Promise.all(
      this.#sessions
        .values()
        .map((session) => session.close({ reason: SessionEndReason.AgentLost, message: reason, origin: 'gateway' })),
    );
    this.emit('disconnected', reason);
  }

  #startHeartbeat(channel: SignalingChannel, intervalMs: number): void {
    this.#stopHeartbeat();
    this.#heartbeat = setInterval(() => {
      sendHeartbeat(channel, { activeSessions: this.#sessions.size, cpuLoad: cpuLoad() });
    }, intervalMs);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}

/** Which probed encoders also open in-process (node-av); each one that does not is logged with its reason. */
async function probeInProcessEncoders(capabilities: NodeCapabilities): Promise<ReadonlySet<EncoderName>> {
  const usable = new Set<EncoderName>();
  for (const { name } of capabilities.encoders) {
    if (!isEncoderName(name)) continue;
    const available = await inProcessEncoderAvailable(name);
    if (available === true) usable.add(name);
    else
      log.info({ encoder: name, reason: available }, 'in-process encoder unavailable; the ffmpeg CLI encodes instead');
  }
  return usable;
}

/** Why this agent cannot take `request` now (shutting down, runtime not offered, a duplicate, no slot), if it cannot. */
function refuseStart(
  request: SessionStart,
  config: AgentConfig,
  sessions: SessionTable,
  closing: boolean,
): FramewayError | undefined {
  if (closing) return new FramewayError('FW_ERR_INVALID_STATE', 'the agent is shutting down');
  if (!(config.runtimes as readonly string[]).includes(request.runtime)) {
    return new FramewayError('FW_ERR_UNSUPPORTED_RUNTIME', `runtime '${request.runtime}' is not offered by this agent`);
  }
  if (sessions.get(request.sessionId)) {
    return new FramewayError('FW_ERR_INVALID_STATE', `session ${request.sessionId} already runs on this agent`);
  }
  if (!sessions.hasCapacity) {
    return new FramewayError('FW_ERR_NO_CAPACITY', `all ${config.slots} slots of this agent are in use`);
  }
  return undefined;
}
