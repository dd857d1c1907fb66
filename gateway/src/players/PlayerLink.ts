import { type AnyMessage, FramewayError, MessageType, PlayerToGateway, SignalingChannel } from '@frameway/protocol';
import { createLogger, type Logger } from '../logging/logger.js';
import type { ProbeRequest, ProbeResults, QueuePosition } from '../placement/Placer.js';
import type { WsConnection } from '../server/SocketServer.js';
import type { Session } from '../sessions/Session.js';
import type { SessionPlayer } from '../sessions/SessionPlayer.js';
import { PlayerApi } from './PlayerApi.js';
import { handlePlayerMessage, type PlayerContext } from './playerHandlers.js';

export interface PlayerLinkOptions {
  connection: WsConnection;
  context: PlayerContext;
  /** Time a player has to join after connecting. */
  joinTimeoutMs: number;
}

/** The gateway's end of one player socket: incoming messages go to its handlers, outgoing ones through `api`. */
export class PlayerLink implements SessionPlayer {
  readonly api: PlayerApi;
  readonly channel: SignalingChannel;
  readonly context: PlayerContext;
  log: Logger;
  readonly #connection: WsConnection;
  #session: Session | undefined;
  #joinTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #joinTimeoutMs: number;
  /** Set from the player's join: place it on the nearest node even when that is over the latency budget. */
  acceptOverBudget = false;
  #closed = false;
  #onClosed: ((link: PlayerLink) => void) | undefined;

  constructor(options: PlayerLinkOptions) {
    this.#connection = options.connection;
    this.context = options.context;
    this.log = createLogger('players.link', { remote: options.connection.remoteAddress });
    this.channel = new SignalingChannel({
      send: (text) => {
        options.connection.send(text);
      },
      accepts: PlayerToGateway,
      onMessage: (message) => this.#dispatch(message),
      onProtocolError: (error) => this.log.debug({ code: error.code, msg: error.message }, 'rejected player message'),
    });
    this.api = new PlayerApi(this.channel);
    this.#joinTimeoutMs = options.joinTimeoutMs;
    this.#joinTimer = setTimeout(() => this.close(4001, 'player did not join in time'), options.joinTimeoutMs);
  }

  get session(): Session | undefined {
    return this.#session;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Placement's probe round, through the player's api. */
  probe(request: ProbeRequest, timeoutMs: number): Promise<ProbeResults> {
    return this.api.probe(request, timeoutMs);
  }

  queuePosition(sessionId: string, update: QueuePosition): void {
    this.api.queuePosition(sessionId, update);
  }

  /** The player sent a join with a valid token: the join timer (a socket that never joins) stops. */
  joinStarted(): void {
    clearTimeout(this.#joinTimer);
  }

  /** The join was refused: the socket gets the join timeout again to try once more, then closes. */
  joinFailed(): void {
    if (this.#closed || this.#session) return;
    clearTimeout(this.#joinTimer);
    this.#joinTimer = setTimeout(() => this.close(4001, 'player did not join in time'), this.#joinTimeoutMs);
  }

  /** @internal Binds the link to its session once joined. */
  attach(session: Session): void {
    clearTimeout(this.#joinTimer);
    this.#session = session;
    this.log = this.log.child({ sessionId: session.id });
  }

  /** Registers the one callback the session manager uses to learn that the player went away. */
  onClosed(callback: (link: PlayerLink) => void): void {
    this.#onClosed = callback;
  }

  receive(data: Uint8Array, isBinary: boolean): void {
    if (isBinary) {
      // Input travels on DataChannels, never on the signaling socket.
      this.api.warn(
        new FramewayError('FW_ERR_UNEXPECTED_MESSAGE', 'binary frames are not accepted on the player socket'),
      );
      return;
    }
    this.channel.receive(data);
  }

  close(code = 1000, reason = 'closed by gateway'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#joinTimer);
    this.channel.close(reason);
    this.#connection.close(code, reason);
    this.#onClosed?.(this);
  }

  socketClosed(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#joinTimer);
    this.channel.close(`player socket closed (${code})`);
    this.#onClosed?.(this);
  }

  #dispatch(message: AnyMessage): void {
    if (this.#session === undefined && message.t !== MessageType.PlayerJoin && message.t !== MessageType.Ping) {
      this.channel.replyError(
        message.id,
        new FramewayError('FW_ERR_UNEXPECTED_MESSAGE', 'the first message on a player socket must be PlayerJoin'),
      );
      return;
    }
    handlePlayerMessage(this, message).catch((error: unknown) => {
      const fwError =
        error instanceof FramewayError
          ? error
          : new FramewayError('FW_ERR_INTERNAL', 'internal error', undefined, { cause: error });
      if (fwError.code === 'FW_ERR_INTERNAL') this.log.error({ err: error }, 'player handler failed');
      this.channel.replyError(message.id, fwError);
    });
  }
}
