import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { SessionStartPayload } from './agent.js';

const start = {
  sessionId: 's-1',
  channel: 1,
  runtime: 'x11',
  runtimeOptions: { cmd: 'ltris' },
  video: { width: 1280, height: 720, fps: 60, codec: 'h264', bitrateKbps: 8000, gop: 60 },
  rtp: { host: '127.0.0.1', port: 40000, payloadType: 96, ssrc: 1 },
};

describe('SessionStart', () => {
  it('stays valid without audio, as agents and gateways before audio send it', () => {
    expect(v.is(SessionStartPayload, start)).toBe(true);
  });

  it('carries an optional second RTP target for Opus audio, checked like the video one', () => {
    const audioRtp = { host: '127.0.0.1', port: 40002, payloadType: 111, ssrc: 2 };
    expect(v.parse(SessionStartPayload, { ...start, audioRtp }).audioRtp).toEqual(audioRtp);
    for (const bad of [
      { ...audioRtp, port: 0 },
      { ...audioRtp, payloadType: 8 },
      { ...audioRtp, ssrc: 0 },
    ]) {
      expect(v.is(SessionStartPayload, { ...start, audioRtp: bad })).toBe(false);
    }
  });
});
