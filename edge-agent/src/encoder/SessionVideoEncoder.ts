import type { EncoderControls, EncoderInfo, TypedEmitter } from '@frameway/protocol';
import type { VideoCapture, VideoSink } from '../runtime/SessionRuntime.js';

/** One encoded picture, as the encoder produced it. */
export interface EncodedAccessUnit {
  /** Annex-B byte stream of one access unit (start codes included); SPS and PPS in band before every IDR. */
  data: Uint8Array;
  /** When the frame was captured, in ms on the agent's monotonic clock (performance.now()); the RTP timestamp derives from it. */
  captureMs: number;
  /** An IDR: a decoder can start here. */
  keyframe: boolean;
}

/** What the encoder is asked to produce; EncoderTarget on the wire, the session's SessionStart.video at first. */
export interface EncoderTargetSettings {
  bitrateKbps: number;
  width: number;
  height: number;
  fps: number;
}

export interface VideoEncoderStats {
  /** Frames offered with pushFrame(). */
  framesIn: number;
  /** Frames handed to the encoder. */
  framesWritten: number;
  /** Frames dropped because the encoder had not taken the previous one yet (or was gone), or to meet a lower target fps. */
  framesDropped: number;
  /** Epoch ms when the encoder started; undefined before. */
  startedAt: number | undefined;
  /** IDRs forced on request (keyframe requests acted on). */
  keyframesForced?: number;
  /** Times the target changed (bitrate, size or rate). */
  retargets?: number;
}

export type SessionVideoEncoderEvents = {
  /** The encoder stopped, whether asked to (close()) or not; `detail` says why when it failed. */
  exit: [code: number | null, signal: NodeJS.Signals | null, detail: string];
  /** One encoded access unit, for the session's RTP publisher (in-process encoders only). */
  accessUnit: [unit: EncodedAccessUnit];
};

/**
 * The session's video encoder, whatever runs it: the ffmpeg CLI in a child
 * process (`VideoEncoder`) or FFmpeg's libraries in-process
 * (`InProcessVideoEncoder`). Each declares in `controls` what it can do
 * mid-stream; the gateway's control loops ask only for that.
 */
export interface SessionVideoEncoder extends VideoSink, Pick<TypedEmitter<SessionVideoEncoderEvents>, 'on' | 'off'> {
  /** Bytes of one raw yuv420p frame at the session size (what pushFrame takes). */
  readonly frameBytes: number;
  readonly info: EncoderInfo;
  readonly controls: EncoderControls;
  /** How the picture reaches the encoder, as given to start(). */
  readonly capture: VideoCapture;
  readonly running: boolean;
  /** The child process id where there is one. */
  readonly pid: number | undefined;
  readonly stats: VideoEncoderStats;
  /** What the encoder is producing now. */
  readonly target: EncoderTargetSettings;
  /** Starts encoding the picture `capture` describes; rejects with FW_ERR_ENCODER_UNAVAILABLE when it cannot. */
  start(capture?: VideoCapture): Promise<void>;
  /** The next encoded frame is an IDR; false when this encoder cannot force one (controls.keyframeOnDemand). */
  requestKeyframe(): boolean;
  /** Applies what `controls` allows of `target` (bitrate live, size/rate with an IDR); returns what it now produces. */
  setTarget(target: EncoderTargetSettings): EncoderTargetSettings;
  /** Stops the encoder; resolves once stopped. Idempotent. */
  close(): Promise<void>;
}
