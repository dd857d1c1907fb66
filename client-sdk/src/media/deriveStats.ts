/** One entry of an `RTCStatsReport` (or of a recorded one): type, id, timestamp and the type's fields. */
export interface StatsEntry {
  type: string;
  id: string;
  timestamp: number;
  [field: string]: unknown;
}

/** What the player sees, derived from the peer connection's stats. Rates cover the interval since the last sample. */
export interface SessionStats {
  /** When the report was taken, ms since the epoch (the report's own clock). */
  timestamp: number;
  /** Decoded frames per second. */
  fps: number;
  framesDecoded: number;
  framesDropped: number;
  framesReceived: number;
  keyFramesDecoded: number;
  /** Size of the last decoded frame; 0 before the first. */
  width: number;
  height: number;
  /** Negotiated video codec, e.g. `H264`. */
  codec: string | undefined;
  /** Round-trip time of the selected ICE candidate pair. */
  rttMs: number | undefined;
  /** Interarrival jitter of the video stream. */
  jitterMs: number | undefined;
  packetsLost: number;
  packetsReceived: number;
  /** Packets lost in the interval, percent of those expected. */
  lossPercent: number;
  bytesReceived: number;
  bitrateKbps: number;
  freezeCount: number;
  totalFreezesDurationMs: number;
  /** Mean time a frame waited in the jitter buffer over the interval. */
  jitterBufferMs: number | undefined;
  /** Mean decode time per frame over the interval. */
  decodeMs: number | undefined;
  /**
   * Network-to-screen estimate: half the RTT + jitter buffer + decode. Capture,
   * encode and display time are not visible to the browser and not included.
   */
  latencyEstimateMs: number | undefined;
  nackCount: number;
  pliCount: number;
  /**
   * Mean per-frame estimate over the last second, from `requestVideoFrameCallback`:
   * last packet received → frame presented, plus RTT/2. Undefined where the
   * browser does not report receive times or no video is attached.
   */
  frameLatencyMs: number | undefined;
  /** 95th percentile of the same. */
  frameLatencyP95Ms: number | undefined;
  /** Frames the `<video>` presented per second over the last second (what the player saw). */
  presentedFps: number | undefined;
  /** Freezes the SDK saw on the presented frames (gap > max(3 frame intervals, +150 ms)). */
  presentedFreezeCount: number;
  /** Times the session was resumed after a dropped connection. */
  reconnects: number;
  /** The encoder's target bitrate the gateway last announced (congestion control); undefined before it did. */
  targetKbps?: number | undefined;
  /** The gateway's estimate of this player's downlink, kbps. */
  estimateKbps?: number | undefined;
}

/** The cumulative counters of one report, kept to compute the next report's rates. */
export interface StatsSample {
  timestamp: number;
  bytesReceived: number;
  framesDecoded: number;
  packetsReceived: number;
  packetsLost: number;
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
  totalDecodeTime: number;
}

/**
 * Derives the player's stats from a `getStats()` report: the inbound video
 * RTP stream and the selected candidate pair. Rates are relative to
 * `previous`; without it, the first report's rates are 0 (fps falls back to
 * the browser's own `framesPerSecond`).
 */
