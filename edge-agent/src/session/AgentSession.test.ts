import { existsSync } from 'node:fs';
import { type InputEvent, RuntimeKind, SessionEndReason, TypedEmitter } from '@frameway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, isProcessAlive } from '../../testing/processes.js';
import { h264NalTypes, RtpSink, TEST_SRTP } from '../../testing/RtpSink.js';
import { AudioEncoder } from '../audio/AudioEncoder.js';
import type { PlainRtpTarget } from '../encoder/buildEncoderArgs.js';
import { InProcessVideoEncoder } from '../encoder/InProcessVideoEncoder.js';
import { loadNodeAv } from '../encoder/loadNodeAv.js';
import type { SessionVideoEncoder } from '../encoder/SessionVideoEncoder.js';
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

/** The session's ingest target: the gateway's address stands in as an SRTP sink (or port 9, the discard port). */
function target(port: number, payloadType = 96, ssrc = 42) {
  return { host: '127.0.0.1', port, payloadType, ssrc, srtp: TEST_SRTP };
}

/** A CLI video encoder factory that records what it built, so tests can reach ffmpeg's pid. */
function cliEncoder(ffmpegPath = resolveFfmpeg().path) {
  const built: { encoder: VideoEncoder | undefined } = { encoder: undefined };
  const create = async (_capture: unknown, openRelay: () => Promise<PlainRtpTarget>) => {
    built.encoder = new VideoEncoder({
      ffmpegPath,
      encoder: 'libx264',
      video,
      rtp: await openRelay(),
      closeGraceMs: 500,
    });
    return built.encoder;
  };
  return { built, create };
}

function createSession(runtime: SessionRuntime, port = 9, ffmpegPath = resolveFfmpeg().path) {
  const { built, create } = cliEncoder(ffmpegPath);
  const session = new AgentSession({ sessionId: 's-1', channel: 1, runtime, rtp: target(port), createEncoder: create });
  const ends: SessionEnd[] = [];
  session.on('ended', (end) => ends.push(end));
  cleanups.push(() => session.close({ reason: SessionEndReason.Terminated, message: 'test cleanup', origin: 'agent' }));
  return {
    session,
    get encoder(): VideoEncoder {
      return built.encoder as VideoEncoder;
    },
    ends,
  };
}

async function openSink(): Promise<RtpSink> {
  const sink = await RtpSink.open({ srtp: TEST_SRTP });
  cleanups.push(() => sink.close());
  return sink;
}

const nodeAv = await loadNodeAv();
const nodeAvMissing = 'unavailable' in nodeAv ? nodeAv.unavailable : undefined;
if (nodeAvMissing) console.warn(`[skip] in-process session test: node-av does not load: ${nodeAvMissing}`);

