import {
  type EncoderTarget,
  encodeAgentInputFrame,
  MessageType,
  type PayloadOf,
  type ProbeResult,
  type SessionEndReason,
  type SignalingChannel,
} from '@frameway/protocol';
import type { WsConnection } from '../server/SocketServer.js';

/** Outgoing calls to one edge agent: `request()`s await the agent's reply, notifications do not. */
export class AgentApi {
  readonly #channel: SignalingChannel;
  readonly #connection: WsConnection;
  readonly #startTimeoutMs: number;

  constructor(channel: SignalingChannel, connection: WsConnection, startTimeoutMs: number) {
    this.#channel = channel;
    this.#connection = connection;
    this.#startTimeoutMs = startTimeoutMs;
  }

  startSession(
    start: PayloadOf<typeof MessageType.SessionStart>,
  ): Promise<PayloadOf<typeof MessageType.SessionStarted>> {
    return this.#channel.request(MessageType.SessionStart, start, this.#startTimeoutMs);
  }

  async stopSession(sessionId: string, reason: SessionEndReason): Promise<void> {
    await this.#channel.request(MessageType.SessionStop, { sessionId, reason });
  }

  /** Asks the agent to measure RTT to `targets` (peers, the gateway); resolves with its results. */
  async probe(request: PayloadOf<typeof MessageType.FleetProbeRequest>): Promise<ProbeResult[]> {
    const reply = await this.#channel.request(MessageType.FleetProbeRequest, request, request.timeoutMs + 2000);
    return reply.results;
  }

  /** The identity challenge the agent signs in its registration (sent once, when the socket opens). */
  challenge(challenge: PayloadOf<typeof MessageType.AgentChallenge>): void {
    this.#channel.notify(MessageType.AgentChallenge, challenge);
  }

  /** The QoS ledger's start of a session's minute reports. */
  qosStart(start: PayloadOf<typeof MessageType.QosStart>): void {
    this.#channel.notify(MessageType.QosStart, start);
  }

  /** Tells the agent that its drain state changed (an operator drained it through the admin API). */
  drainState(nodeId: string, draining: boolean): void {
    this.#channel.notify(MessageType.NodeDrainState, { nodeId, draining });
  }

  requestKeyframe(sessionId: string): void {
    this.#channel.notify(MessageType.KeyframeRequest, { sessionId });
  }

  /** Steers the session's encoder: bitrate live, picture size and rate with an IDR. */
  setEncoderTarget(target: EncoderTarget): void {
    this.#channel.notify(MessageType.EncoderTarget, target);
  }

  /** Forwards one validated input message on the binary lane; false when the socket dropped it. */
  sendInput(channel: number, input: Uint8Array): boolean {
    return this.#connection.send(encodeAgentInputFrame(channel, input));
  }
}
