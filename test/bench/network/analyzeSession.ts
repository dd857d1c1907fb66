import type { MonitorFrame, MonitorState, MonitorStats } from './pageMonitor.js';
import type { ImpairmentStep } from './scenarios.js';

/** An impairment step as it took effect, in page time. */
export interface AppliedStep {
  /** Page `performance.now()` when the command that applies it started. */
  issuedAt: number;
  /** Page `performance.now()` when the rule was in place for certain (the command had returned). */
  at: number;
  step: ImpairmentStep;
}

export interface SessionSeries {
  /** The measured window, page time. */
  start: number;
  end: number;
  /** Frames and stats from before `start` too: the seconds before are the unimpaired reference. */
  frames: readonly MonitorFrame[];
  stats: readonly MonitorStats[];
  /** The player's status changes, all of them. */
  states: readonly MonitorState[];
  steps: readonly AppliedStep[];
}

/** inbound-rtp counters reported as deltas over the window (null: this Chromium does not report it). */
export const COUNTERS = [
  'packetsReceived',
  'packetsLost',
  'nackCount',
  'pliCount',
  'firCount',
  'retransmittedPacketsReceived',
  'fecPacketsReceived',
  'fecPacketsDiscarded',
  'fecPacketsRecovered',
  'framesDropped',
  'keyFramesDecoded',
] as const;
export type Counter = (typeof COUNTERS)[number];

export interface CapChange {
  /** Seconds into the window. */
  atS: number;
  /** The new cap; null when the cap was released. */
  capKbps: number | null;
  /**
   * Time until the stream settled: for a cap, the start of the first
   * ADAPT_WINDOW_MS window after the change in which the received bitrate
   * stayed under the cap, frames were decoded at ≥ 80 % of the unimpaired rate
   * (and at no point between two stats samples under half of it) and nothing
   * froze; for a release, the same without the bitrate bound.
   * null: not within this phase.
   */
  adaptedAfterMs: number | null;
  /** First StreamQuality whose target is under the cap (over it, for a release); null: none in this phase or no StreamQuality at all. */
  targetAfterMs: number | null;
}

export interface BlackoutRecovery {
  /** When link-back was issued, seconds into the window. */
  atS: number;
  /** How long every datagram was dropped: at least, at most (the `nft` commands take a few ms each). */
  heldMs: readonly [min: number, max: number] | null;
  /**
   * Link back (the `nft` command issued) → presentation of the first frame
   * newer than everything shown before; null: none before the window ended.
   */
  recoveredAfterMs: number | null;
  /** Gap between the last frame shown before that one and it: how long the picture stood still. */
  stallMs: number | null;
}

export interface SessionFigures {
  durationS: number;
  /** Decoded frames per second in the seconds before the window, unimpaired. */
  referenceFps: number;
  decodedFps: number;
  presentedFps: number;
  /** Chromium's inbound-rtp freezeCount / totalFreezesDuration over the window. */
  freezes: number | null;
  frozenS: number | null;
  /** Longest time between presented frames (callback gaps divided by the frames they covered). */
  longestGapMs: number;
  counters: Record<Counter, number | null>;
  meanKbps: number;
  perSecond: { kbps: number[]; decodedFps: number[]; presentedFps: number[]; targetKbps: (number | null)[] };
  /** Mean of the per-second target; null without StreamQuality. */
  meanTargetKbps: number | null;
  /** Frame sizes the page saw, first one included. */
  sizes: { atS: number; width: number; height: number }[];
  capChanges: CapChange[];
  blackouts: BlackoutRecovery[];
  /** The player left `streaming` before the window ended (the session ended or is reconnecting). */
  interrupted: { atS: number; state: string; reason: string | null; detail: string | null } | null;
}

export const ADAPT_WINDOW_MS = 2_000;
const REFERENCE_MS = 2_000;
/** Used when the seconds before the window were not sampled. */
const NOMINAL_FPS = 60;

