import { Readable } from 'node:stream';
import type { ReadableStream as StreamExtraReadable } from '@yume-chan/stream-extra';

/**
 * A Node readable as the web stream type the @yume-chan packages declare. At
 * run time it is Node's own WHATWG ReadableStream, which they use as is; only
 * the declarations differ (theirs types `reader.closed` as Promise<undefined>,
 * Node's as Promise<void>), so the one cast between the two lives here.
 */
export function toStreamExtraReadable(stream: Readable): StreamExtraReadable<Uint8Array> {
  return Readable.toWeb(stream) as unknown as StreamExtraReadable<Uint8Array>;
}
