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

/** Share of the time the target was above `kbps`. */
function shareAbove(samples: readonly Sample[], kbps: number): number {
  return samples.filter((s) => s.decision.targetKbps > kbps).length / Math.max(1, samples.length);
}


it('naive', () => {
  for (const loss of [0.02, 0.05]) {
    const sim = new Simulation({ ...OPEN_LINK, lossRate: loss }, { tuning: { loss: { highFraction: 0.02 } } });
    sim.runUntil(30_000);
    console.log('naive', loss, range(sim.samples));
    const sim2 = new Simulation({ ...OPEN_LINK, lossRate: loss }, { tuning: { loss: { standingQueueMs: 0 } } });
    sim2.runUntil(30_000);
    console.log('standing0', loss, range(sim2.samples));
  }
});
