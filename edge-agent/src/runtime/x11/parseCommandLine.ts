import { FramewayError } from '@frameway/protocol';

/**
 * Splits a command line into argv the way a POSIX shell splits words, without
 * running a shell: whitespace separates words, '…' is literal, "…" allows
 * \" \\ \$ \` escapes, a backslash outside quotes escapes the next character.
 * No expansion of any kind ($VAR, globs, ~). Throws FW_ERR_INVALID_PAYLOAD on
 * an unterminated quote or an empty line.
 *
 * @example parseCommandLine(`sh -c 'echo "hi there"'`) // ['sh', '-c', 'echo "hi there"']
 */
export function parseCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < line.length) word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `unterminated ${quote} quote in command line`);
  if (inWord) words.push(word);
  if (words.length === 0) throw new FramewayError('FW_ERR_INVALID_PAYLOAD', 'empty command line');
  return words;
}
