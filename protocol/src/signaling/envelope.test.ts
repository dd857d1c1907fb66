import { describe, expect, it } from 'vitest';
import { FramewayError } from '../errors/FramewayError.js';
import { decodeMessage, encodeMessage, MAX_SIGNALING_MESSAGE_BYTES } from './envelope.js';
import { MessageType } from './messageTypes.js';

function errorOf(fn: () => unknown): FramewayError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FramewayError) return error;
    throw error;
  }
  throw new Error('expected a FramewayError');
}

describe('signaling envelope', () => {
  it('round-trips a request with its id', () => {
    const text = encodeMessage(MessageType.PlayerJoin, { token: 'abc' }, 7);
    expect(JSON.parse(text)).toEqual({ t: 200, id: 7, p: { token: 'abc' } });
    const message = decodeMessage(text);
    expect(message).toEqual({ t: MessageType.PlayerJoin, id: 7, p: { token: 'abc' } });
  });

  it('decodes binary UTF-8 frames as well as strings', () => {
    const bytes = new TextEncoder().encode(encodeMessage(MessageType.Ping, { ts: 5 }));
    expect(decodeMessage(bytes)).toEqual({ t: MessageType.Ping, p: { ts: 5 } });
  });

  it('rejects non-JSON, non-object and badly shaped envelopes with FW_ERR_BAD_MESSAGE', () => {
    for (const raw of [
      '{',
      '[]',
      'null',
      '42',
      '{"t":"200","p":{}}',
      '{"t":1.5,"p":{}}',
      '{"t":3,"id":-1,"p":{"ts":1}}',
    ]) {
      expect(errorOf(() => decodeMessage(raw)).code).toBe('FW_ERR_BAD_MESSAGE');
    }
    expect(errorOf(() => decodeMessage(Uint8Array.of(0xff, 0xfe))).code).toBe('FW_ERR_BAD_MESSAGE');
  });

  it('rejects unknown types and keeps the request id so the sender can be answered', () => {
    const error = errorOf(() => decodeMessage('{"t":9999,"id":3,"p":{}}'));
    expect(error.code).toBe('FW_ERR_UNKNOWN_MESSAGE_TYPE');
    expect(error.details).toMatchObject({ id: 3, t: 9999 });
  });

  it('rejects payloads that do not match their schema and names the field', () => {
    const error = errorOf(() => decodeMessage('{"t":100,"id":1,"p":{"agentId":"a b","secret":"s"}}'));
    expect(error.code).toBe('FW_ERR_INVALID_PAYLOAD');
    expect(error.message).toContain('agentId');
    expect(error.details).toMatchObject({ id: 1 });
    const sdp = errorOf(() => decodeMessage(encodeMessage(MessageType.PlayerOffer, { sdp: '' })));
    expect(sdp.code).toBe('FW_ERR_INVALID_PAYLOAD');
  });

  it('rejects messages over the size limit before parsing them', () => {
    const big = JSON.stringify({ t: 202, p: { sdp: 'x'.repeat(MAX_SIGNALING_MESSAGE_BYTES) } });
    expect(errorOf(() => decodeMessage(big)).code).toBe('FW_ERR_MESSAGE_TOO_LARGE');
    expect(errorOf(() => decodeMessage('é'.repeat(40), 60)).code).toBe('FW_ERR_MESSAGE_TOO_LARGE');
  });

  it('ignores unknown payload keys so newer peers stay compatible', () => {
    expect(decodeMessage('{"t":3,"p":{"ts":1,"future":true}}')).toEqual({ t: MessageType.Ping, p: { ts: 1 } });
  });
});
