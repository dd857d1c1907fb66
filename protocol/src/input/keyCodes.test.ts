import { describe, expect, it } from 'vitest';
import { CodeByHidUsage, HidUsageByCode, hidUsageFromCode } from './keyCodes.js';

describe('physical key codes', () => {
  it('maps W3C codes to their USB HID usages', () => {
    expect(hidUsageFromCode('KeyA')).toBe(0x04);
    expect(hidUsageFromCode('KeyZ')).toBe(0x1d);
    expect(hidUsageFromCode('Digit1')).toBe(0x1e);
    expect(hidUsageFromCode('Digit0')).toBe(0x27);
    expect(hidUsageFromCode('F12')).toBe(0x45);
    expect(hidUsageFromCode('F13')).toBe(0x68);
    expect(hidUsageFromCode('ArrowUp')).toBe(0x52);
    expect(hidUsageFromCode('Numpad0')).toBe(0x62);
    expect(hidUsageFromCode('MetaRight')).toBe(0xe7);
  });

  it('returns undefined for unknown codes and inherited object keys', () => {
    expect(hidUsageFromCode('NotAKey')).toBeUndefined();
    expect(hidUsageFromCode('toString')).toBeUndefined();
    expect(hidUsageFromCode('__proto__')).toBeUndefined();
  });

  it('is a bijection between codes and usages', () => {
    expect(CodeByHidUsage.size).toBe(Object.keys(HidUsageByCode).length);
    for (const [code, usage] of Object.entries(HidUsageByCode)) expect(CodeByHidUsage.get(usage)).toBe(code);
  });
});
