/** Where encoded input messages go: the reliable channel for edges, the motion channel for pointer motion. */
export interface InputSink {
  send(bytes: Uint8Array, reliable: boolean): void;
}

/** The part of an `RTCDataChannel` the SDK uses; a fake in tests. */
export interface DataChannelLike {
  readonly readyState: string;
  readonly bufferedAmount: number;
  send(data: Uint8Array<ArrayBuffer>): void;
  addEventListener(type: 'open', listener: () => void): void;
  removeEventListener(type: 'open', listener: () => void): void;
}

export interface InputChannelsOptions {
  /** Edges queued while the reliable channel is still connecting; older ones are kept, newer dropped. */
  maxQueuedMessages?: number;
  /** Motion is dropped while this many bytes wait in the motion channel: a stale move is worse than none. */
  maxMotionBufferedBytes?: number;
}

const defaults = { maxQueuedMessages: 64, maxMotionBufferedBytes: 4096 } as const;

/**
 * The two input DataChannels of a session. Key and button edges sent before
 * the reliable channel opens are queued (bounded) so a key pressed during
 * connection setup still arrives; pointer motion is never queued.
 */
export class InputChannels implements InputSink {
  readonly #reliable: DataChannelLike;
  readonly #motion: DataChannelLike;
  readonly #options: Required<InputChannelsOptions>;
  readonly #queue: Uint8Array<ArrayBuffer>[] = [];
  #dropped = 0;
  #closed = false;

  constructor(reliable: DataChannelLike, motion: DataChannelLike, options: InputChannelsOptions = {}) {
    this.#reliable = reliable;
    this.#motion = motion;
    this.#options = { ...defaults, ...options };
    reliable.addEventListener('open', this.#flush);
  }

  /** True once key and button edges go straight out. */
  get open(): boolean {
    return this.#reliable.readyState === 'open';
  }

  /** Messages dropped so far (queue full, channel closed, motion backpressure). */
  get dropped(): number {
    return this.#dropped;
  }

  send(bytes: Uint8Array, reliable: boolean): void {
    // Input messages are always freshly encoded, never views on shared memory.
    const message = bytes as Uint8Array<ArrayBuffer>;
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    if (!reliable) {
      const motion = this.#motion;
      if (motion.readyState === 'open' && motion.bufferedAmount <= this.#options.maxMotionBufferedBytes) {
        this.#trySend(motion, message);
      } else {
        this.#dropped++;
      }
      return;
    }
    const channel = this.#reliable;
    if (channel.readyState === 'open') {
      this.#trySend(channel, message);
    } else if (channel.readyState === 'connecting' && this.#queue.length < this.#options.maxQueuedMessages) {
      this.#queue.push(message);
    } else {
      this.#dropped++;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#dropped += this.#queue.length;
    this.#queue.length = 0;
    this.#reliable.removeEventListener('open', this.#flush);
  }

  readonly #flush = (): void => {
    for (const message of this.#queue.splice(0)) this.#trySend(this.#reliable, message);
  };

  #trySend(channel: DataChannelLike, message: Uint8Array<ArrayBuffer>): void {
    try {
      channel.send(message);
    } catch {
      // The channel closed between the state check and the send; the session ends on its own path.
      this.#dropped++;
    }
  }
}