/** Turns a session's raw page series into the figures the bench reports. */
export function analyzeSession(series: SessionSeries): SessionFigures {
  const { start, end, stats } = series;
  const durationMs = end - start;
  const frames = [...series.frames].sort((a, b) => a.at - b.at);
  const inbound = (key: string) => counterSeries(stats, key);
  const bytes = inbound('bytesReceived');
  const decoded = inbound('framesDecoded');
  const presented = frames.map((f) => ({ at: f.at, value: f.presented }));

  const rate = (points: readonly Point[], from: number, to: number): number =>
    ((valueAt(points, to) - valueAt(points, from)) * 1000) / (to - from);
  const measuredReference = rate(decoded, start - REFERENCE_MS, start);
  const referenceFps =
    decoded.length > 0 && decoded[0]!.at <= start - REFERENCE_MS / 2 && measuredReference > 0
      ? measuredReference
      : NOMINAL_FPS;

  const counters = Object.fromEntries(
    COUNTERS.map((key) => {
      const points = inbound(key);
      return [key, points.length === 0 ? null : valueAt(points, end) - valueAt(points, start)];
    }),
  ) as Record<Counter, number | null>;
  const freezes = inbound('freezeCount');
  const frozen = inbound('totalFreezesDuration');

  const seconds = Math.max(0, Math.floor(durationMs / 1000));
  const bins = Array.from({ length: seconds }, (_, k) => [start + k * 1000, start + (k + 1) * 1000] as const);
  const targetKbps = bins.map(([, to]) => qualityAt(stats, to)?.targetKbps ?? null);
  const targets = targetKbps.filter((t): t is number => t !== null);

  return {
    durationS: durationMs / 1000,
    referenceFps,
    decodedFps: rate(decoded, start, end),
    presentedFps: rate(presented, start, end),
    freezes: freezes.length === 0 ? null : valueAt(freezes, end) - valueAt(freezes, start),
    frozenS: frozen.length === 0 ? null : valueAt(frozen, end) - valueAt(frozen, start),
    longestGapMs: longestGap(frames, start, end),
    counters,
    meanKbps: (rate(bytes, start, end) * 8) / 1000,
    perSecond: {
      kbps: bins.map(([from, to]) => (rate(bytes, from, to) * 8) / 1000),
      decodedFps: bins.map(([from, to]) => rate(decoded, from, to)),
      presentedFps: bins.map(([from, to]) => rate(presented, from, to)),
      targetKbps,
    },
    meanTargetKbps: targets.length === 0 ? null : targets.reduce((s, t) => s + t, 0) / targets.length,
    sizes: frameSizes(frames, start, end),
    capChanges: capChanges(series, { bytes, decoded, freezes, referenceFps }),
    blackouts: blackouts(series, frames),
    interrupted: interruption(series),
  };
}

/** The first time the player left `streaming` after reaching it (reconnecting, ended); null if it never did. */
function interruption(series: SessionSeries): SessionFigures['interrupted'] {
  const streaming = series.states.find((s) => s.state === 'streaming');
  if (!streaming) return null;
  const left = series.states.find((s) => s.at > streaming.at && s.at <= series.end && s.state !== 'streaming');
  if (!left) return null;
  return { atS: (left.at - series.start) / 1000, state: left.state, reason: left.reason, detail: left.detail };
}

/** A cumulative counter at a point in time. */
interface Point {
  at: number;
  value: number;
}

function counterSeries(stats: readonly MonitorStats[], key: string): Point[] {
  return stats.flatMap((s) => {
    const value = s.inbound[key];
    return value === undefined ? [] : [{ at: s.at, value }];
  });
}

/**
 * A cumulative counter at `t`, linear between samples and held flat beyond
 * them (NaN without samples). Sorted input.
 */
export function valueAt(points: readonly Point[], t: number): number {
  if (points.length === 0) return Number.NaN;
  const first = points[0]!;
  if (t <= first.at) return first.value;
  for (let i = 1; i < points.length; i++) {
    const b = points[i]!;
    if (t <= b.at) {
      const a = points[i - 1]!;
      return b.at === a.at ? b.value : a.value + ((b.value - a.value) * (t - a.at)) / (b.at - a.at);
    }
  }
  return points.at(-1)!.value;
}

function qualityAt(stats: readonly MonitorStats[], t: number): MonitorStats['quality'] {
  let found: MonitorStats['quality'] = null;
  for (const s of stats) {
    if (s.at > t) break;
    if (s.quality) found = s.quality;
  }
  return found;
}

/**
 * Longest interval between presented frames in [start, end]. A callback gap
 * over which the compositor presented several frames was the page's main
 * thread being busy, not a frozen picture, so each gap is divided by the
 * frames it covered. A stream that stops counts until `end`.
 */
export function longestGap(frames: readonly MonitorFrame[], start: number, end: number): number {
  let previous: MonitorFrame | undefined;
  let longest = 0;
  for (const frame of frames) {
    if (frame.at > end) break;
    if (previous && frame.at >= start) {
      const covered = Math.max(1, frame.presented - previous.presented);
      longest = Math.max(longest, (frame.at - Math.max(previous.at, start)) / covered);
    }
    previous = frame;
  }
  return Math.max(longest, previous ? end - Math.max(previous.at, start) : end - start);
}

function frameSizes(frames: readonly MonitorFrame[], start: number, end: number): SessionFigures['sizes'] {
  const sizes: SessionFigures['sizes'] = [];
  for (const f of frames) {
    if (f.at < start || f.at > end) continue;
    const last = sizes.at(-1);
    if (!last || last.width !== f.width || last.height !== f.height) {
      sizes.push({ atS: Math.round(f.at - start) / 1000, width: f.width, height: f.height });
    }
  }
  return sizes;
}

