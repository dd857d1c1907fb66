import { createServer } from 'node:net';
import {
  encodeAgentInputFrame,
  encodeInputEvents,
  FramewayError,
  InputEventType,
  MessageType,
  type PayloadOf,
} from '@frameway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeGateway, type FakeGatewayOptions } from '../testing/FakeGateway.js';
import { eventually, isProcessAlive } from '../testing/processes.js';
import { RtpSink, TEST_SRTP } from '../testing/RtpSink.js';
import { loadConfig } from './config.js';
import { EdgeAgent } from './EdgeAgent.js';
import type { SceneRuntime } from './runtime/scene/SceneRuntime.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
  const fake = await FakeGateway.start(options);
  cleanups.push(() => fake.close());
  return fake;
}

async function rtpSink(): Promise<RtpSink> {
  const sink = await RtpSink.open({ srtp: TEST_SRTP });
  cleanups.push(() => sink.close());
  return sink;
}

const x264Only = { encoders: [{ name: 'libx264', codec: 'h264' as const, hardware: false }], gpus: [] };

/** `cli`: encode with the ffmpeg CLI (tests about its child process); otherwise in-process where node-av loads. */
async function startAgent(
  url: string,
  options: { probe?: boolean; slots?: number; cli?: boolean } = {},
): Promise<EdgeAgent> {
  const agent = new EdgeAgent({
    config: loadConfig({
      gatewayUrl: url,
      agentId: 'agent-test',
      secret: 'test-secret',
      slots: options.slots ?? 1,
      encoderCloseGraceMs: 500,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200, jitter: 0.5 },
      ...(options.cli ? { inProcessEncoder: false } : {}),
    }),
    ...(options.probe ? {} : { capabilities: x264Only }),
  });
  cleanups.push(() => agent.close());
  await agent.start();
  return agent;
}

function sessionStart(
  port: number,
  overrides: Partial<PayloadOf<typeof MessageType.SessionStart>> = {},
): PayloadOf<typeof MessageType.SessionStart> {
  return {
    sessionId: 'sess-1',
    channel: 5,
    runtime: 'scene',
    video: { width: 320, height: 180, fps: 30, codec: 'h264', bitrateKbps: 800, gop: 30 },
    rtp: { host: '127.0.0.1', port, payloadType: 102, ssrc: 0xcafe0001, srtp: TEST_SRTP },
    ...overrides,
  };
}

function keyDown(channel: number): Uint8Array {
  return encodeAgentInputFrame(
    channel,
    encodeInputEvents([{ type: InputEventType.KeyDown, usage: 0x52, modifiers: 0 }]),
  );
}

function markerIndex(agent: EdgeAgent, sessionId = 'sess-1'): number | undefined {
  return (agent.session(sessionId)?.runtime as SceneRuntime | undefined)?.state.markerIndex;
}

