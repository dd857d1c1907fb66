import { performance } from 'node:perf_hooks';
import type { VideoSink } from '../runtime/SessionRuntime.js';

export interface HandoffWindow {
  /** Frames timed in the window. */
  samples: number;
  meanUs: number;
  p95Us: number;
}

export interface HandoffTimerOptions {
  now?: () => number;
  /** How often an in-flight frame is checked for having been taken (ms). */
  pollMs?: number;
  /** A frame not taken after this long stops being timed (ffmpeg stalled; drops count it). */
  giveUpMs?: number;
}

/**
 * Times how long the encoder takes to accept each raw frame: from pushFrame()
 * until the sink is ready for the next one. With the ffmpeg CLI that is the
 * time ffmpeg needs to take a frame off its stdin pipe, which includes the
 * encode of the previous frame whenever the encoder is the bottleneck: the
 * encode cost visible from outside ffmpeg (an in-process encoder can report
 * its own per-frame time instead).
 */
export class HandoffTimer {
  readonly #now: () => number;
  readonly #pollMs: number;
  readonly #giveUpMs: number;
  #samplesUs: number[] = [];
  #inFlightSince: number | undefined;
  #sink: VideoSink | undefined;
  #poll: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: HandoffTimerOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#pollMs = options.pollMs ?? 1;
    this.#giveUpMs = options.giveUpMs ?? 1_000;
  }

  /** A sink that behaves exactly like `sink` and times every frame it accepts. */
  wrap(sink: VideoSink): VideoSink {
    this.#sink = sink;
    const timer = this;
    return {
      get ready(): boolean {
        const ready = sink.ready;
        if (ready) timer.#taken();
        return ready;
      },
      pushFrame(frame: Uint8Array): boolean {
        const accepted = sink.pushFrame(frame);
        if (accepted) timer.#started();
        return accepted;
      },
      writeEncoded: (chunk: Uint8Array): boolean => sink.writeEncoded(chunk),
    };
  }

  /** The frames timed since the last call, and starts a new window. */
  takeWindow(): HandoffWindow {
    const samples = this.#samplesUs;
    this.#samplesUs = [];
    if (samples.length === 0) return { samples: 0, meanUs: 0, p95Us: 0 };
    const sorted = samples.sort((a, b) => a - b);
    const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
    const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] as number;
    return { samples: sorted.length, meanUs: Math.round(mean), p95Us: Math.round(p95) };
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#poll);
    this.#inFlightSince = undefined;
  }

  #started(): void {
    this.#inFlightSince = this.#now();
    this.#schedulePoll();
  }

  #taken(): void {
    const since = this.#inFlightSince;
    if (since === undefined) return;
    this.#inFlightSince = undefined;
    clearTimeout(this.#poll);
    this.#samplesUs.push((this.#now() - since) * 1000);
  }

  #schedulePoll(): void {
    if (this.#closed) return;
    clearTimeout(this.#poll);
    this.#poll = setTimeout(() => {
      const since = this.#inFlightSince;
      if (since === undefined || this.#closed) return;
      if (this.#sink?.ready) this.#taken();
      else if (this.#now() - since > this.#giveUpMs) this.#inFlightSince = undefined;
      else this.#schedulePoll();
    }, this.#pollMs);
    this.#poll.unref?.();
  }
}
