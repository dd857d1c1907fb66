import { describe, expect, it } from 'vitest';
import { InputToPhotonProbe, type Rgb } from './InputToPhotonProbe.js';

function rig(sampleOf: (at: number) => Rgb | undefined) {
  let frame: ((now: number, metadata: { presentationTime: number }) => void) | undefined;
  const samples: number[] = [];
  const probe = new InputToPhotonProbe({
    video: () => ({
      requestVideoFrameCallback: (callback) => {
        frame = callback;
        return 1;
      },
      cancelVideoFrameCallback: () => undefined,
    }),
    sample: () => sampleOf(current),
    onSample: (ms) => samples.push(ms),
    idleEvery: 1,
    timeoutMs: 200,
  });
  let current = 0;
  const present = (at: number) => {
    current = at;
    const callback = frame;
    frame = undefined;
    callback?.(at, { presentationTime: at });
  };
  probe.start();
  return { probe, samples, present };
}

const red = { r: 250, g: 5, b: 5 };
const green = { r: 5, g: 250, b: 5 };

describe('InputToPhotonProbe', () => {
  it('ignores small colour noise and an input whose effect never shows', () => {
    const { probe, samples, present } = rig((at) => (at < 1000 ? red : { r: 240, g: 20, b: 10 }));
    present(0);
    probe.inputSent(10);
    for (let at = 16; at < 2000; at += 16) present(at);
    expect(samples).toEqual([]);
  });

  it('measures nothing where the stream has no flat marker', () => {
    const { probe, samples, present } = rig(() => undefined);
    present(0);
    probe.inputSent(10);
    for (let at = 16; at < 500; at += 16) present(at);
    expect(samples).toEqual([]);
  });

  it('times out a measurement and measures the next input afresh', () => {
    const { probe, samples, present } = rig((at) => (at < 700 ? red : green));
    present(0);
    probe.inputSent(10); // never changes within 200 ms
    for (let at = 16; at <= 400; at += 16) present(at);
    probe.inputSent(650);
    for (let at = 656; at <= 800; at += 16) present(at);
    expect(samples).toEqual([704 - 650]);
    probe.close();
  });
});
