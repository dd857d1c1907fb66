import { FramewayError } from '@frameway/protocol';

/**
 * Every constant of the gateway→player congestion control, with its default,
 * in one place. The defaults follow draft-ietf-rmcat-gcc (and libwebrtc's
 * reading of it) where that suits a cloud game, and say why where they do not.
 */
export interface CongestionTuning {
  delay: {
    /** Packets sent within this span of a group's first packet form one send burst (one delay sample). */
    burstMs: number;
    /** Groups in the trendline regression. */
    trendWindow: number;
    /** EWMA weight of the previous smoothed queueing delay. */
    smoothing: number;
    /** Scales the slope into the unit the threshold is in (libwebrtc's 4). */
    thresholdGain: number;
    /** Starting over-/underuse threshold; it then adapts to the path's delay noise. */
    initialThresholdMs: number;
    minThresholdMs: number;
    maxThresholdMs: number;
    /** Threshold adaptation per ms when the trend is above it (rises slowly: a real queue should still trip it). */
    thresholdUpRate: number;
    /** Threshold adaptation per ms when the trend is below it (falls fast: sensitive again soon after noise). */
    thresholdDownRate: number;
    /** The trend must stay above the threshold this long (send time) before it is overuse. */
    overuseTimeMs: number;
    /** The path's base one-way delay is the lowest seen over this long (a standing queue is measured against it). */
    baselineWindowMs: number;
  };
  rate: {
    /** On overuse the estimate goes to this × the acknowledged bitrate, at once. */
    decreaseFactor: number;
    /** No increase for this long after a decrease: the queue we built must drain first. */
    holdAfterDecreaseMs: number;
    /** While overuse persists, the estimate is cut again at most this often. */
    reduceIntervalMs: number;
    /** Multiplicative increase per second below the congestion point, or with none (probing a released link). */
    farIncreasePerSecond: number;
    /** Increase per second at and above the congestion point (creeping up on a link that was full). */
    nearIncreasePerSecond: number;
    /** The congestion point is forgotten once the acknowledged bitrate passes it by this fraction. */
    releaseMargin: number;
    /** Weight of a new overuse sample in the congestion point (the acknowledged bitrate at overuse)… */
    congestionPointSmoothing: number;
    /** …unless it differs by more than this fraction: then it replaces the point (the link changed). */
    congestionPointJump: number;
    /** The estimate may not grow past this × the acknowledged bitrate (+ ackedHeadroomKbps): no probing blind. */
    ackedHeadroom: number;
    ackedHeadroomKbps: number;
    /** Window of the acknowledged (received) bitrate, by arrival time. */
    ackedWindowMs: number;
    /** The shortest span of arrivals that gives an acknowledged bitrate at all. */
    ackedMinSpanMs: number;
    /** A gap between updates longer than this counts as this long (no leap after a feedback pause). */
    maxUpdateGapMs: number;
  };
  loss: {
    /** Loss above this is congestion whatever the delay does: cut by (1 − 0.5·loss). */
    highFraction: number;
    /** Loss below this allows increase; between the two, hold only when delay is rising too. */
    lowFraction: number;
    /** Delay counts as rising when the modified trend is above this fraction of the overuse threshold. */
    risingTrendFraction: number;
    /** A queue standing this far above the path's base delay makes 2-10 % loss congestion: cut, not hold. */
    standingQueueMs: number;
    /** Loss is measured over packets sent in the last windowMs (never across the last loss cut)… */
    windowMs: number;
    /** …and only once at least this many packets were reported in it (5 % of 20 packets is one packet: noise). */
    minPackets: number;
    /** Loss cuts at most this often; each later cut measures only packets sent after the previous one. */
    cutIntervalMs: number;
    /** Receiver-report loss steers only when no transport-wide feedback came for this long. */
    twccStaleMs: number;
  };
  hysteresis: {
    /** An increase reaches the encoder only when it is at least this fraction over the last target… */
    increaseFraction: number;
    /** …and at most this often. */
    increaseIntervalMs: number;
    /** A decrease reaches the encoder (at once) when it is at least this fraction under the last target. */
    decreaseFraction: number;
  };
  ladder: {
    /** Fractions of the session's width and height, largest first; each runs at the full frame rate. */
    scales: readonly number[];
    /** Frame rate of the last-resort rung (the smallest scale), as a fraction of the session's. */
    lowFpsFraction: number;
    /** A rung needs width × height × fps × this bits per second (0.05 gives 720p60 ≈ 2.8 Mb/s). */
    floorBitsPerPixel: number;
    /** Step down when the target has stayed under the rung's floor this long… */
    downAfterMs: number;
    /** …or under what a cheap picture has been using (below the floor) this long. */
    demandDownAfterMs: number;
    /** The window of the demand: the mean acknowledged bitrate over this long. */
    demandWindowMs: number;
    /** …or at once when it is under this fraction of the floor. */
    downAtOnceFraction: number;
    /** Step up when the target has been at least upFactor × the higher rung's floor… */
    upFactor: number;
    /** …for this long. */
    upAfterMs: number;
  };
  /** A REMB bound older than this is forgotten (the receiver stopped sending it). */
  rembTimeoutMs: number;
  /** The lowest target when the session names none (a 360p30 picture still moves). */
  minKbps: number;
}

