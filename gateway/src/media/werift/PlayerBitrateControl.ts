import { BitrateController, type BitrateDecision } from '../congestion/BitrateController.js';
import { TwccFeedbackAdapter } from '../congestion/TwccFeedbackAdapter.js';
import type { MediaTarget, RouteOptions } from '../MediaRouter.js';
import type { PlayerFeedback, TransportFeedbackSink } from './WeriftPlayerPeer.js';

export interface PlayerBitrateControlOptions {
  /** The session's full picture and bitrate: the top of the quality ladder. */
  video: RouteOptions['video'];
  minKbps: number;
  /** A new target for the encoder (only when it changed past the controller's hysteresis). */
  onTarget: (target: MediaTarget) => void;
  /** Monotonic ms (performance.now by default). */
  now?: () => number;
  /** How often timers (ladder steps, probing up) are re-evaluated without new feedback. */
  tickMs?: number;
}

/**
 * Congestion control of one route's player leg: the player's transport-wide
 * feedback (through a TwccFeedbackAdapter standing in for werift's own
 * estimator on each peer), receiver reports and REMB go into one
 * BitrateController, whose changed decisions become the encoder's target.
 * It outlives a player reconnect: the new peer gets a fresh adapter (a new
 * transport-wide sequence space), the estimate carries on.
 */
export class PlayerBitrateControl {
  readonly #options: PlayerBitrateControlOptions;
  readonly #controller: BitrateController;
  readonly #now: () => number;
  readonly #tick: ReturnType<typeof setInterval>;
  #adapter: TwccFeedbackAdapter | undefined;
  #target: MediaTarget | undefined;
  #closed = false;

  constructor(options: PlayerBitrateControlOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    const { width, height, fps, bitrateKbps } = options.video;
    this.#controller = new BitrateController({
      shape: { width, height, fps },
      maxKbps: bitrateKbps,
      minKbps: options.minKbps,
    });
    this.#tick = setInterval(() => this.#apply(this.#controller.tick(this.#now())), options.tickMs ?? 250);
    this.#tick.unref();
  }

  /** The last target handed to the encoder; undefined before any feedback moved it. */
  get target(): MediaTarget | undefined {
    return this.#target;
  }

  /** The controller's latest decision (for stats and tests). */
  get decision(): BitrateDecision {
    return this.#controller.current;
  }

  /** A feedback sink for a new player transport (werift's `senderBWE` stand-in). */
  newTransport(): TransportFeedbackSink {
    this.#adapter?.removeAllListeners();
    const adapter = new TwccFeedbackAdapter({ now: this.#now });
    adapter.on('feedback', (feedback) => this.#apply(this.#controller.onTransportFeedback(feedback)));
    this.#adapter = adapter;
    // The player learns its starting target at once, not only when feedback first moves it.
    if (!this.#target) this.#apply(this.#controller.current);
    return adapter;
  }

  /** A receiver report or REMB from the player. */
  playerFeedback(feedback: PlayerFeedback): void {
    const now = this.#now();
    if (feedback.fractionLost !== undefined) {
      this.#apply(this.#controller.onReceiverReport({ fractionLost: feedback.fractionLost }, now));
    }
    if (feedback.rembBps !== undefined) this.#apply(this.#controller.onRemb(feedback.rembBps, now));
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#tick);
    this.#adapter?.removeAllListeners();
  }

  #apply(decision: BitrateDecision): void {
    if (this.#closed || !decision.changed) return;
    this.#target = {
      bitrateKbps: decision.targetKbps,
      width: decision.width,
      height: decision.height,
      fps: decision.fps,
      estimateKbps: decision.estimateKbps,
      lossFraction: decision.lossFraction,
    };
    this.#options.onTarget(this.#target);
  }
}
