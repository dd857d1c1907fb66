import { FramewayError } from '../errors/FramewayError.js';
import { MAX_INPUT_MESSAGE_BYTES } from './inputCodec.js';

/**
 * Binary frames on the gateway -> agent socket. Text frames carry signaling;
 * binary frames carry input for one session, tagged by the session's channel
 * number from SessionStart:
 *
 *   u8 kind (0x01 = input) | u32 channel (LE) | input message bytes
 */
export const AgentFrameKind = { Input: 0x01 } as const;
export const AGENT_FRAME_HEADER_BYTES = 5;

export function encodeAgentInputFrame(channel: number, input: Uint8Array): Uint8Array {
  const frame = new Uint8Array(AGENT_FRAME_HEADER_BYTES + input.byteLength);
  const view = new DataView(frame.buffer);
  view.setUint8(0, AgentFrameKind.Input);
  view.setUint32(1, channel, true);
  frame.set(input, AGENT_FRAME_HEADER_BYTES);
  return frame;
}

export function decodeAgentFrame(data: Uint8Array | ArrayBuffer): { kind: number; channel: number; input: Uint8Array } {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength > AGENT_FRAME_HEADER_BYTES + MAX_INPUT_MESSAGE_BYTES) {
    throw new FramewayError('FW_ERR_INPUT_TOO_LARGE', `agent frame of ${bytes.byteLength} bytes is too large`);
  }
  if (bytes.byteLength <= AGENT_FRAME_HEADER_BYTES) {
    throw new FramewayError('FW_ERR_INPUT_MALFORMED', 'agent frame shorter than its header');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = view.getUint8(0);
  if (kind !== AgentFrameKind.Input) {
    throw new FramewayError('FW_ERR_INPUT_UNKNOWN_EVENT', `unknown agent frame kind ${kind}`);
  }
  return { kind, channel: view.getUint32(1, true), input: bytes.subarray(AGENT_FRAME_HEADER_BYTES) };
}
