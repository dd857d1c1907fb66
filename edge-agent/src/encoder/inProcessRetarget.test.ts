import { describe, expect, it } from 'vitest';
import { inProcessRetarget, paceFrame } from './inProcessRetarget.js';

const session = { width: 1280, height: 720, fps: 60 };
const current = { bitrateKbps: 6_000, width: 1280, height: 720, fps: 60 };

/** Which of `frames` offered frames go out at `outputFps`, with the encoder always ready unless `busy(n)`. */
function pace(frames: number, inputFps: number, outputFps: number, busy: (n: number) => boolean = () => false) {
  let credit = inputFps - outputFps;
  const sent: boolean[] = [];
  for (let n = 0; n < frames; n++) {
    const decision = paceFrame(credit, inputFps, outputFps, !busy(n));
    credit = decision.credit;
    sent.push(decision.send);
  }
  return sent;
}

describe('inProcessRetarget', () => {
  it('changes only the rate control when the size stays', () => {
    expect(inProcessRetarget(session, current, { ...current, bitrateKbps: 2_500 })).toEqual({
      target: { ...current, bitrateKbps: 2_500 },
      changed: true,
      resize: false,
      rateChanged: true,
    });
  });

  it('asks for a reopen when the size changes', () => {
    const plan = inProcessRetarget(session, current, { ...current, width: 640, height: 360 });
    expect(plan).toMatchObject({ resize: true, rateChanged: false, changed: true });
    expect(plan.target).toEqual({ ...current, width: 640, height: 360 });
  });

  it('reports no change for the current target', () => {
    expect(inProcessRetarget(session, current, { ...current })).toMatchObject({ changed: false, resize: false });
  });

  it('never goes above the session size or frame rate: frames only arrive at those', () => {
    expect(
      inProcessRetarget(session, current, { bitrateKbps: 9_000, width: 3840, height: 2160, fps: 120 }).target,
    ).toEqual({ bitrateKbps: 9_000, width: 1280, height: 720, fps: 60 });
  });

  it('keeps sizes even and at least 16, and rates at least 1', () => {
    expect(inProcessRetarget(session, current, { bitrateKbps: 0, width: 641, height: 4, fps: 0 }).target).toEqual({
      bitrateKbps: 1,
      width: 640,
      height: 16,
      fps: 1,
    });
  });

  it('keeps the current value for a non-finite request instead of poisoning the encoder', () => {
    expect(
      inProcessRetarget(session, current, { bitrateKbps: Number.NaN, width: Number.NaN, height: 360, fps: Infinity })
        .target,
    ).toEqual({ bitrateKbps: 6_000, width: 1280, height: 360, fps: 60 });
  });
});

describe('paceFrame', () => {
  it('sends every frame at the input rate', () => {
    expect(pace(6, 60, 60)).toEqual([true, true, true, true, true, true]);
  });

  it('sends every other frame from 60 to 30 fps, starting with the first', () => {
    expect(pace(6, 60, 30)).toEqual([true, false, true, false, true, false]);
  });

  it('spreads 30 to 20 fps as two frames of every three', () => {
    const sent = pace(30, 30, 20);
    expect(sent.filter(Boolean)).toHaveLength(20);
    expect(sent.slice(0, 6)).toEqual([true, false, true, true, false, true]);
  });

  it('lets a busy drop not cost a paced slot as well: the next ready frame goes out', () => {
    // Frame 2 is due but the encoder is busy; frame 3 is sent in its place.
    expect(pace(6, 60, 30, (n) => n === 2)).toEqual([true, false, false, true, false, true]);
  });

  it('does not burst after a long stall', () => {
    const sent = pace(20, 60, 15, (n) => n < 12);
    // Owed at most one frame: the first ready frame goes, then the pace of one in four resumes.
    expect(sent.slice(12)).toEqual([true, false, false, false, true, false, false, false]);
  });
});
