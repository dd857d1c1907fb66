import { FramewayError } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../random/createRandom.js';
import { BitrateController, type BitrateControllerOptions, type BitrateDecision } from './BitrateController.js';
import type { PacketResult } from './PacketResult.js';

// --- A small simulated path: encoder → bottleneck queue → player → feedback ---

interface LinkConfig {
  capacityKbps: number;
  /** Drop-tail: a packet that would wait longer than this in the queue is dropped. */
  queueLimitMs: number;
  /** Random loss on the wire after the queue, 0..1. */
  lossRate: number;
}

const PROPAGATION_MS = 20;
const JITTER_MS = 1;
const FEEDBACK_INTERVAL_MS = 50;
const MTU_PAYLOAD = 1200;
/** RTP header + extensions + SRTP tag, as werift counts a packet's size. */
const PACKET_OVERHEAD = 30;
/** The player's clock has its own origin; only differences may matter. */
const PLAYER_CLOCK_OFFSET_MS = 987_654;

interface InFlight {
  seq: number;
  sendMs: number;
  sizeBytes: number;
  /** On the simulation clock; undefined: dropped. */
  arrivalMs: number | undefined;
}

interface Sample {
  atMs: number;
  decision: BitrateDecision;
  /** Bytes the player received during the feedback interval before atMs. */
  deliveredBytes: number;
}

class Simulation {
  readonly link: LinkConfig;
  readonly controller: BitrateController;
  readonly samples: Sample[] = [];
  /** Time each sent packet waited in the bottleneck queue, by send time. */
  readonly queueWaits: { atMs: number; waitMs: number }[] = [];
  readonly #random: () => number;
  #nowMs = 0;
  #decision: BitrateDecision;
  #nextFrameMs = 0;
  #nextFeedbackMs = FEEDBACK_INTERVAL_MS;
  #seq = 0;
  #queueFreeAtMs = 0;
  #lastArrivalMs = 0;
  #inFlight: InFlight[] = [];
  #deliveredBytes = 0;

  constructor(link: LinkConfig, options: Partial<BitrateControllerOptions> = {}, seed = 7) {
    this.link = { ...link };
    this.#random = createRandom(seed);
    this.controller = new BitrateController({
      shape: { width: 1280, height: 720, fps: 60 },
      maxKbps: 8000,
      ...options,
    });
    this.#decision = this.controller.current;
  }

  get nowMs(): number {
    return this.#nowMs;
  }