describe('AgentSession', () => {
  it('streams the scene runtime through the ffmpeg CLI and its relay as SRTP', async () => {
    const sink = await openSink();
    const runtime = new SceneRuntime({ video });
    const { session } = createSession(runtime, sink.port);
    await session.start();
    expect(session.state).toBe('running');
    await sink.waitUntil(() => sink.frames >= 10, 5_000, '10 SRTP frames');
    expect(sink.authFailures).toBe(0);
    expect(sink.packets.every((packet) => packet.ssrc === 42 && packet.payloadType === 96)).toBe(true);
    // The CLI can do nothing live; the publisher answers NACKs all the same.
    expect(session.encoderControls).toEqual({
      keyframeOnDemand: false,
      liveBitrate: false,
      liveResize: false,
      retransmits: true,
    });
  });

  it.skipIf(nodeAvMissing !== undefined)(
    'streams the scene encoded in-process: an IDR on request, and the bitrate target applied live',
    async () => {
      const sink = await openSink();
      const runtime = new SceneRuntime({ video });
      let encoder: SessionVideoEncoder | undefined;
      const session = new AgentSession({
        sessionId: 's-ip',
        channel: 4,
        runtime,
        rtp: target(sink.port, 102, 77),
        createEncoder: async () => {
          encoder = new InProcessVideoEncoder({ encoder: 'libx264', video });
          return encoder;
        },
      });
      cleanups.push(() => session.close({ reason: SessionEndReason.Terminated, message: 'test', origin: 'agent' }));
      await session.start();
      expect(session.encoderControls).toEqual({
        keyframeOnDemand: true,
        liveBitrate: true,
        liveResize: true,
        retransmits: true,
      });
      await sink.waitUntil(() => sink.frames >= 5, 5_000, '5 SRTP frames');
      expect(sink.packets.every((packet) => packet.ssrc === 77 && packet.payloadType === 102)).toBe(true);
      const idrs = () => sink.packets.filter((packet) => h264NalTypes(packet.payload).includes(5)).length;
      const before = idrs();
      expect(session.requestKeyframe()).toBe(true);
      await sink.waitUntil(() => idrs() > before, 1_000, 'an IDR after the request');
      expect(session.setTarget({ bitrateKbps: 300, width: 320, height: 180, fps: 30 })).toMatchObject({
        bitrateKbps: 300,
      });
      expect(encoder?.target.bitrateKbps).toBe(300);
    },
  );

  it.skipIf(x11Missing.length > 0)(
    'streams an X11 program grabbed by ffmpeg, and its PulseAudio sink as a second (Opus) RTP stream',
    async () => {
      const videoSink = await openSink();
      const audioSink = await openSink();
      const runtime = new X11Runtime({ sessionId: 's-x11', video, command: ['node', X11_PROBE_APP] });
      const { built, create } = cliEncoder();
      let audio: AudioEncoder | undefined;
      const session = new AgentSession({
        sessionId: 's-x11',
        channel: 2,
        runtime,
        rtp: target(videoSink.port),
        audioRtp: target(audioSink.port, 111, 43),
        createEncoder: create,
        createAudio: (relay) => {
          audio = new AudioEncoder({ ffmpegPath: resolveFfmpeg().path, rtp: relay });
          return audio;
        },
      });
      cleanups.push(() =>
        session.close({ reason: SessionEndReason.Terminated, message: 'test cleanup', origin: 'agent' }),
      );
      await session.start();
      const encoder = built.encoder as VideoEncoder;
      expect(encoder.capture.kind).toBe('x11grab');
      expect(runtime.lifecycle).toBe('ready');
      await videoSink.waitUntil(() => videoSink.frames >= 10, 10_000, '10 video frames');
      await audioSink.waitUntil(() => audioSink.packets.length >= 20, 10_000, '20 audio packets');
      expect(audioSink.packets.every((p) => p.payloadType === 111 && p.ssrc === 43)).toBe(true);
      const display = runtime.display as string;
      await session.close({ reason: SessionEndReason.PlayerLeft, message: 'bye', origin: 'gateway' });
      expect(encoder.running || audio?.running).toBe(false);
      expect(runtime.lifecycle).toBe('stopped');
      await eventually(() => !existsSync(`/tmp/.X11-unix/X${display.slice(1)}`), 3_000, 'display gone');
    },
  );

  it('fails start with FW_ERR_RUNTIME_FAILED when the runtime cannot prepare, without starting ffmpeg', async () => {
    const runtime = new FakeRuntime();
    runtime.prepareError = new Error('no display free');
    const { session, ends } = createSession(runtime);
    await expect(session.start()).rejects.toMatchObject({ code: 'FW_ERR_RUNTIME_FAILED', message: 'no display free' });
    expect(session.encoder).toBeUndefined();
    expect(ends).toMatchObject([{ reason: 'start_failed' }]);
    expect(runtime.closes).toBe(1);
  });

  it('streams video on when the audio encoder cannot start: sound is best effort', async () => {
    const runtime = new FakeRuntime();
    const { built, create } = cliEncoder();
    runtime.prepare = async () => ({
      video: { kind: 'frames' },
      audio: { kind: 'pulse', server: 'unix:/x', source: 'y' },
    });
    const session = new AgentSession({
      sessionId: 's-a',
      channel: 3,
      runtime,
      rtp: target(9),
      audioRtp: target(9, 111, 1),
      createEncoder: create,
      createAudio: (relay) => new AudioEncoder({ ffmpegPath: '/nonexistent/ffmpeg', rtp: relay }),
    });
    cleanups.push(() =>
      session.close({ reason: SessionEndReason.Terminated, message: 'test cleanup', origin: 'agent' }),
    );
    await session.start();
    expect(session.state).toBe('running');
    expect(built.encoder?.running).toBe(true);
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
    const offered = session.encoderStats.framesIn;
    runtime.sink?.pushFrame(new Uint8Array(session.encoder?.frameBytes ?? 0));
    expect(session.encoderStats.framesIn).toBe(offered + 1);
  });

  it('ends with runtime_exited when the runtime stops on its own, and stops ffmpeg', async () => {
    const runtime = new FakeRuntime();
    const created = createSession(runtime);
    const { session, ends } = created;
    await session.start();
    const encoder = created.encoder;
    const pid = encoder.pid as number;
    runtime.crash('game exited with code 3');
    await eventually(() => ends.length === 1, 3_000, 'session end');
    expect(ends[0]).toEqual({ reason: 'runtime_exited', message: 'game exited with code 3', origin: 'agent' });
    expect(isProcessAlive(pid)).toBe(false);
    expect(runtime.closes).toBe(1);
  });

  it('ends with encoder_failed when ffmpeg dies, and closes the runtime', async () => {
    const runtime = new FakeRuntime();
    const created = createSession(runtime);
    const { session, ends } = created;
    await session.start();
    const encoder = created.encoder;
    process.kill(encoder.pid as number, 'SIGKILL');
    await eventually(() => ends.length === 1, 3_000, 'session end');
    expect(ends[0]).toMatchObject({ reason: 'encoder_failed', origin: 'agent' });
    expect(ends[0]?.message).toContain('SIGKILL');
    expect(runtime.closes).toBe(1);
    expect(session.state).toBe('closed');
  });

  it('closes runtime and encoder once and keeps the first end reason', async () => {
    const runtime = new FakeRuntime();
    const created = createSession(runtime);
    const { session, ends } = created;
    await session.start();
    const encoder = created.encoder;
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
    const created = createSession(runtime);
    const { session, ends } = created;
    // ffmpeg dies right after spawning, before the runtime has started
    const originalStart = runtime.start.bind(runtime);
    runtime.start = async (sink) => {
      process.kill(created.encoder.pid as number, 'SIGKILL');
      await eventually(() => ends.length === 1, 3_000, 'encoder failure');
      return originalStart(sink);
    };
    await expect(session.start()).rejects.toMatchObject({ code: 'FW_ERR_ENCODER_UNAVAILABLE' });
    expect(ends).toMatchObject([{ reason: 'encoder_failed', origin: 'agent' }]);
  });

  it('fails start with FW_ERR_RUNTIME_FAILED when the runtime cannot start, and stops ffmpeg', async () => {
    const runtime = new FakeRuntime();
    runtime.startError = new Error('no display');
    const created = createSession(runtime);
    const { session, ends } = created;
    await expect(session.start()).rejects.toMatchObject({ code: 'FW_ERR_RUNTIME_FAILED', message: 'no display' });
    expect(ends).toMatchObject([{ reason: 'start_failed' }]);
    expect(created.encoder.running).toBe(false);
  });
});
