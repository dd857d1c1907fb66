import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitUtf8 } from './splitUtf8.js';

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

describe('splitUtf8', () => {
  it('keeps short text whole and drops empty text', () => {
    expect(splitUtf8('hello', 4000)).toEqual(['hello']);
    expect(splitUtf8('', 4000)).toEqual([]);
  });

  it('splits on code points, never inside one', () => {
    expect(splitUtf8('aé日😀b', 4)).toEqual(['aé', '日', '😀', 'b']);
  });

  it('pieces join back to the input and each fits the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer({ min: 4, max: 40 }), (text, max) => {
        const pieces = splitUtf8(text, max);
        expect(pieces.join('')).toBe(text);
        for (const piece of pieces) expect(bytes(piece)).toBeLessThanOrEqual(max);
      }),
    );
  });

  it('rejects a limit smaller than one code point', () => {
    expect(() => splitUtf8('x', 3)).toThrow(RangeError);
  });
});
