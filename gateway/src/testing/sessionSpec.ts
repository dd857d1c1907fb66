import type { SessionSpec } from '../sessions/Session.js';

/** A 720p60 H.264 scene session with a 30 ms budget, with `patch` applied. */
export function sessionSpec(patch: Partial<SessionSpec> = {}): SessionSpec {
  return {
    id: 's1',
    playerId: 'p1',
    runtime: 'scene',
    video: { width: 1280, height: 720, fps: 60, codec: 'h264', bitrateKbps: 5000, gop: 60 },
    latencyBudgetMs: 30,
    ...patch,
  };
}
