import { describe, expect, it } from 'vitest';
import { detectH264Keyframe } from './detectH264Keyframe.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('detectH264Keyframe', () => {
  it('sees an IDR or SPS single NAL unit packet, not a P slice or PPS', () => {
    expect(detectH264Keyframe(bytes(0x65, 0x88, 0x84))).toBe(true); // nal_ref_idc 3, type 5
    expect(detectH264Keyframe(bytes(0x67, 0x42, 0xc0, 0x1f))).toBe(true); // SPS
    expect(detectH264Keyframe(bytes(0x41, 0x9a))).toBe(false); // non-IDR slice
    expect(detectH264Keyframe(bytes(0x68, 0xce))).toBe(false); // PPS
  });

  it('sees only the first FU-A fragment of an IDR', () => {
    expect(detectH264Keyframe(bytes(0x7c, 0x85, 0x88))).toBe(true); // FU indicator 28, S + type 5
    expect(detectH264Keyframe(bytes(0x7c, 0x05, 0x88))).toBe(false); // middle fragment
    expect(detectH264Keyframe(bytes(0x7c, 0x45, 0x88))).toBe(false); // end fragment
    expect(detectH264Keyframe(bytes(0x7c, 0x81, 0x9a))).toBe(false); // start of a P slice
    expect(detectH264Keyframe(bytes(0x7c))).toBe(false); // truncated
  });

  it('sees a STAP-A holding an SPS or an IDR', () => {
    const spsPps = bytes(0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce);
    expect(detectH264Keyframe(spsPps)).toBe(true);
    const ppsThenIdr = bytes(0x78, 0x00, 0x02, 0x68, 0xce, 0x00, 0x02, 0x65, 0x88);
    expect(detectH264Keyframe(ppsThenIdr)).toBe(true);
    const seiAndSlice = bytes(0x78, 0x00, 0x02, 0x06, 0x05, 0x00, 0x02, 0x41, 0x9a);
    expect(detectH264Keyframe(seiAndSlice)).toBe(false);
  });

  it('gives false for a STAP-A whose sizes run past the end, and for nothing', () => {
    expect(detectH264Keyframe(bytes(0x78, 0x00, 0x09, 0x67, 0x42))).toBe(false);
    expect(detectH264Keyframe(bytes(0x78, 0x00, 0x00, 0x67))).toBe(false);
    expect(detectH264Keyframe(bytes(0x78))).toBe(false);
    expect(detectH264Keyframe(bytes())).toBe(false);
  });
});
