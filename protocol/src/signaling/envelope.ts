import * as v from 'valibot';
import { FramewayError } from '../errors/FramewayError.js';
import { isMessageType, type MessageType, messageTypeName } from './messageTypes.js';
import { type PayloadOf, payloadSchemas } from './payloads.js';

/** The one signaling envelope: `t` message type, `id` request correlation, `p` payload. */
export interface Envelope<T extends MessageType = MessageType> {
  t: T;
  id?: number;
  p: PayloadOf<T>;
}

/** Every valid message as a union discriminated on `t`. */
export type AnyMessage = { [T in MessageType]: Envelope<T> }[MessageType];

/** Default size limit of one signaling message (SDP offers are the largest, ~10 KB). */
export const MAX_SIGNALING_MESSAGE_BYTES = 64 * 1024;

const MAX_REQUEST_ID = 2 ** 31 - 1;
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export function encodeMessage<T extends MessageType>(t: T, p: PayloadOf<T>, id?: number): string {
  return JSON.stringify(id === undefined ? { t, p } : { t, id, p });
}

/**
 * Parses and validates one signaling message. Throws a FramewayError whose
 * `details.id` carries the request id when one could be read, so the receiver
 * can answer the request with the error.
 */
export function decodeMessage(
  data: string | ArrayBuffer | Uint8Array,
  maxBytes: number = MAX_SIGNALING_MESSAGE_BYTES,
): AnyMessage {
  const byteLength = typeof data === 'string' ? utf8Length(data, maxBytes) : data.byteLength;
  if (byteLength > maxBytes) {
    throw new FramewayError('FW_ERR_MESSAGE_TOO_LARGE', `signaling message of ${byteLength} bytes exceeds ${maxBytes}`);
  }
  let text: string;
  try {
    text = typeof data === 'string' ? data : textDecoder.decode(data);
  } catch (cause) {
    throw new FramewayError('FW_ERR_BAD_MESSAGE', 'signaling message is not valid UTF-8', undefined, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new FramewayError('FW_ERR_BAD_MESSAGE', 'signaling message is not valid JSON', undefined, { cause });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new FramewayError('FW_ERR_BAD_MESSAGE', 'signaling message must be a JSON object { t, id?, p }');
  }
  const { t, id, p } = raw as Record<string, unknown>;
  const requestId =
    Number.isInteger(id) && (id as number) >= 0 && (id as number) <= MAX_REQUEST_ID ? (id as number) : undefined;
  if (id !== undefined && requestId === undefined) {
    throw new FramewayError('FW_ERR_BAD_MESSAGE', `envelope id must be an integer in [0, ${MAX_REQUEST_ID}]`);
  }
  const idDetails = requestId === undefined ? {} : { id: requestId };
  if (typeof t !== 'number' || !Number.isInteger(t)) {
    throw new FramewayError('FW_ERR_BAD_MESSAGE', 'envelope t must be an integer message type', idDetails);
  }
  if (!isMessageType(t)) {
    throw new FramewayError('FW_ERR_UNKNOWN_MESSAGE_TYPE', `unknown message type ${t}`, { ...idDetails, t });
  }
  const result = v.safeParse(payloadSchemas[t], p ?? {});
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue.path?.map((item) => String(item.key)).join('.') ?? '';
    throw new FramewayError(
      'FW_ERR_INVALID_PAYLOAD',
      `${messageTypeName(t)} payload invalid${path ? ` at ${path}` : ''}: ${issue.message}`,
      { ...idDetails, t },
    );
  }
  const message = { t, p: result.output } as AnyMessage;
  if (requestId !== undefined) message.id = requestId;
  return message;
}

/** UTF-8 byte length without allocating; stops counting once past `limit`. */
function utf8Length(text: string, limit: number): number {
  if (text.length * 3 <= limit) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
