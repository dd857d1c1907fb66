import { performance } from 'node:perf_hooks';
import { measureProbes, type ProbeResult, type ProbeSocket, type ProbeTarget } from '@frameway/protocol';
import WebSocket from 'ws';

export interface ProbeTargetsOptions {
  samples: number;
  timeoutMs: number;
  /** This node's simulated extra distance (the probe server's delay), added to every sample it sends. */
  sendDelayMs?: number;
}

/**
 * Measures RTT and jitter from this node to each target's WebSocket echo
 * (peer agents, the gateway), in parallel, within `timeoutMs`. Never rejects.
 */
export function probeTargets(targets: readonly ProbeTarget[], options: ProbeTargetsOptions): Promise<ProbeResult[]> {
  return measureProbes({
    targets,
    samples: options.samples,
    timeoutMs: options.timeoutMs,
    sendDelayMs: options.sendDelayMs ?? 0,
    now: () => performance.now(),
    createSocket: (url) =>
      new WebSocket(url, {
        perMessageDeflate: false,
        handshakeTimeout: options.timeoutMs,
        maxPayload: 1024,
      }) as unknown as ProbeSocket,
  });
}
