import { TypedEmitter } from '@frameway/protocol';
import type { MinuteVerdict, QosVerdictEvents, QosVerdictSource } from '../ledger/QosVerdicts.js';

/** A QoS verdict source for tests: verdicts are pushed by hand instead of coming from the ledger. */
export class FakeVerdictSource extends TypedEmitter<QosVerdictEvents> implements QosVerdictSource {
  readonly #verdicts = new Map<string, MinuteVerdict[]>();

  verdictsFor(sessionId: string): readonly MinuteVerdict[] {
    return this.#verdicts.get(sessionId) ?? [];
  }

  /** Records a minute verdict and announces it, as the ledger does after cross-checking a minute. */
  push(verdict: Omit<MinuteVerdict, 'failures' | 'fps' | 'p95LatencyMs'> & Partial<MinuteVerdict>): MinuteVerdict {
    const full: MinuteVerdict = {
      failures: verdict.slaMet ? [] : ['fps_below_target'],
      fps: verdict.slaMet ? 60 : 24,
      p95LatencyMs: verdict.slaMet ? 18 : 55,
      ...verdict,
    };
    const list = this.#verdicts.get(full.sessionId) ?? [];
    list.push(full);
    list.sort((a, b) => a.minuteIndex - b.minuteIndex);
    this.#verdicts.set(full.sessionId, list);
    this.emit('verdict', full);
    return full;
  }
}
