import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './parseCommandLine.js';

describe('parseCommandLine', () => {
  it('splits words like a shell, with quotes and escapes, and expands nothing', () => {
    expect(parseCommandLine('ltris')).toEqual(['ltris']);
    expect(parseCommandLine('  xterm   -fa  Mono ')).toEqual(['xterm', '-fa', 'Mono']);
    expect(parseCommandLine(`sh -c 'echo "hi there" $HOME'`)).toEqual(['sh', '-c', 'echo "hi there" $HOME']);
    expect(parseCommandLine('a "b \\" c" d\\ e \'\'')).toEqual(['a', 'b " c', 'd e', '']);
    expect(parseCommandLine('node /opt/game.mjs --level=3')).toEqual(['node', '/opt/game.mjs', '--level=3']);
    expect(parseCommandLine('say ~ * $(id)')).toEqual(['say', '~', '*', '$(id)']);
  });

  it('rejects an unterminated quote or an empty line with FW_ERR_INVALID_PAYLOAD', () => {
    for (const bad of ['a "b', "a 'b", '', '   ']) {
      expect(() => parseCommandLine(bad)).toThrow(expect.objectContaining({ code: 'FW_ERR_INVALID_PAYLOAD' }));
    }
  });

  it('round-trips any argv quoted with single quotes', () => {
    const word = fc.string({ minLength: 1 }).filter((w) => !w.includes("'"));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 8 }), (argv) => {
        expect(parseCommandLine(argv.map((w) => `'${w}'`).join(' '))).toEqual(argv);
      }),
    );
  });

  it('either splits any string into words or refuses it with a typed error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (line) => {
        try {
          const argv = parseCommandLine(line);
          expect(argv.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toMatchObject({ code: 'FW_ERR_INVALID_PAYLOAD' });
        }
      }),
    );
  });
});
