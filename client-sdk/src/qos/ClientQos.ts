import {
  type AnyMessage,
  MessageType,
  type PayloadOf,
  type ReplyPayloadOf,
  type RequestType,
} from '@frameway/protocol';
import type { QosSigner, SignedClientReport } from '@frameway/protocol/qos';
import type { SessionStats } from '../media/deriveStats.js';
import { canvasMarkerSampler, InputToPhotonProbe, type MarkerSampler, type ProbedVideo } from './InputToPhotonProbe.js';
import { MinuteStats } from './MinuteStats.js';

type QosStart = PayloadOf<typeof MessageType.QosStart>;

/** The signaling socket as QoS uses it (the session replaces it on a resume). */
export interface QosSocket {
  request<T extends RequestType>(t: T, p: PayloadOf<T>, timeoutMs?: number): Promise<ReplyPayloadOf<T>>;
}

export interface ClientQosOptions {
  sessionId: string;
  /** The current signaling socket. */
  socket: () => QosSocket;
  /** The `<video>` playing the stream, for the input-to-photon probe. */
  video?: () => ProbedVideo | undefined;
  /** Reads the latency marker; defaults to a canvas sampler (browsers). */
  sampler?: MarkerSampler;
  /** The per-session key; a fresh one by default. Its private half never leaves this page. */
  key?: QosSigner;
  logger?: { debug(message: string, ...data: unknown[]): void; warn(message: string, ...data: unknown[]): void };
  now?: () => number;
  /** Page clock of input events and frame presentation (performance.now). */
  pageNow?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * The player's side of the QoS ledger: a per-session key (made here, bound
 * to the session through the gateway with proof of possession), the
 * input-to-photon probe, and one signed report per minute of the gateway's
 * grid built from the WebRTC stats samples.
 */
type QosCrypto = typeof import('./qosCrypto.js');

export class ClientQos {
  readonly #options: ClientQosOptions;
  readonly #minute = new MinuteStats();
  readonly #probe: InputToPhotonProbe | undefined;
  #start: QosStart | undefined;
  #origin = 0;
  #index = 0;
  #windowStart = 0;
  #timer: unknown;
  #closed = false;
  #key: QosSigner | undefined;
  #crypto: Promise<QosCrypto> | undefined;

  constructor(options: ClientQosOptions) {
    this.#options = options;
    this.#key = options.key;
    const video = options.video;
    if (video) {
      this.#probe = new InputToPhotonProbe({
        video,
        sample: options.sampler ?? canvasMarkerSampler(),
        onSample: (ms) => this.#minute.addInputToPhoton(ms),
      });
    }
  }

  /** The per-session key; undefined until the first bind() has loaded the signer. */
  get key(): QosSigner | undefined {
    return this.#key;
  }

  /** Binds the key to the session (again after a rejoin); the gateway answers with QosStart once it streams. */
  async bind(): Promise<void> {
    if (this.#closed) return;
    const { sessionId } = this.#options;
    try {
      const crypto = await this.#loadCrypto();
      const key = this.#sessionKey(crypto);
      const proof = await crypto.signKeyBinding(key, sessionId);
      await this.#options.socket().request(MessageType.QosBindKey, { sessionId, key: key.address, proof });
      this.#options.logger?.debug(`QoS key ${key.address} bound to ${sessionId}`);
    } catch (error) {
      this.#options.logger?.warn('QoS key binding failed; this session sends no QoS reports', error);
    }
  }

  /** Feeds every gateway message; acts on QosStart for this session. */
  handleMessage(message: AnyMessage): void {
    if (message.t !== MessageType.QosStart || message.p.sessionId !== this.#options.sessionId || this.#closed) return;
    // The minute grid is the gateway's; a second QosStart (a rejoin) restates it. Keep the running window.
    if (this.#start && this.#start.intervalMs === message.p.intervalMs) {
      this.#start = message.p;
      return;
    }
    const now = this.#now();
    this.#start = message.p;
    this.#origin = now - message.p.elapsedMs;
    this.#index = Math.floor(message.p.elapsedMs / message.p.intervalMs);
    this.#windowStart = now;
    this.#probe?.start();
    this.#schedule();
  }

  /** One periodic stats sample of the session. */
  stats(stats: SessionStats): void {
    if (!this.#closed) this.#minute.add(stats);
  }

  /** A key or button edge was sent (reliable input). */
  inputSent(): void {
    this.#probe?.inputSent(this.#options.pageNow?.() ?? performance.now());
  }

  /** Stops reporting; the running minute is not reported. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#clear(this.#timer);
    this.#probe?.close();
  }

  #schedule(): void {
    const start = this.#start;
    if (!start || this.#closed) return;
    this.#clear(this.#timer);
    const end = this.#origin + (this.#index + 1) * start.intervalMs;
    this.#timer = (this.#options.setTimer ?? defaultSetTimer)(() => this.#report(), Math.max(0, end - this.#now()));
  }

  #report(): void {
    const start = this.#start;
    if (!start || this.#closed) return;
    const now = this.#now();
    const report = this.#minute.take({
      sessionId: this.#options.sessionId,
      minuteIndex: this.#index,
      windowStart: Math.round(this.#windowStart),
      windowEnd: Math.round(now),
    });
    this.#index++;
    this.#windowStart = now;
    this.#schedule();
    this.#loadCrypto()
      .then((crypto) => crypto.signClientReport(this.#sessionKey(crypto), start.domain, report))
      .then((signature) => this.#send({ report, signature }))
      .catch((error: unknown) =>
        this.#options.logger?.warn(`QoS report for minute ${report.minuteIndex} not accepted`, error),
      );
  }

  #sessionKey(crypto: QosCrypto): QosSigner {
    if (!this.#key) this.#key = crypto.createSessionKey();
    return this.#key;
  }

  #loadCrypto(): Promise<QosCrypto> {
    this.#crypto ??= import('./qosCrypto.js');
    return this.#crypto;
  }

  async #send(signed: SignedClientReport): Promise<void> {
    await this.#options.socket().request(MessageType.QosClientReport, signed);
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #clear(handle: unknown): void {
    if (handle !== undefined) (this.#options.clearTimer ?? defaultClearTimer)(handle);
  }
}

const defaultSetTimer = (callback: () => void, ms: number): unknown => setTimeout(callback, ms);
const defaultClearTimer = (handle: unknown): void => clearTimeout(handle as ReturnType<typeof setTimeout>);
