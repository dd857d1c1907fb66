import type { ProbeResult, ProbeTarget } from '../signaling/features/placement.js';

/**
 * The probe echo protocol, the same for every endpoint (agents and the
 * gateway): a WebSocket at `<probeUrl>` that sends back every text frame of
 * at most PROBE_MAX_MESSAGE_BYTES unchanged. WebSocket because a browser can
 * speak nothing lower (no raw UDP/ICMP); RTT is timed on frames of an already
 * open socket, so the TCP/TLS handshake is not counted.
 */
export const PROBE_PATH = '/probe';
export const PROBE_MAX_MESSAGE_BYTES = 64;
/** An endpoint closes a probe socket after this many frames (a probe round needs ≤ 20). */
export const PROBE_MAX_MESSAGES_PER_SOCKET = 64;

/** The subset of the WHATWG WebSocket a probe needs; browsers' WebSocket and `ws` both have it. */
export interface ProbeSocket {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  send(data: string): void;
  close(): void;
}

export interface MeasureProbesOptions {
  targets: readonly ProbeTarget[];
  /** Echo samples per target, sent one after another on one socket. */
  samples: number;
  /** The whole measurement ends after this long; samples still out count as lost. */
  timeoutMs: number;
  createSocket: (url: string) => ProbeSocket;
  /** A monotonic clock in ms (performance.now). */
  now: () => number;
  /**
   * Extra delay before every sample is sent, counted in its RTT: simulates a
   * prober that sits further away (tests on loopback). 0 in production.
   */
  sendDelayMs?: number;
}

/** RTT statistics of a list of samples: median, minimum and mean absolute successive difference. */
export function summarizeRtt(samples: readonly number[]): Pick<ProbeResult, 'rttMs' | 'minRttMs' | 'jitterMs'> {
  if (samples.length === 0) return {};
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  let jitter = 0;
  for (let i = 1; i < samples.length; i++) jitter += Math.abs(samples[i]! - samples[i - 1]!);
  jitter = samples.length > 1 ? jitter / (samples.length - 1) : 0;
  return { rttMs: round2(median), minRttMs: round2(sorted[0]!), jitterMs: round2(jitter) };
}

/**
 * Measures RTT and jitter to every target in parallel: one WebSocket each,
 * `samples` echoes in sequence, everything bounded by `timeoutMs`. Never
 * rejects: an unreachable target comes back with `received: 0` and no RTT.
 * Results are in the order of `targets`.
 */
export function measureProbes(options: MeasureProbesOptions): Promise<ProbeResult[]> {
  const { targets, samples, now } = options;
  const delay = options.sendDelayMs ?? 0;
  return new Promise((resolve) => {
    const states = targets.map((target) => ({
      target,
      rtts: [] as number[],
      sent: 0,
      sentAt: 0,
      done: false,
      socket: undefined as ProbeSocket | undefined,
      timer: undefined as ReturnType<typeof setTimeout> | undefined,
    }));
    let pending = states.length;
    let finished = false;

    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      for (const state of states) settle(state);
      resolve(
        states.map((state) => ({
          id: state.target.id,
          ...summarizeRtt(state.rtts),
          sent: state.sent,
          received: state.rtts.length,
        })),
      );
    };

    const settle = (state: (typeof states)[number]): void => {
      if (state.done) return;
      state.done = true;
      clearTimeout(state.timer);
      const socket = state.socket;
      if (socket) {
        socket.onopen = null;
        socket.onmessage = null;
        socket.onerror = null;
        socket.onclose = null;
        try {
          socket.close();
        } catch {
          // already closed
        }
      }
      pending--;
      if (pending === 0) finish();
    };

    const sendNext = (state: (typeof states)[number]): void => {
      if (state.done) return;
      if (state.sent >= samples) {
        settle(state);
        return;
      }
      const seq = String(state.sent + 1);
      state.sentAt = now();
      state.sent++;
      const write = (): void => {
        if (state.done) return;
        try {
          state.socket?.send(seq);
        } catch {
          settle(state);
        }
      };
      if (delay > 0) state.timer = setTimeout(write, delay);
      else write();
    };

    const deadline = setTimeout(finish, options.timeoutMs);
    if (states.length === 0) {
      finish();
      return;
    }
    for (const state of states) {
      let socket: ProbeSocket;
      try {
        socket = options.createSocket(state.target.url);
      } catch {
        settle(state);
        continue;
      }
      state.socket = socket;
      socket.onopen = () => sendNext(state);
      socket.onmessage = (event) => {
        if (state.done || typeof event.data !== 'string' || event.data !== String(state.sent)) return;
        state.rtts.push(now() - state.sentAt);
        sendNext(state);
      };
      socket.onerror = () => settle(state);
      socket.onclose = () => settle(state);
    }
  });
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
