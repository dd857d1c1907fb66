import {
  type Envelope,
  MessageType,
  measureProbes,
  type ProbeResult,
  type ProbeSocket,
} from '@frameway/protocol';

/** Where the probe answer goes: the player's signaling socket. */
export interface ProbeReplySink {
  reply(request: Envelope, t: typeof MessageType.ProbeResults, p: { results: ProbeResult[] }): void;
}

export interface AnswerProbeOptions {
  /** Opens a WebSocket to a probe endpoint; the browser's WebSocket by default. */
  createSocket?: (url: string) => ProbeSocket;
  /** A monotonic clock in ms; performance.now by default. */
  now?: () => number;
}

/**
 * Answers the gateway's ProbeRequest: RTT and jitter to every node on the
 * shortlist, several echo samples each over one WebSocket per node, all in
 * parallel and bounded by the request's `timeoutMs`. Resolves once the reply
 * is sent. Unreachable nodes come back with `received: 0`.
 */
export async function answerProbeRequest(
  request: Envelope<typeof MessageType.ProbeRequest>,
  socket: ProbeReplySink,
  options: AnswerProbeOptions = {},
): Promise<void> {
  const results = await measureProbes({
    targets: request.p.targets,
    samples: request.p.samples,
    timeoutMs: request.p.timeoutMs,
    createSocket: options.createSocket ?? browserSocket,
    now: options.now ?? (() => performance.now()),
  });
  socket.reply(request, MessageType.ProbeResults, { results });
}

function browserSocket(url: string): ProbeSocket {
  if (typeof WebSocket === 'undefined') throw new Error('no WebSocket in this environment');
  return new WebSocket(url) as unknown as ProbeSocket;
}
