import { existsSync } from 'node:fs';
import { type InputEvent, RuntimeKind, SessionEndReason, TypedEmitter } from '@frameway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, isProcessAlive } from '../../testing/processes.js';
import { RtpSink } from '../../testing/RtpSink.js';
import { AudioEncoder } from '../audio/AudioEncoder.js';
import { VideoEncoder } from '../encoder/VideoEncoder.js';
import { resolveFfmpeg } from '../ffmpeg/resolveFfmpeg.js';
import type {
  FrameSink,
  RuntimeCapture,
  RuntimeState,
  SessionRuntime,
  SessionRuntimeEvents,
} from '../runtime/SessionRuntime.js';
import { SceneRuntime } from '../runtime/scene/SceneRuntime.js';
import { findExecutable } from '../runtime/spawnTied.js';
import { X11Runtime } from '../runtime/x11/X11Runtime.js';
import { AgentSession, type SessionEnd } from './AgentSession.js';

const video = { width: 320, height: 180, fps: 30, bitrateKbps: 800, gop: 30 };

/** A runtime the test controls: records calls and can "crash". */
class FakeRuntime extends TypedEmitter<SessionRuntimeEvents> implements SessionRuntime {
  readonly kind = RuntimeKind.Scene;
  readonly inputs: InputEvent[][] = [];
  startError: Error | undefined;
  closes = 0;
  sink: FrameSink | undefined;
  prepareError: Error | undefined;
  lifecycle: RuntimeState = 'new';
  async prepare(): Promise<RuntimeCapture> {
    if (this.prepareError) throw this.prepareError;
    this.lifecycle = 'prepared';
    return { video: { kind: 'frames' } };
  }
  async start(sink: FrameSink): Promise<void> {
    if (this.startError) throw this.startError;
    this.sink = sink;
    this.lifecycle = 'ready';
  }
  applyInput(events: readonly InputEvent[]): void {
    this.inputs.push([...events]);
  }
  async close(): Promise<void> {
    this.closes += 1;
  }
  crash(message: string): void {
    this.emit('exit', message);
  }
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const X11_PROBE_APP = new URL('../runtime/x11/fixtures/x11ProbeApp.mjs', import.meta.url).pathname;
const x11Missing = ['Xvfb', 'pulseaudio'].filter((tool) => !findExecutable(tool));
if (x11Missing.length > 0) console.warn(`[skip] x11 session test: ${x11Missing.join(', ')} not installed`);

function createSession(runtime: SessionRuntime, port = 9, ffmpegPath = resolveFfmpeg().path) {
  const encoder = new VideoEncoder({
    ffmpegPath,
    encoder: 'libx264',
    video,
    rtp: { host: '127.0.0.1', port, payloadType: 96, ssrc: 42 },
    closeGraceMs: 500,
  });
  const session = new AgentSession({ sessionId: 's-1', channel: 1, runtime, encoder });
  const ends: SessionEnd[] = [];
  session.on('ended', (end) => ends.push(end));
  cleanups.push(() => session.close({ reason: SessionEndReason.Terminated, message: 'test cleanup', origin: 'agent' }));
  return { session, encoder, ends };
}

describe('AgentSession', () => {
  it('streams the scene runtime through ffmpeg as RTP', async () => {
    const sink = await RtpSink.open();
    cleanups.push(() => sink.close());
    const runtime = new SceneRuntime({ video });
    const { session } = createSession(runtime, sink.port);
    await session.start();
    expect(session.state).toBe('running');
    await sink.waitUntil(() => sink.frames >= 10, 5_000, '10 RTP frames');
    expect(sink.packets.every((packet) => packet.ssrc === 42 && packet.payloadType === 96)).toBe(true);
  });

  it.skipIf(x11Missing.length > 0)(
    'streams an X11 program grabbed by ffmpeg, and its PulseAudio sink as a second (Opus) RTP stream',
    async () => {
      const videoSink = await RtpSink.open();
      const audioSink = await RtpSink.open();
      cleanups.push(
        () => videoSink.close(),
        () => audioSink.close(),
      );
      const runtime = new X11Runtime({ sessionId: 's-x11', video, command: ['node', X11_PROBE_APP] });
      const encoder = new VideoEncoder({
        ffmpegPath: resolveFfmpeg().path,
        encoder: 'libx264',
        video,
        rtp: { host: '127.0.0.1', port: videoSink.port, payloadType: 96, ssrc: 42 },
        closeGraceMs: 500,
      });
      const audio = new AudioEncoder({
        ffmpegPath: resolveFfmpeg().path,
        rtp: { host: '127.0.0.1', port: audioSink.port, payloadType: 111, ssrc: 43 },
      });
      const session = new AgentSession({ sessionId: 's-x11', channel: 2, runtime, encoder, audio });
      cleanups.push(() =>
        session.close({ reason: SessionEndReason.Terminated, message: 'test cleanup', origin: 'agent' }),
      );
      await session.start();
      expect(encoder.capture.kind).toBe('x11grab');
      expect(runtime.lifecycle).toBe('ready');
      await videoSink.waitUntil(() => videoSink.frames >= 10, 10_000, '10 video frames');
      await audioSink.waitUntil(() => audioSink.packets.length >= 20, 10_000, '20 audio packets');
      expect(audioSink.packets.every((p) => p.payloadType === 111 && p.ssrc === 43)).toBe(true);
      const display = runtime.display as string;
      await session.close({ reason: SessionEndReason.PlayerLeft, message: 'bye', origin: 'gateway' });
      expect(encoder.running || audio.running).toBe(false);
      expect(runtime.lifecycle).toBe('stopped');
      await eventually(() => !existsSync(`/tmp/.X11-unix/X${display.slice(1)}`), 3_000, 'display gone');
    },
  );

  it('fails start with FW_ERR_RUNTIME_FAILED when the runtime cannot prepare, without starting ffmpeg', async () => {
    const runtime = new FakeRuntime();
    runtime.prepareError = new Error('no display free');
    const { session, encoder, ends } = createSession(runtime);
    await expect(session.start()).rejects.toMatchObject({ code: 'FW_ERR_RUNTIME_FAILED', message: 'no display free' });
    expect(encoder.pid).toBeUndefined();
    expect(ends).toMatchObject([{ reason: 'start_failed' }]);
    expect(runtime.closes).toBe(1);
  });

  it('streams video on when the audio encoder cannot start: sound is best effort', async () => {
    const runtime = new FakeRuntime();
    const encoder = new VideoEncoder({
      ffmpegPath: resolveFfmpeg().path,
      encoder: 'libx264',
      video,
      rtp: { host: '127.0.0.1', port: 9, payloadType: 96, ssrc: 42 },
    });
    const audio = new AudioEncoder({
      ffmpegPath: '/nonexistent/ffmpeg',
      rtp: { host: '127.0.0.1', port: 9, payloadType: 111, ssrc: 1 },
    });
    runtime.prepare = async () => ({
      video: { kind: 'frames' },
      audio: { kind: 'pulse', server: 'unix:/x', source: 'y' },
    });
    const session = new AgentSession({ sessionId: 's-a', channel: 3, runtime, encoder, audio });
    cleanups.push(() =>
      session.close({ reason: SessionEndReason.Terminated, message: 'test cleanup', origin: 'agent' }),
    );
    await session.start();
    expect(session.state).toBe('running');
    expect(encoder.running).toBe(true);
  });

  it('hands input to the runtime while running', async () => {
    const runtime = new FakeRuntime();
    const { session } = createSession(runtime);
    const events: InputEvent[] = [{ type: 0x01, usage: 4, modifiers: 0 }];
    session.applyInput(events); // not started yet: ignored
    await session.start();
    session.applyInput(events);
    expect(runtime.inputs).toEqual([events]);
    // The runtime's sink is the session's encoder (behind the QoS hand-off timer).
    const offered = session.encoder.stats.framesIn;
    runtime.sink?.pushFrame(new Uint8Array(session.encoder.frameBytes));
    expect(session.encoder.stats.framesIn).toBe(offered + 1);
  });

  it('ends with runtime_exited when the runtime stops on its own, and stops ffmpeg', async () => {
    const runtime = new FakeRuntime();
    const { session, encoder, ends } = createSession(runtime);
    await session.start();
    const pid = encoder.pid as number;
    runtime.crash('game exited with code 3');
    await eventually(() => ends.length === 1, 3_000, 'session end');
    expect(ends[0]).toEqual({ reason: 'runtime_exited', message: 'game exited with code 3', origin: 'agent' });
    expect(isProcessAlive(pid)).toBe(false);
    expect(runtime.closes).toBe(1);
  });

  it('ends with encoder_failed when ffmpeg dies, and closes the runtime', async () => {
    const runtime = new FakeRuntime();
    const { session, encoder, ends } = createSession(runtime);
    await session.start();
    process.kill(encoder.pid as number, 'SIGKILL');
    await eventually(() => ends.length === 1, 3_000, 'session end');
    expect(ends[0]).toMatchObject({ reason: 'encoder_failed', origin: 'agent' });
    expect(ends[0]?.message).toContain('SIGKILL');
    expect(runtime.closes).toBe(1);
    expect(session.state).toBe('closed');
  });

  it('closes runtime and encoder once and keeps the first end reason', async () => {
    const runtime = new FakeRuntime();
    const { session, encoder, ends } = createSession(runtime);
    await session.start();
    const pid = encoder.pid as number;
    const first = session.close({ reason: SessionEndReason.PlayerLeft, message: 'bye', origin: 'gateway' });
    const second = session.close({ reason: SessionEndReason.AgentShutdown, message: 'later', origin: 'agent' });
    expect(second).toBe(first);
    await first;
    expect(ends).toEqual([{ reason: 'player_left', message: 'bye', origin: 'gateway' }]);
    expect(runtime.closes).toBe(1);
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('fails start with FW_ERR_ENCODER_UNAVAILABLE when ffmpeg cannot run, and cleans up', async () => {
    const runtime = new FakeRuntime();
    const { session, ends } = createSession(runtime, 9, '/nonexistent/ffmpeg');
    await expect(session.start()).rejects.toMatchObject({ code: 'FW_ERR_ENCODER_UNAVAILABLE' });
    expect(ends).toMatchObject([{ reason: 'start_failed', origin: 'agent' }]);
    expect(runtime.closes).toBe(1);
  });

  it('fails start with FW_ERR_ENCODER_UNAVAILABLE when ffmpeg dies while the session starts', async () => {
    const runtime = new FakeRuntime();
    const { session, encoder, ends } = createSession(runtime);
    // ffmpeg dies right after spawning, before the runtime has started
    const originalStart = runtime.start.bind(runtime);
    runtime.start = async (sink) => {
      process.kill(encoder.pid as number, 'SIGKILL');
      await eventually(() => ends.length === 1, 3_000, 'encoder failure');
      return originalStart(sink);
    };
    await expect(session.start()).rejects.toMatchObject({ code: 'FW_ERR_ENCODER_UNAVAILABLE' });
    expect(ends).toMatchObject([{ reason: 'encoder_failed', origin: 'agent' }]);
  });

  it('fails start with FW_ERR_RUNTIME_FAILED when the runtime cannot start, and stops ffmpeg', async () => {
    const runtime = new FakeRuntime();
    runtime.startError = new Error('no display');
    const { session, encoder, ends } = createSession(runtime);
    await expect(session.start()).rejects.toMatchObject({ code: 'FW_ERR_RUNTIME_FAILED', message: 'no display' });
    expect(ends).toMatchObject([{ reason: 'start_failed' }]);
    expect(encoder.running).toBe(false);
  });
});
