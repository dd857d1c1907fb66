import {
  type AnyMessage,
  encodeAgentInputFrame,
  encodeInputEvents,
  encodeSrtpKeying,
  FramewayError,
  GatewayToAgent,
  type InputEvent,
  InputEventType,
  MessageType,
  SessionEndReason,
  SignalingChannel,
} from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { createGatewayHandlers, type SessionHost } from './gatewayHandlers.js';

const startPayload = {
  sessionId: 's-1',
  channel: 7,
  runtime: 'scene' as const,
  video: { width: 1280, height: 720, fps: 60, codec: 'h264' as const, bitrateKbps: 8000, gop: 60 },
  rtp: { host: '127.0.0.1', port: 5004, payloadType: 96, ssrc: 1, srtp: encodeSrtpKeying(new Uint8Array(30).fill(7)) },
};

/** A gateway-side channel wired in memory to the agent-side channel the handlers answer on. */
function link(host: SessionHost) {
  const handlers = createGatewayHandlers(host);
  let gateway: SignalingChannel | undefined;
  const agent: SignalingChannel = new SignalingChannel({
    send: (text) => queueMicrotask(() => gateway?.receive(text)),
    accepts: GatewayToAgent,
    onMessage: (message: AnyMessage) => handlers.handleMessage(message, agent),
  });
  gateway = new SignalingChannel({
    send: (text) => queueMicrotask(() => agent.receive(text)),
    accepts: new Set([MessageType.AgentSessionEnded]),
    onMessage: () => {},
  });
  return { handlers, gateway };
}

function fakeHost(overrides: Partial<SessionHost> = {}) {
  const applied: Array<{ channel: number; events: readonly InputEvent[] }> = [];
  const host: SessionHost = {
    startSession: async () => ({
      encoder: { name: 'libx264', codec: 'h264', hardware: false },
      encoderControls: { keyframeOnDemand: true, liveBitrate: true, liveResize: false, retransmits: true },
    }),
    stopSession: async () => false,
    requestKeyframe: () => false,
    setEncoderTarget: () => false,
    applyInput: (channel, events) => {
      if (channel !== 7) return false;
      applied.push({ channel, events });
      return true;
    },
    ...overrides,
  };
  return { host, applied };
}

describe('gateway handlers', () => {
  it('answers SessionStart with SessionStarted, the encoder used and what it can do live', async () => {
    const { gateway } = link(fakeHost().host);
    await expect(gateway.request(MessageType.SessionStart, startPayload)).resolves.toEqual({
      sessionId: 's-1',
      encoder: { name: 'libx264', codec: 'h264', hardware: false },
      encoderControls: { keyframeOnDemand: true, liveBitrate: true, liveResize: false, retransmits: true },
    });
  });

  it('hands an EncoderTarget to the session host', async () => {
    const targets: unknown[] = [];
    const { host } = fakeHost({ setEncoderTarget: (target) => targets.push(target) > 0 });
    const { gateway } = link(host);
    const target = { sessionId: 's-1', bitrateKbps: 2500, width: 960, height: 540, fps: 60 };
    gateway.notify(MessageType.EncoderTarget, target);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(targets).toEqual([target]);
  });

  it('answers a failed SessionStart with the typed error code', async () => {
    const { host } = fakeHost({
      startSession: async () => {
        throw new FramewayError('FW_ERR_NO_CAPACITY', 'all 1 slots in use');
      },
    });
    const { gateway } = link(host);
    await expect(gateway.request(MessageType.SessionStart, startPayload)).rejects.toMatchObject({
      code: 'FW_ERR_NO_CAPACITY',
      message: 'all 1 slots in use',
    });
  });

  it('reports an untyped start failure as FW_ERR_RUNTIME_FAILED', async () => {
    const { host } = fakeHost({
      startSession: async () => {
        throw new Error('boom');
      },
    });
    const { gateway } = link(host);
    await expect(gateway.request(MessageType.SessionStart, startPayload)).rejects.toMatchObject({
      code: 'FW_ERR_RUNTIME_FAILED',
    });
  });

  it('acknowledges SessionStop even for a session it does not know', async () => {
    const stops: string[] = [];
    const { host } = fakeHost({
      stopSession: async (sessionId, reason) => {
        stops.push(`${sessionId}:${reason}`);
        return false;
      },
    });
    const { gateway } = link(host);
    await expect(
      gateway.request(MessageType.SessionStop, { sessionId: 'nope', reason: SessionEndReason.PlayerLeft }),
    ).resolves.toEqual({});
    expect(stops).toEqual(['nope:player_left']);
  });

  it('answers Ping with Pong carrying the same timestamp', async () => {
    const { gateway } = link(fakeHost().host);
    await expect(gateway.request(MessageType.Ping, { ts: 12345 })).resolves.toEqual({ ts: 12345 });
  });

  it('routes a binary input frame to the session on its channel', () => {
    const { host, applied } = fakeHost();
    const { handlers } = link(host);
    const events: InputEvent[] = [
      { type: InputEventType.KeyDown, usage: 0x52, modifiers: 0 },
      { type: InputEventType.PointerMove, x: 10, y: 20 },
    ];
    handlers.handleBinary(encodeAgentInputFrame(7, encodeInputEvents(events)));
    expect(applied).toEqual([{ channel: 7, events }]);
    expect(handlers.inputStats).toEqual({ frames: 1, events: 2, malformed: 0, unrouted: 0 });
  });

  it('counts malformed and unroutable input frames without throwing', () => {
    const { host, applied } = fakeHost();
    const { handlers } = link(host);
    const valid = encodeInputEvents([{ type: InputEventType.KeyDown, usage: 4, modifiers: 0 }]);
    const malformed = [
      new Uint8Array([]),
      new Uint8Array([0x01, 7, 0, 0]), // shorter than the header
      new Uint8Array([0x09, 7, 0, 0, 0, ...valid]), // unknown frame kind
      encodeAgentInputFrame(7, new Uint8Array([0x01, 0x04])), // truncated key event
      encodeAgentInputFrame(7, new Uint8Array([0x7f, 0, 0, 0])), // unknown event type
      new Uint8Array(4096), // too large
    ];
    // Each bad frame is counted and dropped on its own (a throw would fail the test here).
    malformed.forEach((frame, index) => {
      handlers.handleBinary(frame);
      expect(handlers.inputStats.malformed).toBe(index + 1);
    });
    handlers.handleBinary(encodeAgentInputFrame(99, valid));
    expect(applied).toEqual([]);
    expect(handlers.inputStats).toEqual({ frames: 7, events: 0, malformed: 6, unrouted: 1 });
  });
});
