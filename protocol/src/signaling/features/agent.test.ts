import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { encodeSrtpKeying } from '../../media/srtpKeying.js';
import { SessionStartPayload } from './agent.js';

const srtp = encodeSrtpKeying(Uint8Array.from({ length: 30 }, (_, i) => i));

const start = {
  sessionId: 's-1',
  channel: 1,
  runtime: 'x11',
  runtimeOptions: { cmd: 'ltris' },
  video: { width: 1280, height: 720, fps: 60, codec: 'h264', bitrateKbps: 8000, gop: 60 },
  rtp: { host: '127.0.0.1', port: 40000, payloadType: 96, ssrc: 1, srtp },
};

describe('SessionStart', () => {
  it('stays valid without audio, as agents and gateways before audio send it', () => {
    expect(v.is(SessionStartPayload, start)).toBe(true);
  });

  it('carries an optional second RTP target for Opus audio, checked like the video one', () => {
    const audioRtp = { host: '127.0.0.1', port: 40002, payloadType: 111, ssrc: 2, srtp };
    expect(v.parse(SessionStartPayload, { ...start, audioRtp }).audioRtp).toEqual(audioRtp);
    for (const bad of [
      { ...audioRtp, port: 0 },
      { ...audioRtp, payloadType: 8 },
      { ...audioRtp, ssrc: 0 },
      { host: '127.0.0.1', port: 40002, payloadType: 111, ssrc: 2 },
    ]) {
      expect(v.is(SessionStartPayload, { ...start, audioRtp: bad })).toBe(false);
    }
  });

  it('requires SRTP keying on the ingest: a plaintext or malformed key is refused', () => {
    const { srtp: _, ...plain } = start.rtp;
    expect(v.is(SessionStartPayload, { ...start, rtp: plain })).toBe(false);
    for (const masterKey of ['', 'short', `${srtp.masterKey}AAAA`, srtp.masterKey.replace(/.$/, '!')]) {
      expect(v.is(SessionStartPayload, { ...start, rtp: { ...start.rtp, srtp: { ...srtp, masterKey } } })).toBe(false);
    }
    expect(v.is(SessionStartPayload, { ...start, rtp: { ...start.rtp, srtp: { ...srtp, profile: 'NULL' } } })).toBe(
      false,
    );
  });
});