describe('EdgeAgent', () => {
  it('registers with the encoders its probe found, then sends heartbeats', async () => {
    const fake = await gateway({ heartbeatIntervalMs: 100 });
    const agent = await startAgent(fake.url, { probe: true });
    const register = await fake.waitForMessage(MessageType.AgentRegister);
    expect(register.p).toMatchObject({
      agentId: 'agent-test',
      secret: 'test-secret',
      slots: 1,
      runtimes: ['scene'],
      encoders: [{ name: 'libx264', codec: 'h264', hardware: false }],
      gpus: [],
    });
    expect(register.p.version).toMatch(/^\d+\.\d+\.\d+/);
    const heartbeat = await fake.waitForMessage(MessageType.AgentHeartbeat, 2);
    expect(heartbeat.p.activeSessions).toBe(0);
    expect(heartbeat.p.cpuLoad).toBeGreaterThanOrEqual(0);
    expect(agent.nodeId).toBe('node-1');
  });

  it('streams a started session as RTP to the gateway and applies binary input to it', async () => {
    const fake = await gateway();
    const sink = await rtpSink();
    const agent = await startAgent(fake.url);
    await fake.waitForMessage(MessageType.AgentRegister);
    const started = await fake.channel.request(MessageType.SessionStart, sessionStart(sink.port));
    expect(started).toMatchObject({
      sessionId: 'sess-1',
      encoder: { name: 'libx264', codec: 'h264', hardware: false },
      encoderControls: { retransmits: true },
    });
    await sink.waitUntil(() => sink.frames >= 5, 5_000, '5 SRTP frames that authenticate');
    expect(sink.authFailures).toBe(0);
    expect(sink.packets.every((packet) => packet.payloadType === 102 && packet.ssrc === 0xcafe0001)).toBe(true);

    expect(markerIndex(agent)).toBe(0);
    fake.sendBinary(keyDown(5));
    await eventually(() => markerIndex(agent) === 1, 2_000, 'marker to change');
    const heartbeats = fake.messages(MessageType.AgentHeartbeat).length;
    const heartbeat = await fake.waitForMessage(MessageType.AgentHeartbeat, heartbeats + 1);
    expect(heartbeat.p.activeSessions).toBe(1);
  });

  it('stops the session on SessionStop, leaving no ffmpeg, and acknowledges unknown sessions too', async () => {
    const fake = await gateway();
    const sink = await rtpSink();
    const agent = await startAgent(fake.url, { cli: true });
    await fake.waitForMessage(MessageType.AgentRegister);
    await fake.channel.request(MessageType.SessionStart, sessionStart(sink.port));
    const pid = agent.session('sess-1')?.encoder?.pid as number;
    expect(isProcessAlive(pid)).toBe(true);
    await expect(
      fake.channel.request(MessageType.SessionStop, { sessionId: 'sess-1', reason: 'player_left' }),
    ).resolves.toEqual({});
    expect(isProcessAlive(pid)).toBe(false);
    expect(agent.sessionCount).toBe(0);
    await expect(
      fake.channel.request(MessageType.SessionStop, { sessionId: 'sess-1', reason: 'player_left' }),
    ).resolves.toEqual({});
    // the gateway asked, so the agent does not report the end back
    expect(fake.messages(MessageType.AgentSessionEnded)).toEqual([]);
  });

  it('refuses sessions it cannot run with the matching error code', async () => {
    const fake = await gateway();
    const sink = await rtpSink();
    await startAgent(fake.url);
    await fake.waitForMessage(MessageType.AgentRegister);
    const start = (overrides: Partial<PayloadOf<typeof MessageType.SessionStart>>) =>
      fake.channel.request(MessageType.SessionStart, sessionStart(sink.port, overrides));
    await expect(start({ runtime: 'android' })).rejects.toMatchObject({ code: 'FW_ERR_UNSUPPORTED_RUNTIME' });
    const h264 = sessionStart(sink.port).video;
    await expect(start({ video: { ...h264, codec: 'vp8' } })).rejects.toMatchObject({
      code: 'FW_ERR_ENCODER_UNAVAILABLE',
    });
    await expect(start({ video: { ...h264, width: 321 } })).rejects.toMatchObject({ code: 'FW_ERR_INVALID_PAYLOAD' });
    await expect(
      start({ rtp: { host: '127.0.0.1', port: sink.port, payloadType: 96, ssrc: 0, srtp: TEST_SRTP } }),
    ).rejects.toMatchObject({
      code: 'FW_ERR_INVALID_PAYLOAD',
    });
    await start({});
    await expect(start({ sessionId: 'sess-2', channel: 6 })).rejects.toMatchObject({ code: 'FW_ERR_NO_CAPACITY' });
  });

  it('drops malformed input frames and keeps serving', async () => {
    const fake = await gateway();
    const sink = await rtpSink();
    const agent = await startAgent(fake.url);
    await fake.waitForMessage(MessageType.AgentRegister);
    await fake.channel.request(MessageType.SessionStart, sessionStart(sink.port));
    fake.sendBinary(new Uint8Array([0x01, 5, 0, 0, 0, 0x01, 0x52])); // truncated KeyDown
    fake.sendBinary(new Uint8Array([0xff, 0xff]));
    fake.sendBinary(keyDown(5));
    await eventually(() => markerIndex(agent) === 1, 2_000, 'valid input after garbage');
    expect(agent.inputStats).toMatchObject({ malformed: 2, events: 1 });
    await expect(fake.channel.request(MessageType.Ping, { ts: 1 })).resolves.toEqual({ ts: 1 });
  });

  it('tells the gateway when a session ends on its own', async () => {
    const fake = await gateway();
    const sink = await rtpSink();
    const agent = await startAgent(fake.url, { cli: true });
    await fake.waitForMessage(MessageType.AgentRegister);
    await fake.channel.request(MessageType.SessionStart, sessionStart(sink.port));
    process.kill(agent.session('sess-1')?.encoder?.pid as number, 'SIGKILL');
    const ended = await fake.waitForMessage(MessageType.AgentSessionEnded);
    expect(ended.p).toMatchObject({ sessionId: 'sess-1', reason: 'encoder_failed' });
    expect(agent.sessionCount).toBe(0);
  });

  it('stops its sessions when the gateway connection drops, then reconnects and registers again', async () => {
    const fake = await gateway();
    const sink = await rtpSink();
    const agent = await startAgent(fake.url, { cli: true });
    await fake.waitForMessage(MessageType.AgentRegister);
    await fake.channel.request(MessageType.SessionStart, sessionStart(sink.port));
    const pid = agent.session('sess-1')?.encoder?.pid as number;

    fake.dropConnections();
    await eventually(() => !isProcessAlive(pid), 3_000, 'ffmpeg to stop after the drop');
    expect(agent.sessionCount).toBe(0);
    await fake.waitForMessage(MessageType.AgentRegister, 2);
    expect(fake.connections).toBe(2);
    await eventually(() => agent.nodeId === 'node-2', 2_000, 'registration on the new connection');
    // the freed slot is usable again
    await expect(
      fake.channel.request(MessageType.SessionStart, sessionStart(sink.port, { sessionId: 'sess-3' })),
    ).resolves.toMatchObject({ sessionId: 'sess-3' });
  });

  it('keeps dialling while the gateway is down and registers once it is up', async () => {
    const port = await freePort();
    const agent = await startAgent(`ws://127.0.0.1:${port}/ws/agent`);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few refused attempts
    expect(agent.gatewayConnects).toBe(0);
    const fake = await gateway({ port });
    await fake.waitForMessage(MessageType.AgentRegister);
    await eventually(() => agent.nodeId !== undefined, 2_000, 'registration');
  });

  it('retries with backoff when the gateway rejects the registration', async () => {
    const fake = await gateway({ rejectRegistration: new FramewayError('FW_ERR_UNAUTHORIZED', 'bad secret') });
    const agent = await startAgent(fake.url);
    await fake.waitForMessage(MessageType.AgentRegister, 3);
    expect(fake.connections).toBeGreaterThanOrEqual(3);
    expect(agent.nodeId).toBeUndefined();
  });

  it('on close() ends every session as agent_shutdown, tells the gateway and closes the socket', async () => {
    const fake = await gateway();
    const sink = await rtpSink();
    const agent = await startAgent(fake.url, { slots: 2, cli: true });
    await fake.waitForMessage(MessageType.AgentRegister);
    await fake.channel.request(MessageType.SessionStart, sessionStart(sink.port));
    await fake.channel.request(MessageType.SessionStart, sessionStart(sink.port, { sessionId: 'sess-2', channel: 6 }));
    const pids = ['sess-1', 'sess-2'].map((id) => agent.session(id)?.encoder?.pid as number);
    await agent.close();
    expect(pids.map(isProcessAlive)).toEqual([false, false]);
    await fake.waitForMessage(MessageType.AgentSessionEnded, 2);
    expect(
      fake
        .messages(MessageType.AgentSessionEnded)
        .map((message) => `${message.p.sessionId}:${message.p.reason}`)
        .sort(),
    ).toEqual(['sess-1:agent_shutdown', 'sess-2:agent_shutdown']);
    await fake.waitUntil(() => fake.channel.closed, 2_000, 'agent socket to close');
    await expect(agent.startSession(sessionStart(sink.port, { sessionId: 'late', channel: 9 }))).rejects.toMatchObject({
      code: 'FW_ERR_INVALID_STATE',
    });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
