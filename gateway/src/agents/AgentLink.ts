import {
  AgentToGateway,
  type AnyMessage,
  FramewayError,
  MessageType,
  type PayloadOf,
  type SessionEndReason,
  SignalingChannel,
  TypedEmitter,
} from '@frameway/protocol';
import type { AgentQosHandler } from '../ledger/QosIntake.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { WsConnection } from '../server/SocketServer.js';
import { AgentApi } from './AgentApi.js';
import { handleAgentMessage } from './agentHandlers.js';

export type AgentRegistration = PayloadOf<typeof MessageType.AgentRegister>;

export type AgentLinkEvents = {
  sessionEnded: [sessionId: string, reason: SessionEndReason, message: string | undefined];
  closed: [reason: string];
};

export interface AgentLinkOptions {
  connection: WsConnection;
  /** Time an agent has to register after connecting. */
  registerTimeoutMs: number;
  startTimeoutMs: number;
  /** Validates the registration and returns the node id and heartbeat interval, or throws/rejects with a FramewayError. */
  onRegister: (
    link: AgentLink,
    registration: AgentRegistration,
  ) => { nodeId: string; heartbeatIntervalMs: number } | Promise<{ nodeId: string; heartbeatIntervalMs: number }>;
  onHeartbeat: (link: AgentLink, heartbeat: PayloadOf<typeof MessageType.AgentHeartbeat>) => void;
  /** The identity challenge sent as soon as the socket opens; the registration must answer it. */
  challenge?: PayloadOf<typeof MessageType.AgentChallenge> | undefined;
  /** The agent relays an operator's drain command; throws a FramewayError to refuse it. */
  onDrain?: (link: AgentLink, drain: PayloadOf<typeof MessageType.NodeDrain>) => void;
  /** Takes the agent's signed QoS minute reports (the QoS ledger); absent = reports are refused. */
  qos?: AgentQosHandler | undefined;
}

/** The gateway's end of one agent socket: registration, signaling, lifecycle. */
export class AgentLink extends TypedEmitter<AgentLinkEvents> {
  readonly api: AgentApi;
  readonly channel: SignalingChannel;
  log: Logger;
  readonly #options: AgentLinkOptions;
  #nodeId: string | undefined;
  #registerTimer: ReturnType<typeof setTimeout> | undefined;
  #challenge: PayloadOf<typeof MessageType.AgentChallenge> | undefined;
  #registering = false;
  #closed = false;

  constructor(options: AgentLinkOptions) {
    super((error, event) => this.log.error({ err: error, event }, 'listener threw'));
    this.#options = options;
    this.log = createLogger('agents.link', { remote: options.connection.remoteAddress });
    this.channel = new SignalingChannel({
      send: (text) => {
        options.connection.send(text);
      },
      accepts: AgentToGateway,
      onMessage: (message) => this.#dispatch(message),
      onProtocolError: (error) => this.log.warn({ code: error.code, msg: error.message }, 'rejected agent message'),
    });
    this.api = new AgentApi(this.channel, options.connection, options.startTimeoutMs);
    this.#registerTimer = setTimeout(
      () => this.close(4001, 'agent did not register in time'),
      options.registerTimeoutMs,
    );
    this.#challenge = options.challenge;
    if (options.challenge) this.api.challenge(options.challenge);
  }

  /**
   * @internal The open challenge, handed out once: a registration consumes it
   * whether it succeeds or not, so a signature can never be tried twice.
   */
  takeChallenge(): PayloadOf<typeof MessageType.AgentChallenge> | undefined {
    const challenge = this.#challenge;
    this.#challenge = undefined;
    return challenge;
  }

  /** @internal True while a registration is being checked. */
  get registering(): boolean {
    return this.#registering;
  }

  /** @internal */
  set registering(value: boolean) {
    this.#registering = value;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Node id once registered. */
  get nodeId(): string | undefined {
    return this.#nodeId;
  }

  get options(): Readonly<AgentLinkOptions> {
    return this.#options;
  }

  /** @internal Called by the registration handler on success. */
  markRegistered(nodeId: string): void {
    clearTimeout(this.#registerTimer);
    this.#nodeId = nodeId;
    this.log = this.log.child({ nodeId });
  }

  /** @internal Called by agentHandlers when the agent reports a session over. */
  reportSessionEnded(sessionId: string, reason: SessionEndReason, message: string | undefined): void {
    this.emit('sessionEnded', sessionId, reason, message);
  }

  receive(data: Uint8Array, isBinary: boolean): void {
    if (isBinary) {
      // Agents send no binary frames yet; reject instead of guessing.
      this.channel.replyError(
        undefined,
        new FramewayError('FW_ERR_UNEXPECTED_MESSAGE', 'agents send no binary frames'),
      );
      return;
    }
    this.channel.receive(data);
  }

  /** Closes the socket (if open) and fails pending requests; idempotent. */
  close(code = 1000, reason = 'closed by gateway'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#registerTimer);
    this.channel.close(reason);
    this.#options.connection.close(code, reason);
    this.emit('closed', reason);
  }

  /** The socket closed from the other side. */
  socketClosed(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#registerTimer);
    this.channel.close(`agent socket closed (${code})`);
    this.emit('closed', reason || `socket closed with ${code}`);
  }

  #dispatch(message: AnyMessage): void {
    if (this.#nodeId === undefined && message.t !== MessageType.AgentRegister) {
      this.channel.replyError(
        message.id,
        new FramewayError('FW_ERR_UNEXPECTED_MESSAGE', 'the first message on an agent socket must be AgentRegister'),
      );
      return;
    }
    handleAgentMessage(this, message);
  }
}
