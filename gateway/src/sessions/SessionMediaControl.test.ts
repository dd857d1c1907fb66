import type { EncoderTarget, StreamQuality } from '@frameway/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentApi } from '../agents/AgentApi.js';
import type { PlayerApi } from '../players/PlayerApi.js';
import { sessionSpec } from '../testing/sessionSpec.js';
import { Session } from './Session.js';
import { SessionMediaControl } from './SessionMediaControl.js';

const allControls = { keyframeOnDemand: true, liveBitrate: true, liveResize: true, retransmits: true };

function harness(now: () => number) {
  const session = new Session(sessionSpec(), 1, 0);
  const warn = vi.spyOn(session.log, 'warn').mockImplementation(() => {});
  const requests: string[] = [];
  const targets: EncoderTarget[] = [];
  const quality: StreamQuality[] = [];
  const agent = {
    requestKeyframe: (sessionId: string) => requests.push(sessionId),
    setEncoderTarget: (target: EncoderTarget) => targets.push(target),
  } as unknown as AgentApi;
  const player = { streamQuality: (q: StreamQuality) => quality.push(q), warn: () => {} } as unknown as PlayerApi;
  const control = new SessionMediaControl({
    session,
    agent: () => agent,
    player: () => player,
    keyframes: { minIntervalMs: 200, answerTimeoutMs: 500, ignoredLimit: 3, ignoredIntervalMs: 2000 },
    now,
  });
  return { control, requests, targets, quality, warnings: warn.mock.calls };
}

describe('SessionMediaControl', () => {
  afterEach(() => vi.useRealTimers());

  it('warns once, with FW_ERR_KEYFRAME_IGNORED, when the agent answers no keyframe request, and then asks less often', () => {
    vi.useFakeTimers();
    let now = 0;
    const h = harness(() => now);
    h.control.encoderStarted(allControls);
    for (let i = 0; i < 20; i++) {
      h.control.requestKeyframe();
      now += 600;
      vi.advanceTimersByTime(600);
    }
    expect(h.warnings).toHaveLength(1);
    expect(JSON.stringify(h.warnings[0])).toContain('FW_ERR_KEYFRAME_IGNORED');
    // 12 s of requests every 600 ms: the first few every time, then one per 2 s.
    expect(h.requests.length).toBeLessThan(12);
    expect(h.requests.length).toBeGreaterThanOrEqual(6);
    h.control.close();
  });

  it('an agent that answers is never warned about', () => {
    vi.useFakeTimers();
    let now = 0;
    const h = harness(() => now);
    h.control.encoderStarted(allControls);
    for (let i = 0; i < 20; i++) {
      h.control.requestKeyframe();
      now += 50;
      h.control.keyframeSeen();
      now += 550;
      vi.advanceTimersByTime(600);
    }
    expect(h.warnings).toHaveLength(0);
    expect(h.requests).toHaveLength(20);
    h.control.close();
  });

  it('re-sends the last target to a new encoder (failover) and stops after close', () => {
    const h = harness(() => 0);
    h.control.encoderStarted(allControls);
    const target = { bitrateKbps: 1500, width: 960, height: 540, fps: 60, estimateKbps: 1800, lossFraction: 0 };
    h.control.setTarget(target);
    h.control.encoderStarted(allControls);
    expect(h.targets).toHaveLength(2);
    expect(h.targets[1]).toEqual({ sessionId: 's1', bitrateKbps: 1500, width: 960, height: 540, fps: 60 });
    h.control.close();
    h.control.setTarget(target);
    h.control.requestKeyframe();
    expect(h.targets).toHaveLength(2);
    expect(h.requests).toHaveLength(0);
  });
});