  /** Runs until `untilMs`, one frame and one feedback at a time. */
  runUntil(untilMs: number): void {
    while (true) {
      const next = Math.min(this.#nextFrameMs, this.#nextFeedbackMs);
      if (next > untilMs) break;
      this.#nowMs = next;
      if (next === this.#nextFrameMs) {
        this.#sendFrame();
        this.#nextFrameMs += 1000 / this.#decision.fps;
      } else {
        this.#feedback();
        this.#nextFeedbackMs += FEEDBACK_INTERVAL_MS;
      }
    }
    this.#nowMs = untilMs;
  }

  /** First time at or after `fromMs` a sample satisfies `predicate`; undefined if none. */
  firstAt(fromMs: number, predicate: (d: BitrateDecision) => boolean): number | undefined {
    return this.samples.find((s) => s.atMs >= fromMs && predicate(s.decision))?.atMs;
  }

  between(fromMs: number, toMs: number): Sample[] {
    return this.samples.filter((s) => s.atMs > fromMs && s.atMs <= toMs);
  }

  #sendFrame(): void {
    // A CBR-ish encoder: the target's share of a second per frame, ±10 %.
    const bytes = ((this.#decision.targetKbps * 1000) / 8 / this.#decision.fps) * (0.9 + 0.2 * this.#random());
    for (let left = Math.round(bytes); left > 0; left -= MTU_PAYLOAD) {
      const sizeBytes = Math.min(left, MTU_PAYLOAD) + PACKET_OVERHEAD;
      this.#inFlight.push({ seq: this.#seq++, sendMs: this.#nowMs, sizeBytes, arrivalMs: this.#transmit(sizeBytes) });
    }
  }

  #transmit(sizeBytes: number): number | undefined {
    const start = Math.max(this.#nowMs, this.#queueFreeAtMs);
    if (start - this.#nowMs > this.link.queueLimitMs) return undefined;
    this.queueWaits.push({ atMs: this.#nowMs, waitMs: start - this.#nowMs });
    this.#queueFreeAtMs = start + (sizeBytes * 8) / this.link.capacityKbps;
    if (this.#random() < this.link.lossRate) return undefined;
    // Jitter without reordering: the player's network stack delivers in order.
    const arrival = Math.max(this.#lastArrivalMs, this.#queueFreeAtMs + PROPAGATION_MS + this.#random() * JITTER_MS);
    this.#lastArrivalMs = arrival;
    return arrival;
  }

  /** The player reports everything up to its newest arrival; the report takes PROPAGATION_MS back. */
  #feedback(): void {
    const playerNow = this.#nowMs - PROPAGATION_MS;
    let newest = -1;
    for (const p of this.#inFlight) {
      if (p.arrivalMs !== undefined && p.arrivalMs <= playerNow) newest = p.seq;
    }
    const settled = this.#inFlight.filter((p) => p.seq <= newest);
    this.#inFlight = this.#inFlight.filter((p) => p.seq > newest);
    const packets: PacketResult[] = settled.map((p) => ({
      wideSeq: p.seq,
      sendMs: p.sendMs,
      sizeBytes: p.sizeBytes,
      arrivalMs: p.arrivalMs === undefined ? undefined : p.arrivalMs + PLAYER_CLOCK_OFFSET_MS,
    }));
    const delivered = settled.reduce((sum, p) => sum + (p.arrivalMs === undefined ? 0 : p.sizeBytes), 0);
    this.#deliveredBytes += delivered;
    const decision = this.controller.onTransportFeedback({ atMs: this.#nowMs, packets });
    if (decision.changed) this.#decision = decision;
    this.samples.push({ atMs: this.#nowMs, decision: this.#decision, deliveredBytes: delivered });
  }
}

const OPEN_LINK: LinkConfig = { capacityKbps: 100_000, queueLimitMs: 200, lossRate: 0 };

function deliveredKbps(samples: readonly Sample[]): number {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.atMs === first.atMs) return 0;
  const bytes = samples.slice(1).reduce((sum, s) => sum + s.deliveredBytes, 0);
  return (bytes * 8) / (last.atMs - first.atMs);
}

function range(samples: readonly Sample[]): { min: number; max: number } {
  const targets = samples.map((s) => s.decision.targetKbps);
  return { min: Math.min(...targets), max: Math.max(...targets) };
}

/** The 95th percentile of the queueing delay of packets sent after `fromMs`. */
function queueP95(sim: Simulation, fromMs: number): number {
  const waits = sim.queueWaits.filter((w) => w.atMs > fromMs).map((w) => w.waitMs);
  waits.sort((a, b) => a - b);
  return waits[Math.floor(waits.length * 0.95)] ?? 0;
}

/** Share of the time the target was above `kbps`. */
function shareAbove(samples: readonly Sample[], kbps: number): number {
  return samples.filter((s) => s.decision.targetKbps > kbps).length / Math.max(1, samples.length);
}

describe('BitrateController on a simulated link', () => {
  it('drops from 8 Mb/s to the 4 Mb/s a link holds within 2 s and stays at 3-4 Mb/s, keeping it busy', () => {
    const sim = new Simulation({ capacityKbps: 4000, queueLimitMs: 200, lossRate: 0 });
    sim.runUntil(30_000);
    const adapted = sim.firstAt(0, (d) => d.targetKbps <= 4000);
    const steady = sim.between(2000, 30_000);
    const { min, max } = range(steady);
    const utilisation = deliveredKbps(steady) / 4000;
    console.info(
      `4 Mb/s link from 8 Mb/s: target ≤ 4 Mb/s after ${adapted} ms; then ${min}-${max} kbps, ` +
        `${(shareAbove(steady, 4000) * 100).toFixed(1)} % of the time above 4 Mb/s, utilisation ${(utilisation * 100).toFixed(1)} %, ` +
        `queueing delay p95 ${queueP95(sim, 2000).toFixed(0)} ms`,
    );
    expect(adapted).toBeLessThanOrEqual(2000);
    expect(min).toBeGreaterThanOrEqual(3000);
    // Finding the capacity means passing it: a delay-based controller sees a
    // queue only once it builds one. The target crosses 4 Mb/s by a few
    // percent, briefly, until the overuse it causes cuts it back.
    expect(max).toBeLessThanOrEqual(4200);
    expect(shareAbove(steady, 4000)).toBeLessThan(0.2);
    expect(utilisation).toBeGreaterThanOrEqual(0.7);
  });

  it('follows a cap to 2 Mb/s within 2 s on a smaller picture at full frame rate, and climbs back to 720p60 at 8 Mb/s within 10 s of release', () => {
    const sim = new Simulation(OPEN_LINK);
    sim.runUntil(5000);
    expect(sim.controller.current).toMatchObject({ targetKbps: 8000, width: 1280, height: 720, fps: 60 });

    sim.link.capacityKbps = 2000;
    sim.runUntil(25_000);
    const adapted = sim.firstAt(5000, (d) => d.targetKbps <= 2000);
    const stepped = sim.firstAt(5000, (d) => d.width < 1280);
    const capped = sim.between(7000, 25_000);
    const lowestFps = Math.min(...capped.map((s) => s.decision.fps));
    const { min, max } = range(capped);
    const last = sim.controller.current;
    console.info(
      `cap 8 → 2 Mb/s: target ≤ 2 Mb/s after ${(adapted ?? Number.NaN) - 5000} ms, picture stepped down after ` +
        `${(stepped ?? Number.NaN) - 5000} ms to ${last.width}x${last.height}@${last.fps}; then ${min}-${max} kbps, ` +
        `utilisation ${((deliveredKbps(capped) / 2000) * 100).toFixed(1)} %, queueing delay p95 ${queueP95(sim, 7000).toFixed(0)} ms`,
    );
    expect(adapted! - 5000).toBeLessThanOrEqual(2000);
    expect(last.width).toBeLessThan(1280);
    expect(lowestFps).toBeGreaterThanOrEqual(55);

    sim.link.capacityKbps = 20_000;
    sim.runUntil(40_000);
    const atMax = sim.firstAt(25_000, (d) => d.targetKbps === 8000);
    const fullPicture = sim.firstAt(25_000, (d) => d.width === 1280 && d.height === 720 && d.fps === 60);
    console.info(
      `release 2 → 20 Mb/s: back at 8 Mb/s after ${(atMax ?? Number.NaN) - 25_000} ms, ` +
        `720p60 after ${(fullPicture ?? Number.NaN) - 25_000} ms`,
    );
    expect(atMax! - 25_000).toBeLessThanOrEqual(10_000);
    expect(fullPicture! - 25_000).toBeLessThanOrEqual(10_000);
    expect(sim.controller.current).toMatchObject({ targetKbps: 8000, width: 1280, height: 720, fps: 60 });
  });

  it('keeps ≥ 90 % of the maximum through 2 % random loss on an open link', () => {
    const sim = new Simulation({ ...OPEN_LINK, lossRate: 0.02 });
    sim.runUntil(30_000);
    const { min } = range(sim.samples);
    console.info(`2 % random loss: lowest target ${min} kbps (${((min / 8000) * 100).toFixed(0)} % of max)`);
    expect(min).toBeGreaterThanOrEqual(0.9 * 8000);
  });

  it('keeps ≥ 75 % of the maximum through 5 % random loss on an open link', () => {
    const sim = new Simulation({ ...OPEN_LINK, lossRate: 0.05 });
    sim.runUntil(30_000);
    const { min } = range(sim.samples);
    console.info(`5 % random loss: lowest target ${min} kbps (${((min / 8000) * 100).toFixed(0)} % of max)`);
    expect(min).toBeGreaterThanOrEqual(0.75 * 8000);
  });
});

describe('BitrateController decisions', () => {
  const create = (options: Partial<BitrateControllerOptions> = {}) =>
    new BitrateController({ shape: { width: 1280, height: 720, fps: 60 }, maxKbps: 8000, ...options });

  /** Feedback for `count` packets sent 1 ms apart from `sendMs`, received 20 ms later unless listed as lost. */
  const feedbackAt = (atMs: number, firstSeq: number, count: number, lost: readonly number[] = []) => ({
    atMs,
    packets: Array.from({ length: count }, (_, i): PacketResult => {
      const sendMs = atMs - 60 + i;
      return { wideSeq: firstSeq + i, sendMs, sizeBytes: 1200, arrivalMs: lost.includes(i) ? undefined : sendMs + 20 };
    }),
  });

  it('starts at the maximum on the full picture and tells the encoder once', () => {
    const controller = create();
    expect(controller.current).toEqual({
      targetKbps: 8000,
      estimateKbps: 0,
      width: 1280,
      height: 720,
      fps: 60,
      lossFraction: 0,
      changed: true,
      reason: 'start',
    });
    expect(controller.tick(0)).toMatchObject({ targetKbps: 8000, changed: false, reason: 'hold' });
  });

  it('takes REMB as an upper bound and forgets it when the receiver stops sending it', () => {
    const controller = create();
    expect(controller.onRemb(5_000_000, 0)).toMatchObject({ targetKbps: 5000, changed: true, reason: 'overuse' });
    expect(controller.tick(4000)).toMatchObject({ targetKbps: 5000, changed: false });
    expect(controller.tick(5100)).toMatchObject({ targetKbps: 8000, changed: true, reason: 'probe' });
  });

  it('sends a decrease of 5 % at once and keeps quiet about a smaller one', () => {
    const controller = create();
    expect(controller.onRemb(7_700_000, 0)).toMatchObject({ targetKbps: 8000, estimateKbps: 7700, changed: false });
    expect(controller.onRemb(7_600_000, 10)).toMatchObject({ targetKbps: 7600, changed: true });
  });

  it('sends an increase only when it is 10 % and 250 ms past the last target', () => {
    const controller = create();
    controller.onRemb(5_000_000, 0);
    expect(controller.onRemb(5_400_000, 100)).toMatchObject({ targetKbps: 5000, changed: false });
    expect(controller.onRemb(5_600_000, 150)).toMatchObject({ targetKbps: 5000, changed: false });
    expect(controller.onRemb(5_600_000, 250)).toMatchObject({ targetKbps: 5600, changed: true, reason: 'probe' });
  });

  it('steps the picture down with the target and back up once it holds', () => {
    const controller = create();
    expect(controller.onRemb(1_000_000, 0)).toMatchObject({
      targetKbps: 1000,
      width: 640,
      height: 360,
      fps: 60,
      changed: true,
      reason: 'ladder-down',
    });
    let decision = controller.current;
    let at = 0;
    while (decision.width === 640 && at < 10_000) {
      at += 100;
      decision = controller.onRemb(2_100_000, at);
    }
    expect(at).toBeGreaterThanOrEqual(3000);
    expect(decision).toMatchObject({ targetKbps: 2100, width: 960, height: 540, fps: 60, reason: 'ladder-up' });
  });

  it('keeps the session picture when the encoder cannot resize live', () => {
    const controller = create({ liveResize: false });
    expect(controller.onRemb(1_000_000, 0)).toMatchObject({
      targetKbps: 1000,
      width: 1280,
      height: 720,
      fps: 60,
      reason: 'overuse',
    });
  });

  it('cuts for receiver-report loss when no transport-wide feedback comes', () => {
    const controller = create();
    expect(controller.onReceiverReport({ fractionLost: 0.2 }, 0)).toMatchObject({
      targetKbps: 7200,
      lossFraction: 0.2,
      changed: true,
      reason: 'loss',
    });
  });

  it('leaves receiver-report loss aside while transport-wide feedback is fresh', () => {
    const controller = create();
    for (let i = 0; i < 4; i++) controller.onTransportFeedback(feedbackAt(50 * (i + 1), i * 50, 50));
    expect(controller.onReceiverReport({ fractionLost: 0.2 }, 250)).toMatchObject({ targetKbps: 8000, changed: false });
  });

  it('measures loss from transport-wide feedback', () => {
    const controller = create();
    let decision = controller.current;
    // 3 lost of every 50: 6 % with a flat delay, so noise: reported, not acted on.
    for (let i = 0; i < 10; i++)
      decision = controller.onTransportFeedback(feedbackAt(50 * (i + 1), i * 50, 50, [5, 20, 40]));
    expect(decision).toMatchObject({ targetKbps: 8000, changed: false });
    expect(decision.lossFraction).toBeCloseTo(0.06, 5);
  });

  it('ignores nonsense input without throwing', () => {
    const controller = create();
    controller.onRemb(Number.NaN, 0);
    controller.onRemb(-5, 0);
    controller.onReceiverReport({ fractionLost: 2 }, 0);
    controller.onTransportFeedback({ atMs: 0, packets: [] });
    expect(controller.tick(10)).toMatchObject({ targetKbps: 8000, estimateKbps: 0, changed: false });
  });

  it('refuses impossible limits and unknown tuning', () => {
    expect(() => create({ maxKbps: 0 })).toThrow(FramewayError);
    expect(() => create({ tuning: { rate: { bogus: 1 } as never } })).toThrow(/rate\.bogus/);
    expect(() => create({ tuning: { loss: { highFraction: -1 } } })).toThrow(FramewayError);
  });
});
