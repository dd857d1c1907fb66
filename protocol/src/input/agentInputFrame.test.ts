import { describe, expect, it } from 'vitest';
import type { FramewayError } from '../errors/FramewayError.js';
import { decodeAgentFrame, encodeAgentInputFrame } from './agentInputFrame.js';

describe('agent input frame', () => {
  it('prefixes the input with kind and little-endian channel (golden bytes)', () => {
    const frame = encodeAgentInputFrame(0x01020304, Uint8Array.of(0x01, 0x04, 0x00, 0x00));
    expect(Buffer.from(frame).toString('hex')).toBe('010403020101040000');
    const decoded = decodeAgentFrame(frame);
    expect(decoded.channel).toBe(0x01020304);
    expect([...decoded.input]).toEqual([1, 4, 0, 0]);
  });

  it('rejects short, oversized and unknown-kind frames with typed errors', () => {
    const codes: string[] = [];
    for (const bad of [Uint8Array.of(1, 0, 0), new Uint8Array(5000), Uint8Array.of(9, 0, 0, 0, 0, 1)]) {
      try {
        decodeAgentFrame(bad);
      } catch (error) {
        codes.push((error as FramewayError).code);
      }
    }
    expect(codes).toEqual(['FW_ERR_INPUT_MALFORMED', 'FW_ERR_INPUT_TOO_LARGE', 'FW_ERR_INPUT_UNKNOWN_EVENT']);
  });
});
