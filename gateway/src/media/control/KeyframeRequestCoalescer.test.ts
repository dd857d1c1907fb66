import { describe, expect, it } from 'vitest';
import { KeyframeRequestCoalescer } from './KeyframeRequestCoalescer.js';

const options = { minIntervalMs: 200, answerTimeoutMs: 500, ignoredLimit: 3, ignoredIntervalMs: 2000 };

describe('KeyframeRequestCoalescer', () => {
  it('sends the first request at once and defers the next to the end of the interval', () => {
    const coalescer = new KeyframeRequestCoalescer(options);
    expect(coalescer.request(1000)).toEqual({ action: 'send' });
    expect(coalescer.request(1050)).toEqual({ action: 'defer', delayMs: 150 });
    expect(coalescer.flush(1200)).toBe(true);
    expect(coalescer.counters.sent).toBe(2);
  });

  it('folds a PLI flood into one pending request per interval', () => {
    const coalescer = new KeyframeRequestCoalescer(options);
    coalescer.request(0);
    const decisions = Array.from({ length: 500 }, (_, i) => coalescer.request(1 + i * 0.3).action);
    expect(decisions[0]).toBe('defer');
    expect(decisions.slice(1).every((action) => action === 'coalesced')).toBe(true);
    expect(coalescer.flush(200)).toBe(true);
    expect(coalescer.flush(201)).toBe(false);
    expect(coalescer.counters).toMatchObject({ requested: 501, sent: 2, coalesced: 499 });
  });

  it('a forced request (new encoder after failover) skips the spacing', () => {
    const coalescer = new KeyframeRequestCoalescer(options);
    coalescer.request(0);
    expect(coalescer.request(10, true)).toEqual({ action: 'send' });
  });

  it('judges an encoder that never answers as ignoring and backs off to the long interval', () => {
    const coalescer = new KeyframeRequestCoalescer(options);
    let now = 0;
    for (let i = 0; i < 3; i++) {
      expect(coalescer.request(now).action).toBe('send');
      now += 600; // past the answer timeout, no keyframe seen
    }
    expect(coalescer.ignoring).toBe(false);
    // The third unanswered request is noticed here: from now on requests go out every 2 s.
    expect(coalescer.request(now)).toEqual({ action: 'defer', delayMs: 2000 - 600 });
    expect(coalescer.counters.ignored).toBe(3);
    expect(coalescer.ignoring).toBe(true);
  });

  it('an answered request resets the ignored streak', () => {
    const coalescer = new KeyframeRequestCoalescer(options);
    coalescer.request(0);
    coalescer.request(600); // the first was ignored
    coalescer.keyframeSeen(650); // the second is answered
    coalescer.request(1300);
    expect(coalescer.counters.ignored).toBe(1);
    expect(coalescer.ignoring).toBe(false);
    expect(coalescer.counters.keyframesSeen).toBe(1);
  });
});
