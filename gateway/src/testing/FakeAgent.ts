import { createSocket, type Socket } from 'node:dgram';
import {
  type AnyMessage,
  agentChallengeMessage,
  decodeAgentFrame,
  decodeSrtpKeying,
  type FramewayError,
  GatewayToAgent,
  MessageType,
  type PayloadOf,
  SignalingChannel,
} from '@frameway/protocol';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { ProtectionProfileAes128CmHmacSha1_80, RtpHeader, SrtpSession } from 'werift';
import WebSocket from 'ws';

type SessionStart = PayloadOf<typeof MessageType.SessionStart>;

export interface FakeAgentOptions {
  url: string;
  secret: string;
  agentId?: string;
  slots?: number;
  /** Reply to SessionStart with this error instead of starting. */
  failStartWith?: FramewayError;
  /** Send heartbeats on the interval the gateway asks for. */
  heartbeat?: boolean;
  /** Node key that signs the registration challenge; a fresh one by default, `null` = register unsigned. */
  key?: PrivateKeyAccount | null;
  /** Extra AgentRegister fields (location, probeUrl, price…). */
  registration?: Partial<PayloadOf<typeof MessageType.AgentRegister>>;
}

/** A scripted edge agent for gateway tests: registers, "streams" synthetic RTP, records input. */
export class FakeAgent {
  readonly inputs: { channel: number; bytes: Uint8Array }[] = [];
  readonly starts: SessionStart[] = [];
  readonly stops: string[] = [];
  readonly keyframeRequests: string[] = [];
  readonly errors: string[] = [];
  channel!: SignalingChannel;
  socket!: WebSocket;
  #rtp: Socket | undefined;
  #rtpTimer: ReturnType<typeof setInterval> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  closedWith: number | undefined;
  /** The identity challenge the gateway sent when the socket opened. */
  challenge: PayloadOf<typeof MessageType.AgentChallenge> | undefined;
  readonly key: PrivateKeyAccount | null;

  constructor(readonly options: FakeAgentOptions) {
    this.key = options.key === undefined ? privateKeyToAccount(generatePrivateKey()) : options.key;
  }

  async connect(): Promise<void> {
    this.socket = new WebSocket(this.options.url);
    this.channel = new SignalingChannel({
      send: (text) => this.socket.send(text),
      accepts: GatewayToAgent,
      onMessage: (message) => this.#onMessage(message),
    });
    this.socket.on('message', (data, isBinary) => {
      const bytes = Buffer.from(data as Buffer);
      if (isBinary) {
        const frame = decodeAgentFrame(bytes);
        this.inputs.push({ channel: frame.channel, bytes: Uint8Array.from(frame.input) });
      } else this.channel.receive(bytes.toString());
    });
    this.socket.on('close', (code) => {
      this.closedWith = code;
      this.channel.close();
      this.#stopTimers();
    });
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
  }

  async register(): Promise<PayloadOf<typeof MessageType.AgentRegistered>> {
    const agentId = this.options.agentId ?? 'fake-agent';
    const registered = await this.channel.request(MessageType.AgentRegister, {
      agentId,
      secret: this.options.secret,
      version: 'test',
      slots: this.options.slots ?? 1,
      runtimes: ['scene'],
      encoders: [{ codec: 'h264', name: 'libx264', hardware: false }],
      gpus: [],
      ...(await this.#identity(agentId)),
      ...this.options.registration,
    });
    if (this.options.heartbeat !== false) {
      this.#heartbeat = setInterval(
        () =>
          this.channel.notify(MessageType.AgentHeartbeat, { activeSessions: this.starts.length - this.stops.length }),
        registered.heartbeatIntervalMs,
      );
    }
    return registered;
  }

  /** Signs the gateway's challenge with the node key (EIP-191), as the real agent does. */
  async #identity(agentId: string): Promise<Pick<PayloadOf<typeof MessageType.AgentRegister>, 'identity'>> {
    if (!this.key) return {};
    for (let waited = 0; !this.challenge && waited < 2000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const challenge = this.challenge;
    if (!challenge) return {};
    const signature = await this.key.signMessage({ message: agentChallengeMessage({ ...challenge, agentId }) });
    return { identity: { address: this.key.address, nonce: challenge.nonce, signature } };
  }

  /** Reports a session as ended on the agent side (runtime crash). */
  endSession(sessionId: string): void {
    this.channel.notify(MessageType.AgentSessionEnded, {
      sessionId,
      reason: 'runtime_exited',
      message: 'game crashed',
    });
  }

  stopHeartbeats(): void {
    clearInterval(this.#heartbeat);
  }

  /** Dies without a goodbye: the TCP connection is torn down. */
  kill(): void {
    this.#stopTimers();
    this.socket.terminate();
  }

  close(): void {
    this.#stopTimers();
    this.socket.close();
  }

  #stopTimers(): void {
    clearInterval(this.#heartbeat);
    clearInterval(this.#rtpTimer);
    this.#rtp?.close();
    this.#rtp = undefined;
  }

  #onMessage(message: AnyMessage): void {
    switch (message.t) {
      case MessageType.SessionStart:
        this.starts.push(message.p);
        if (this.options.failStartWith) {
          this.channel.replyError(message.id, this.options.failStartWith);
          return;
        }
        this.#startRtp(message.p);
        this.channel.reply(message, MessageType.SessionStarted, {
          sessionId: message.p.sessionId,
          encoder: { codec: 'h264', name: 'libx264', hardware: false },
        });
        return;
      case MessageType.SessionStop:
        this.stops.push(message.p.sessionId);
        this.#stopTimers();
        this.channel.reply(message, MessageType.Ack, {});
        return;
      case MessageType.KeyframeRequest:
        this.keyframeRequests.push(message.p.sessionId);
        return;
      case MessageType.AgentChallenge:
        this.challenge = message.p;
        return;
      case MessageType.Error:
        this.errors.push(message.p.code);
        return;
      default:
        return;
    }
  }

  /**
   * Sends small SRTP packets under the session's key (not real H.264: the
   * gateway forwards, it does not decode).
   */
  #startRtp(start: SessionStart): void {
    const socket = createSocket('udp4');
    this.#rtp = socket;
    const { key, salt } = decodeSrtpKeying(start.rtp.srtp.masterKey);
    const keys = { key: Buffer.from(key), salt: Buffer.from(salt) };
    const srtp = new SrtpSession({
      keys: {
        localMasterKey: keys.key,
        localMasterSalt: keys.salt,
        remoteMasterKey: keys.key,
        remoteMasterSalt: keys.salt,
      },
      profile: ProtectionProfileAes128CmHmacSha1_80,
    });
    let seq = 0;
    this.#rtpTimer = setInterval(() => {
      const header = new RtpHeader({
        payloadType: start.rtp.payloadType,
        marker: true,
        sequenceNumber: seq & 0xffff,
        timestamp: (seq * 1500) >>> 0,
        ssrc: start.rtp.ssrc,
      });
      seq++;
      socket.send(srtp.encrypt(Buffer.alloc(100, 0xab), header), start.rtp.port, start.rtp.host);
    }, 10);
  }
}
