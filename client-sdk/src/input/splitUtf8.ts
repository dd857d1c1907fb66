const encoder = new TextEncoder();

/**
 * Splits text into pieces of at most `maxBytes` UTF-8 bytes each, never
 * inside a code point, so each piece is valid UTF-8 on its own (a long paste
 * becomes several Text events).
 *
 * @example splitUtf8('héllo', 2) // ['h', 'é', 'll', 'o']
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (!(maxBytes >= 4)) throw new RangeError('maxBytes must be at least 4 (one code point)');
  if (encoder.encode(text).byteLength <= maxBytes) return text === '' ? [] : [text];
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const char of text) {
    const size = utf8Length(char.codePointAt(0) as number);
    if (bytes + size > maxBytes) {
      pieces.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += char;
    bytes += size;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  // Lone surrogates encode as U+FFFD (3 bytes).
  if (codePoint < 0x10000) return 3;
  return 4;
}
