import { encodeInputEvents, InputEventType } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { InputGate } from './InputGate.js';

const key = encodeInputEvents([{ type: InputEventType.KeyDown, usage: 4, modifiers: 0 }]);

describe('InputGate', () => {
  it('admits valid input byte-for-byte', () => {
    const gate = new InputGate({ ratePerSecond: 100, burst: 10 });
    expect(gate.admit(key)).toBe(key);
  });

  it('rejects text, malformed and unknown input with typed errors', () => {
    const gate = new InputGate({ ratePerSecond: 100, burst: 10 });
    expect(() => gate.admit('hello')).toThrow(expect.objectContaining({ code: 'FW_ERR_INPUT_MALFORMED' }));
    expect(() => gate.admit(Uint8Array.of(0x01, 4))).toThrow(
      expect.objectContaining({ code: 'FW_ERR_INPUT_MALFORMED' }),
    );
    expect(() => gate.admit(Uint8Array.of(0xee))).toThrow(
      expect.objectContaining({ code: 'FW_ERR_INPUT_UNKNOWN_EVENT' }),
    );
  });

  it('limits the rate to the burst, then refills over time', () => {
    let now = 0;
    const gate = new InputGate({ ratePerSecond: 10, burst: 3, now: () => now });
    for (let i = 0; i < 3; i++) gate.admit(key);
    expect(() => gate.admit(key)).toThrow(expect.objectContaining({ code: 'FW_ERR_RATE_LIMITED' }));
    now += 100; // one token at 10/s
    expect(gate.admit(key)).toBe(key);
    expect(() => gate.admit(key)).toThrow(expect.objectContaining({ code: 'FW_ERR_RATE_LIMITED' }));
  });

  it('does not spend rate budget on rejected garbage', () => {
    const now = 0;
    const gate = new InputGate({ ratePerSecond: 10, burst: 1, now: () => now });
    expect(() => gate.admit(Uint8Array.of(0xee))).toThrow();
    expect(gate.admit(key)).toBe(key);
  });
});
