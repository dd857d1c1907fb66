import type { InputEvent, RuntimeKind } from '@frameway/protocol';

/** Where a runtime delivers its frames (the session's encoder). */
export interface FrameSink {
  /**
   * False while the previous frame is still being written. A runtime must not
   * modify a frame buffer it pushed until `ready` is true again.
   */
  readonly ready: boolean;
  /** Takes one raw yuv420p frame; returns false when the frame was dropped. */
  pushFrame(frame: Uint8Array): boolean;
}

export type SessionRuntimeEvents = {
  /** The runtime stopped on its own (crash, game exit); never emitted after close(). */
  exit: [message: string];
};

/** Video shape a runtime renders at. */
export interface RuntimeVideo {
  width: number;
  height: number;
  fps: number;
}

/** A game or app instance that produces frames and consumes input; one per session. */
export interface SessionRuntime {
  readonly kind: RuntimeKind;
  /** Starts producing frames into `sink`; rejects when the runtime cannot start. */
  start(sink: FrameSink): Promise<void>;
  /** Applies input right away; the effect shows in the next frame. */
  applyInput(events: readonly InputEvent[]): void;
  /** Stops the runtime and releases its resources; idempotent. */
  close(): Promise<void>;
  on<E extends keyof SessionRuntimeEvents>(event: E, listener: (...args: SessionRuntimeEvents[E]) => void): unknown;
  off<E extends keyof SessionRuntimeEvents>(event: E, listener: (...args: SessionRuntimeEvents[E]) => void): unknown;
}
