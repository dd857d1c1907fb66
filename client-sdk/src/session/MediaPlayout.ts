import type { InputController, InputTarget } from '../input/InputController.js';
import type { Logger } from '../log/Logger.js';
import type { SessionStats } from '../media/deriveStats.js';
import { FrameMonitor, type FrameSource, type FrameTiming } from '../media/FrameMonitor.js';
import type { FreezeEvent } from '../media/FreezeDetector.js';
import type { MediaConnection } from '../media/MediaConnection.js';
import type { AttachOptions } from './sessionEvents.js';

export interface MediaPlayoutOptions {
  input: InputController;
  logger: Logger;
  /** The peer connection playing now, if any. */
  media: () => MediaConnection | undefined;
  /** The latest round-trip time, for the per-frame latency estimate. */
  rttMs: () => number | undefined;
  /** Every presented frame; only called while `wantsFrames()` (the estimate costs a little per frame). */
  onFrame: (frame: FrameTiming) => void;
  wantsFrames: () => boolean;
  onFreeze: (event: FreezeEvent) => void;
}

/** The presented-frame figures a stats sample gets from the attached `<video>`. */
export type PlayoutStats = Pick<
  SessionStats,
  'frameLatencyMs' | 'frameLatencyP95Ms' | 'presentedFps' | 'presentedFreezeCount'
>;

/**
 * Where the session is seen and heard: the attached `<video>` (muted, so
 * autoplay is allowed), sound in an `<audio>` of its own, the frame monitor
 * that watches presented frames and freezes, and input capture on the element.
 */
export class MediaPlayout {
  readonly #options: MediaPlayoutOptions;
  #element: HTMLVideoElement | undefined;
  #audio: HTMLAudioElement | undefined;
  #muted = true;
  #frames: FrameMonitor | undefined;
  #captureOnAttach = true;

  constructor(options: MediaPlayoutOptions) {
    this.#options = options;
  }

  /** The attached `<video>`, if any. */
  get element(): HTMLVideoElement | undefined {
    return this.#element;
  }

  get muted(): boolean {
    return this.#muted;
  }

  /** Turning sound on must happen in a user gesture (autoplay rules). */
  set muted(muted: boolean) {
    this.#muted = muted;
    const audible = this.#options.media()?.lowLatency === false ? this.#element : this.#audio;
    if (!audible) return;
    audible.muted = muted;
    if (!muted) audible.play()?.catch((error: unknown) => this.#options.logger.warn('audio did not start', error));
  }

  /** True while the attached video shows a frozen picture. */
  get frozen(): boolean {
    return this.#frames?.summary().frozen ?? false;
  }

  attach(element: HTMLVideoElement, options: AttachOptions): void {
    this.#element = element;
    this.#captureOnAttach = options.captureInput ?? true;
    element.muted = true;
    element.playsInline = true;
    element.autoplay = true;
    this.#frames?.close();
    this.#frames = new FrameMonitor({
      element: element as FrameSource,
      rttMs: this.#options.rttMs,
      onFrame: (frame) => {
        if (this.#options.wantsFrames()) this.#options.onFrame(frame);
      },
      onFreeze: this.#options.onFreeze,
      isHidden: () => element.ownerDocument?.visibilityState === 'hidden',
    });
    const media = this.#options.media();
    if (media) this.#play(element, media);
  }

  /** A new peer connection replaced the old one: its stream plays from its first frame. */
  mediaChanged(media: MediaConnection): void {
    this.#frames?.resetStream();
    if (this.#element) this.#play(this.#element, media);
  }

  /** Presented-frame figures for a stats sample (undefined where the browser cannot watch frames). */
  stats(): PlayoutStats {
    const frames = this.#frames?.supported ? this.#frames.summary() : undefined;
    return {
      frameLatencyMs: frames?.latencyMs,
      frameLatencyP95Ms: frames?.latencyP95Ms,
      presentedFps: frames === undefined ? undefined : Math.round(frames.fps * 10) / 10,
      presentedFreezeCount: frames?.freezeCount ?? 0,
    };
  }

  /** Stops watching frames and silences the audio element. */
  close(): void {
    this.#frames?.close();
    if (this.#audio) {
      this.#audio.pause();
      this.#audio.srcObject = null;
    }
  }

  #play(element: HTMLVideoElement, media: MediaConnection): void {
    const stream = media.lowLatency ? media.videoStream : media.stream;
    if (element.srcObject !== stream) element.srcObject = stream;
    element.play()?.catch((error: unknown) => this.#options.logger.warn('video playback did not start', error));
    if (media.lowLatency) this.#playAudio(element, media.audioStream);
    else element.muted = this.#muted;
    const input = this.#options.input;
    if (this.#captureOnAttach && input.target !== element) input.capture(element as InputTarget);
  }

  /** Audio plays in an element of its own, so its buffering never holds the video back. */
  #playAudio(video: HTMLVideoElement, stream: MediaStream): void {
    const doc = video.ownerDocument as Document | undefined;
    if (!this.#audio) {
      if (typeof doc?.createElement !== 'function') return;
      this.#audio = doc.createElement('audio');
      this.#audio.autoplay = true;
    }
    const audio = this.#audio;
    audio.muted = this.#muted;
    if (audio.srcObject !== stream) audio.srcObject = stream;
    audio.play()?.catch(() => undefined); // autoplay may wait for the user's first gesture
  }
}
