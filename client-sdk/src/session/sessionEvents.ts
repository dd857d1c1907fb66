import type { ErrorCode, FramewayError, SessionStateName, StreamQuality } from '@frameway/protocol';
import type { QueueInfo } from '../connectOptions.js';
import type { SessionStats } from '../media/deriveStats.js';
import type { FrameTiming } from '../media/FrameMonitor.js';
import type { QualityWarning } from '../media/QualityMonitor.js';
import type { SessionEndInfo } from '../SessionEndInfo.js';

/** What the gateway sends now (its StreamQuality message without the session id). */
export type StreamQualityInfo = Omit<StreamQuality, 'sessionId'>;

/** An outage began, or another attempt to end it starts. */
export interface ReconnectingInfo {
  /** 1 for the first attempt of this outage. */
  attempt: number;
  /** What dropped, in words. */
  reason: string;
  /** FW_ERR_CONNECTION_CLOSED for the drop itself; the last attempt's code on later attempts. */
  code: ErrorCode;
}

/** The gateway moved the session from one node to another. */
export interface FailoverInfo {
  fromNodeId: string;
  toNodeId: string;
  /** `node_lost` or `degraded`. */
  reason: string;
  message?: string;
}

/** The session is back: media flows again on a new peer connection. */
export interface ResumedInfo {
  attempts: number;
  /** From the drop to the new peer connection being up. */
  downtimeMs: number;
}

export type FramewaySessionEvents = {
  /** The gateway's view of the session moved on: placing, starting, streaming, ended. */
  state: [state: SessionStateName];
  /** The peer connection is up: media and input can flow. Emitted once. */
  connected: [];
  /** The connection dropped and the SDK is resuming the session (once per attempt). */
  reconnecting: [info: ReconnectingInfo];
  /** The session resumed after `reconnecting`. */
  resumed: [info: ResumedInfo];
  /** The session is over; every resource is released. Emitted once. */
  ended: [info: SessionEndInfo];
  /** A periodic stats sample (`statsIntervalMs`). */
  stats: [stats: SessionStats];
  /**
   * The gateway moves the session to another node (the old one died or
   * degraded): the connection stays, the picture freezes until the new node
   * streams, and `state` goes `starting` → `streaming` again.
   */
  failover: [info: FailoverInfo];
  /** Waiting in the gateway's placement queue (every node within budget is full); also `onQueued` in connect(). */
  queued: [info: QueueInfo];
  /** The gateway changed what it sends: target bitrate, picture size or rate (congestion control). */
  streamQuality: [quality: StreamQualityInfo];
  /** A quality problem started (`active`) or cleared: freeze, latency, RTT, loss, frame rate. */
  qualityWarning: [warning: QualityWarning];
  /** Every presented frame with its latency estimate (only computed for listeners of the attached `<video>`). */
  frame: [frame: FrameTiming];
  /** Something went wrong that did not end the session (a rejected message, a bad candidate). */
  error: [error: FramewayError];
};

/** The session's state: `connecting` until the gateway first reports one. */
export type SessionState = SessionStateName | 'connecting';

/** Settings of `attach()`. */
export interface AttachOptions {
  /** Start capturing keyboard, pointer, touch, wheel and gamepad input on this element. Default true. */
  captureInput?: boolean;
}