function capChanges(
  series: SessionSeries,
  s: { bytes: Point[]; decoded: Point[]; freezes: Point[]; referenceFps: number },
): CapChange[] {
  const changes = series.steps.filter((a) => a.step.kind === 'cap' || a.step.kind === 'uncap');
  return changes.map((change, i) => {
    const phaseEnd = changes[i + 1]?.issuedAt ?? series.end;
    const cap = change.step.kind === 'cap' ? change.step.kbps : null;
    const previousCap = changes
      .slice(0, i)
      .flatMap((c) => (c.step.kind === 'cap' ? [c.step.kbps] : []))
      .at(-1);
    const settled = (from: number): boolean => {
      const to = from + ADAPT_WINDOW_MS;
      const kbps = ((valueAt(s.bytes, to) - valueAt(s.bytes, from)) * 8) / ADAPT_WINDOW_MS;
      const froze = s.freezes.length > 0 && valueAt(s.freezes, to) > valueAt(s.freezes, from);
      // Frames flow: 80 % of the reference over the window, and no stretch between samples under half of it.
      const points = s.decoded.filter((p) => p.at >= from && p.at <= to);
      const steady = points.every((p, i) => {
        const previous = i === 0 ? { at: from, value: valueAt(s.decoded, from) } : points[i - 1]!;
        return (
          p.at === previous.at || ((p.value - previous.value) * 1000) / (p.at - previous.at) >= 0.5 * s.referenceFps
        );
      });
      const fps = ((valueAt(s.decoded, to) - valueAt(s.decoded, from)) * 1000) / ADAPT_WINDOW_MS;
      return (cap === null || kbps <= cap) && fps >= 0.8 * s.referenceFps && steady && !froze;
    };
    const candidates = series.stats.filter((x) => x.at >= change.issuedAt && x.at + ADAPT_WINDOW_MS <= phaseEnd);
    const adapted = candidates.find((x) => settled(x.at));
    const target = series.stats.find(
      (x) =>
        x.at >= change.issuedAt &&
        x.at < phaseEnd &&
        x.quality !== null &&
        (cap !== null ? x.quality.targetKbps <= cap : x.quality.targetKbps > (previousCap ?? 0)),
    );
    return {
      atS: (change.issuedAt - series.start) / 1000,
      capKbps: cap,
      adaptedAfterMs: adapted ? adapted.at - change.issuedAt : null,
      targetAfterMs: target ? target.at - change.issuedAt : null,
    };
  });
}

function blackouts(series: SessionSeries, frames: readonly MonitorFrame[]): BlackoutRecovery[] {
  const withRtp = unwrapRtp(frames);
  const starts = series.steps.filter((a) => a.step.kind === 'blackout' && a.step.on);
  return series.steps
    .filter((a) => a.step.kind === 'blackout' && !a.step.on)
    .map((linkBack) => {
      // The rule may go as soon as the command starts: count from then, so NACK-repaired frames
      // shown while `nft` was still returning are not mistaken for the stream before the outage.
      const back = linkBack.issuedAt;
      const start = starts.filter((s) => s.at <= back).at(-1);
      const figures = {
        atS: (back - series.start) / 1000,
        heldMs: start ? ([back - start.at, linkBack.at - start.issuedAt] as const) : null,
      };
      let newest = Number.NEGATIVE_INFINITY;
      let previousAt: number | null = null;
      for (const { frame, rtp } of withRtp) {
        if (frame.at >= back && rtp > newest) {
          return {
            ...figures,
            recoveredAfterMs: Math.max(0, frame.presentationTime - back),
            stallMs: previousAt === null ? null : frame.at - previousAt,
          };
        }
        if (frame.at < back) newest = Math.max(newest, rtp);
        previousAt = frame.at;
      }
      return { ...figures, recoveredAfterMs: null, stallMs: null };
    });
}

/** RTP timestamps made monotonic across the 32-bit wrap, for frames that have one. */
export function unwrapRtp(frames: readonly MonitorFrame[]): { frame: MonitorFrame; rtp: number }[] {
  const out: { frame: MonitorFrame; rtp: number }[] = [];
  let last: { raw: number; unwrapped: number } | null = null;
  for (const frame of frames) {
    if (frame.rtpTimestamp === null) continue;
    const raw = frame.rtpTimestamp >>> 0;
    let unwrapped = raw;
    if (last) {
      // Signed 32-bit difference: a step across 2^32 is a small step forward.
      const delta = ((raw - last.raw + 2 ** 31) % 2 ** 32) - 2 ** 31;
      unwrapped = last.unwrapped + (delta < -(2 ** 31) ? delta + 2 ** 32 : delta);
    }
    last = { raw, unwrapped };
    out.push({ frame, rtp: unwrapped });
  }
  return out;
}
