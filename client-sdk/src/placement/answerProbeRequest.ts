import { type Envelope, MessageType, measureProbes, type ProbeResult, type ProbeSocket } from '@frameway/protocol';

/** Where the probe answer goes: the player's signaling socket. */
export interface ProbeReplySink {
  reply(request: Envelope, t: typeof MessageType.ProbeResults, p: { results: ProbeResult[]; timeZone?: string }): void;
}

export interface AnswerProbeOptions {
  /** Opens a WebSocket to a probe endpoint; the browser's WebSocket by default. */
  createSocket?: (url: string) => ProbeSocket;
  /** A monotonic clock in ms; performance.now by default. */
  now?: () => number;
  /** The time zone reported as a location hint; the browser's by default, null = none. */
  timeZone?: string | null;
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
  const timeZone = options.timeZone === undefined ? browserTimeZone() : options.timeZone;
  socket.reply(request, MessageType.ProbeResults, timeZone ? { results, timeZone } : { results });
}

/** The browser's IANA time zone, when it has a usable one. */
function browserTimeZone(): string | undefined {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return typeof zone === 'string' && /^[A-Za-z0-9_+\-/]{1,64}$/.test(zone) && zone !== 'UTC' ? zone : undefined;
  } catch {
    return undefined;
  }
}

function browserSocket(url: string): ProbeSocket {
  if (typeof WebSocket === 'undefined') throw new Error('no WebSocket in this environment');
  return new WebSocket(url) as unknown as ProbeSocket;
}