export function deriveStats(
  report: Iterable<StatsEntry>,
  previous?: StatsSample,
): { stats: SessionStats; sample: StatsSample } {
  const entries = [...report];
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const inbound = pickInboundVideo(entries);
  const pair = pickSelectedPair(entries, byId);
  const timestamp = inbound?.timestamp ?? entries[0]?.timestamp ?? 0;
  const sample: StatsSample = {
    timestamp,
    bytesReceived: num(inbound?.bytesReceived),
    framesDecoded: num(inbound?.framesDecoded),
    packetsReceived: num(inbound?.packetsReceived),
    packetsLost: num(inbound?.packetsLost),
    jitterBufferDelay: num(inbound?.jitterBufferDelay),
    jitterBufferEmittedCount: num(inbound?.jitterBufferEmittedCount),
    totalDecodeTime: num(inbound?.totalDecodeTime),
  };
  // Counters reset when the stream is replaced; a negative delta means "start over".
  const base =
    previous && previous.timestamp < timestamp && previous.framesDecoded <= sample.framesDecoded ? previous : undefined;
  const seconds = base ? (timestamp - base.timestamp) / 1000 : 0;
  const delta = (key: keyof StatsSample): number => Math.max(0, sample[key] - (base ? base[key] : 0));

  const framesPerSecond = optionalNum(inbound?.framesPerSecond);
  const fps = base && seconds > 0 ? delta('framesDecoded') / seconds : (framesPerSecond ?? 0);
  const bitrateKbps = base && seconds > 0 ? (delta('bytesReceived') * 8) / seconds / 1000 : 0;
  const lost = delta('packetsLost');
  const expected = lost + delta('packetsReceived');
  const emitted = delta('jitterBufferEmittedCount');
  const decoded = delta('framesDecoded');
  const jitterBufferMs = emitted > 0 ? (delta('jitterBufferDelay') / emitted) * 1000 : undefined;
  const decodeMs = decoded > 0 ? (delta('totalDecodeTime') / decoded) * 1000 : undefined;
  const rtt = optionalNum(pair?.currentRoundTripTime);
  const rttMs = rtt === undefined ? undefined : rtt * 1000;
  const jitter = optionalNum(inbound?.jitter);
  const latencyParts = [rttMs === undefined ? undefined : rttMs / 2, jitterBufferMs, decodeMs];
  const known = latencyParts.filter((part): part is number => part !== undefined);

  const codec = byId.get(String(inbound?.codecId));
  const stats: SessionStats = {
    timestamp,
    fps: round(fps, 1),
    framesDecoded: sample.framesDecoded,
    framesDropped: num(inbound?.framesDropped),
    framesReceived: num(inbound?.framesReceived),
    keyFramesDecoded: num(inbound?.keyFramesDecoded),
    width: num(inbound?.frameWidth),
    height: num(inbound?.frameHeight),
    codec: typeof codec?.mimeType === 'string' ? codec.mimeType.replace(/^video\//i, '') : undefined,
    rttMs: rttMs === undefined ? undefined : round(rttMs, 1),
    jitterMs: jitter === undefined ? undefined : round(jitter * 1000, 1),
    packetsLost: sample.packetsLost,
    packetsReceived: sample.packetsReceived,
    lossPercent: expected > 0 ? round((lost / expected) * 100, 2) : 0,
    bytesReceived: sample.bytesReceived,
    bitrateKbps: Math.round(bitrateKbps),
    freezeCount: num(inbound?.freezeCount),
    totalFreezesDurationMs: Math.round(num(inbound?.totalFreezesDuration) * 1000),
    jitterBufferMs: jitterBufferMs === undefined ? undefined : round(jitterBufferMs, 1),
    decodeMs: decodeMs === undefined ? undefined : round(decodeMs, 2),
    latencyEstimateMs: known.length === 0 ? undefined : round(sum(known), 1),
    nackCount: num(inbound?.nackCount),
    pliCount: num(inbound?.pliCount),
    // Filled in by the session, which watches the <video>; a report alone cannot say.
    frameLatencyMs: undefined,
    frameLatencyP95Ms: undefined,
    presentedFps: undefined,
    presentedFreezeCount: 0,
    reconnects: 0,
  };
  return { stats, sample };
}

function pickInboundVideo(entries: readonly StatsEntry[]): StatsEntry | undefined {
  let best: StatsEntry | undefined;
  for (const entry of entries) {
    if (entry.type !== 'inbound-rtp' || (entry.kind ?? entry.mediaType) !== 'video') continue;
    if (!best || num(entry.bytesReceived) > num(best.bytesReceived)) best = entry;
  }
  return best;
}

function pickSelectedPair(
  entries: readonly StatsEntry[],
  byId: ReadonlyMap<string, StatsEntry>,
): StatsEntry | undefined {
  for (const entry of entries) {
    if (entry.type !== 'transport' || typeof entry.selectedCandidatePairId !== 'string') continue;
    const pair = byId.get(entry.selectedCandidatePairId);
    if (pair) return pair;
  }
  const pairs = entries.filter((entry) => entry.type === 'candidate-pair');
  // Firefox flags the pair itself; otherwise the nominated, working pair is the one in use.
  return (
    pairs.find((pair) => pair.selected === true) ??
    pairs.find((pair) => pair.nominated === true && pair.state === 'succeeded')
  );
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function optionalNum(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