export const DEFAULT_CONGESTION_TUNING: CongestionTuning = deepFreeze({
  delay: {
    burstMs: 5,
    trendWindow: 20,
    smoothing: 0.9,
    thresholdGain: 4,
    initialThresholdMs: 12.5,
    minThresholdMs: 6,
    maxThresholdMs: 600,
    thresholdUpRate: 0.0087,
    thresholdDownRate: 0.039,
    overuseTimeMs: 10,
    baselineWindowMs: 30_000,
  },
  rate: {
    decreaseFactor: 0.85,
    holdAfterDecreaseMs: 1000,
    reduceIntervalMs: 200,
    // libwebrtc climbs 8 %/s and relies on probe bursts to find a released link;
    // we send no padding probes, so the climb itself must get 2 → 8 Mb/s in < 10 s.
    farIncreasePerSecond: 0.2,
    nearIncreasePerSecond: 0.05,
    // Above acked-measurement noise (~2 %), below what one increase step sends (10 %).
    releaseMargin: 0.03,
    congestionPointSmoothing: 0.3,
    congestionPointJump: 0.1,
    ackedHeadroom: 1.5,
    ackedHeadroomKbps: 10,
    ackedWindowMs: 500,
    ackedMinSpanMs: 100,
    maxUpdateGapMs: 200,
  },
  loss: {
    highFraction: 0.1,
    lowFraction: 0.02,
    risingTrendFraction: 0.5,
    standingQueueMs: 30,
    windowMs: 1000,
    minPackets: 100,
    cutIntervalMs: 300,
    twccStaleMs: 1000,
  },
  hysteresis: {
    increaseFraction: 0.1,
    increaseIntervalMs: 250,
    decreaseFraction: 0.05,
  },
  ladder: {
    scales: [1, 0.75, 0.5],
    lowFpsFraction: 0.5,
    floorBitsPerPixel: 0.05,
    downAfterMs: 1000,
    // A noise-triggered cut (held 1 s) climbs back over a cheap picture's demand in about 2 s.
    demandDownAfterMs: 3000,
    demandWindowMs: 5000,
    downAtOnceFraction: 0.7,
    upFactor: 1.3,
    upAfterMs: 3000,
  },
  rembTimeoutMs: 5000,
  minKbps: 300,
});

/** Overrides of some constants; groups merge key by key over the defaults. */
export type CongestionTuningOverrides = {
  [G in keyof CongestionTuning]?: CongestionTuning[G] extends object
    ? CongestionTuning[G] extends readonly unknown[]
      ? CongestionTuning[G]
      : Partial<CongestionTuning[G]>
    : CongestionTuning[G];
};

/** The defaults with `overrides` merged in; an unknown key or a non-finite number is an error. */
export function resolveCongestionTuning(overrides: CongestionTuningOverrides = {}): CongestionTuning {
  const merged: Record<string, unknown> = {};
  for (const [group, defaults] of Object.entries(DEFAULT_CONGESTION_TUNING)) {
    const override = (overrides as Record<string, unknown>)[group];
    if (typeof defaults === 'object' && defaults !== null) {
      merged[group] = { ...defaults, ...checkGroup(group, defaults, override) };
    } else {
      merged[group] = override ?? defaults;
    }
  }
  for (const key of Object.keys(overrides)) {
    if (!(key in DEFAULT_CONGESTION_TUNING)) invalid(`unknown congestion tuning group '${key}'`);
  }
  const tuning = merged as unknown as CongestionTuning;
  checkNumbers(tuning);
  if (tuning.ladder.scales.length === 0) invalid('ladder.scales must name at least one scale');
  return deepFreeze(tuning);
}

function checkGroup(group: string, defaults: object, override: unknown): object {
  if (override === undefined) return {};
  if (typeof override !== 'object' || override === null) invalid(`congestion tuning '${group}' must be an object`);
  for (const key of Object.keys(override)) {
    if (!(key in defaults)) invalid(`unknown congestion tuning key '${group}.${key}'`);
  }
  return override;
}

function checkNumbers(value: unknown, path = 'tuning'): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) invalid(`${path} must be a finite number ≥ 0, got ${value}`);
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) checkNumbers(inner, `${path}.${key}`);
  }
}

function invalid(message: string): never {
  throw new FramewayError('FW_ERR_INTERNAL', message);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
