import { type EncoderControls, FramewayError } from '@frameway/protocol';
import type { AgentApi } from '../agents/AgentApi.js';
import {
  KeyframeRequestCoalescer,
  type KeyframeRequestCoalescerOptions,
} from '../media/control/KeyframeRequestCoalescer.js';
import { targetUsesFec } from '../media/fec/PlayerFecControl.js';
import type { MediaTarget, SessionRoute } from '../media/MediaRouter.js';
import type { Session } from './Session.js';
import type { PlayerPort } from './SessionPlayer.js';

export interface SessionMediaControlOptions {
  session: Session;
  /** The session's current agent link (it changes on failover). */
  agent: () => AgentApi | undefined;
  /** The session's player link while one is connected. */
  player: () => PlayerPort | undefined;
  keyframes: Partial<KeyframeRequestCoalescerOptions>;
  now: () => number;
}

/** Encoder controls assumed until the agent says otherwise: what every agent could always do (nothing live). */
const NO_CONTROLS: EncoderControls = Object.freeze({
  keyframeOnDemand: false,
  liveBitrate: false,
  liveResize: false,
  retransmits: false,
});

/**
 * The session's media control loops, between its route and its agent:
 * keyframe requests coalesced and rate-limited on their way to the encoder,
 * an encoder that ignores them noticed (typed warning, backed off), and
 * congestion control's targets passed to the encoder and shown to the player.
 * It owns timers, not sockets: the agent and player links come in as getters.
 */
export class SessionMediaControl {
  readonly #options: SessionMediaControlOptions;
  readonly #keyframes: KeyframeRequestCoalescer;
  #deferred: ReturnType<typeof setTimeout> | undefined;
  #controls: EncoderControls = NO_CONTROLS;
  #controlsKnown = false;
  #lastTarget: MediaTarget | undefined;
  #warnedIgnoring = false;
  #closed = false;

  constructor(options: SessionMediaControlOptions) {
    this.#options = options;
    this.#keyframes = new KeyframeRequestCoalescer(options.keyframes);
  }

  get controls(): EncoderControls {
    return this.#controls;
  }

  /** The last target sent to the encoder. */
  get target(): MediaTarget | undefined {
    return this.#lastTarget;
  }

  /** Follows the route's media events: keyframe requests and keyframes, targets, budget warnings. */
  listenTo(route: SessionRoute): void {
    route.on('keyframeRequest', () => this.requestKeyframe());
    route.on('ingestKeyframe', () => this.keyframeSeen());
    route.on('mediaTarget', (target) => this.setTarget(target));
    route.on('mediaWarning', (error) => {
      this.#options.session.log.warn({ code: error.code }, error.message);
      // The player is told when it is the one over budget (NACK or PLI flood).
      if (error.code === 'FW_ERR_MEDIA_RATE_LIMITED') this.#options.player()?.warn(error);
    });
  }

  /** The agent started the session: what its encoder can do. */
  encoderStarted(controls: EncoderControls | undefined): void {
    this.#controls = controls ?? NO_CONTROLS;
    // An agent from before encoder controls says nothing: it is still asked for keyframes, as it always was.
    this.#controlsKnown = controls !== undefined;
    // A new encoder starts at the session's shape; a target chosen for the previous one is re-sent.
    if (this.#lastTarget) this.setTarget(this.#lastTarget);
  }

  /** The player's decoder, the ingest or a join needs a keyframe. `force`: skip the spacing (a new encoder). */
  requestKeyframe(force = false): void {
    // An encoder that said it cannot force an IDR is not asked: its periodic keyframes are all there is.
    if (this.#closed || (this.#controlsKnown && !this.#controls.keyframeOnDemand)) return;
    const now = this.#options.now();
    const decision = this.#keyframes.request(now, force);
    this.#noticeIgnoring();
    if (decision.action === 'send') this.#sendKeyframeRequest();
    else if (decision.action === 'defer') {
      this.#deferred = setTimeout(() => {
        this.#deferred = undefined;
        if (!this.#closed && this.#keyframes.flush(this.#options.now())) this.#sendKeyframeRequest();
      }, decision.delayMs);
      this.#deferred.unref?.();
    }
  }

  /** A keyframe arrived on the ingest. */
  keyframeSeen(): void {
    this.#keyframes.keyframeSeen(this.#options.now());
  }

  /** Congestion control chose a new target: the encoder gets what it can apply, the player is told. */
  setTarget(target: MediaTarget): void {
    if (this.#closed) return;
    this.#lastTarget = target;
    const { session } = this.#options;
    if (this.#controls.liveBitrate || this.#controls.liveResize) {
      const full = session.video;
      this.#options.agent()?.setEncoderTarget({
        sessionId: session.id,
        bitrateKbps: this.#controls.liveBitrate ? target.bitrateKbps : full.bitrateKbps,
        width: this.#controls.liveResize ? target.width : full.width,
        height: this.#controls.liveResize ? target.height : full.height,
        fps: this.#controls.liveResize ? target.fps : full.fps,
      });
    }
    this.#options.player()?.streamQuality({
      sessionId: session.id,
      targetKbps: this.#controls.liveBitrate ? target.bitrateKbps : session.video.bitrateKbps,
      estimateKbps: Math.round(target.estimateKbps),
      width: this.#controls.liveResize ? target.width : session.video.width,
      height: this.#controls.liveResize ? target.height : session.video.height,
      fps: this.#controls.liveResize ? target.fps : session.video.fps,
      fec: targetUsesFec(target),
      loss: Math.min(1, Math.max(0, target.lossFraction)),
    });
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#deferred);
  }

  #sendKeyframeRequest(): void {
    this.#options.agent()?.requestKeyframe(this.#options.session.id);
  }

  #noticeIgnoring(): void {
    if (!this.#keyframes.ignoring) {
      this.#warnedIgnoring = false;
      return;
    }
    if (this.#warnedIgnoring) return;
    this.#warnedIgnoring = true;
    const error = new FramewayError(
      'FW_ERR_KEYFRAME_IGNORED',
      `the encoder answered none of the last ${this.#keyframes.counters.ignored} keyframe requests; asking less often`,
    );
    this.#options.session.log.warn({ code: error.code, counters: this.#keyframes.counters }, error.message);
  }
}
