import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, isProcessAlive } from '../../testing/processes.js';
import { h264NalTypes, RtpSink } from '../../testing/RtpSink.js';
import { resolveFfmpeg } from '../ffmpeg/resolveFfmpeg.js';
import { VideoEncoder, type VideoEncoderOptions } from './VideoEncoder.js';

const video = { width: 320, height: 180, fps: 30, bitrateKbps: 800, gop: 10 };
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openSink(): Promise<RtpSink> {
  const sink = await RtpSink.open();
  cleanups.push(() => sink.close());
  return sink;
}

function createEncoder(overrides: Partial<VideoEncoderOptions> & { port?: number } = {}): VideoEncoder {
  const { port = 9, ...rest } = overrides;
  const encoder = new VideoEncoder({
    ffmpegPath: resolveFfmpeg().path,
    encoder: 'libx264',
    video,
    rtp: { host: '127.0.0.1', port, payloadType: 96, ssrc: 0xdeadbeef },
    ...rest,
  });
  cleanups.push(() => encoder.close());
  return encoder;
}

/** A grey frame whose brightness changes with `n`, so every frame differs. */
function frame(encoder: VideoEncoder, n: number): Buffer {
  const bytes = Buffer.alloc(encoder.frameBytes, 128);
  bytes.fill(16 + ((n * 7) % 200), 0, video.width * video.height);
  return bytes;
}

describe('VideoEncoder', () => {
  it('turns pushed frames into RTP packets with version 2 and the requested payload type and SSRC', async () => {
    const sink = await openSink();
    const encoder = createEncoder({ port: sink.port });
    await encoder.start();
    for (let n = 0; n < 15; n++) {
      encoder.pushFrame(frame(encoder, n));
      await sleep(1000 / video.fps);
    }
    await sink.waitUntil(() => sink.frames >= 10, 5_000, '10 RTP frames');
    for (const packet of sink.packets) {
      expect(packet.version).toBe(2);
      expect(packet.payloadType).toBe(96);
      expect(packet.ssrc).toBe(0xdeadbeef);
      expect(packet.payload.length + 12).toBeLessThanOrEqual(1200);
    }
    // RTCP sender reports arrive on the same port (rtcp-mux)
    expect(sink.rtcpPackets).toBeGreaterThanOrEqual(1);
    expect(encoder.stats).toMatchObject({ framesIn: 15, framesWritten: 15 - encoder.stats.framesDropped });
    expect(encoder.stats.startedAt).toBeGreaterThan(0);
  });

  it('sends an IDR with in-band SPS and PPS exactly every GOP frames', async () => {
    const sink = await openSink();
    const encoder = createEncoder({ port: sink.port });
    await encoder.start();
    for (let n = 0; n < 25; n++) {
      // wait for the previous frame to drain so none is dropped and frame n is RTP frame n
      await eventually(() => encoder.ready, 2_000, 'encoder ready');
      expect(encoder.pushFrame(frame(encoder, n))).toBe(true);
      await sleep(5);
    }
    await sink.waitUntil(() => sink.frames >= 25, 5_000, '25 RTP frames');
    const nalTypesPerFrame = sink.framesByTimestamp().map((packets) => packets.flatMap((p) => h264NalTypes(p.payload)));
    const idrFrames = nalTypesPerFrame.flatMap((types, index) => (types.includes(5) ? [index] : []));
    expect(idrFrames).toEqual([0, 10, 20]);
    for (const index of idrFrames) expect(nalTypesPerFrame[index]).toEqual(expect.arrayContaining([7, 8]));
    // P-frames carry no parameter sets and no B-frame reordering happens (baseline)
    expect(nalTypesPerFrame[5]).not.toContain(7);
  });

  it('drops new frames instead of queueing them while ffmpeg is not reading', async () => {
    const encoder = createEncoder({ video: { ...video, width: 1280, height: 720 } });
    await encoder.start();
    const pid = encoder.pid as number;
    process.kill(pid, 'SIGSTOP');
    try {
      // a 720p frame (1.4 MB) is larger than the stdin socket buffer, so it stays in flight
      const full = Buffer.alloc(encoder.frameBytes, 128);
      expect(encoder.pushFrame(full)).toBe(true);
      for (let n = 1; n < 10; n++) expect(encoder.pushFrame(full)).toBe(false);
      expect(encoder.ready).toBe(false);
      expect(encoder.stats).toMatchObject({ framesIn: 10, framesWritten: 1, framesDropped: 9 });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await eventually(() => encoder.ready, 2_000, 'the stalled frame to drain');
    expect(encoder.pushFrame(Buffer.alloc(encoder.frameBytes, 100))).toBe(true);
    expect(encoder.stats.framesWritten).toBe(2);
  });

  it('close() stops ffmpeg, even a stopped one, and leaves no process behind', async () => {
    const encoder = createEncoder({ closeGraceMs: 300 });
    await encoder.start();
    const pid = encoder.pid as number;
    expect(isProcessAlive(pid)).toBe(true);
    process.kill(pid, 'SIGSTOP');
    const exits: unknown[][] = [];
    encoder.on('exit', (...args) => exits.push(args));
    const closing = encoder.close();
    expect(encoder.close()).toBe(closing);
    await closing;
    expect(isProcessAlive(pid)).toBe(false);
    expect(exits).toHaveLength(1);
    expect(encoder.running).toBe(false);
    expect(encoder.pushFrame(frame(encoder, 0))).toBe(false);
  });

  it('reports an exit it did not ask for, with the tail of stderr', async () => {
    const encoder = createEncoder({
      spawn: () => spawn('sh', ['-c', 'echo "Unknown encoder" >&2; exit 3'], { stdio: ['pipe', 'ignore', 'pipe'] }),
    });
    const exited = encoder.waitFor('exit');
    await encoder.start();
    const [code, signal, stderrTail] = await exited;
    expect(code).toBe(3);
    expect(signal).toBeNull();
    expect(stderrTail).toBe('Unknown encoder');
    expect(encoder.running).toBe(false);
  });

  it('rejects start() with FW_ERR_ENCODER_UNAVAILABLE when ffmpeg cannot be spawned', async () => {
    const encoder = createEncoder({ ffmpegPath: '/nonexistent/ffmpeg' });
    await expect(encoder.start()).rejects.toMatchObject({ code: 'FW_ERR_ENCODER_UNAVAILABLE' });
    await encoder.close();
  });

  it('refuses a frame of the wrong size, which would corrupt every later frame', async () => {
    const encoder = createEncoder();
    await encoder.start();
    expect(() => encoder.pushFrame(Buffer.alloc(100))).toThrow(/expected 86400/);
  });

  it('says it cannot force a keyframe through the ffmpeg CLI', async () => {
    const encoder = createEncoder();
    await encoder.start();
    expect(encoder.requestKeyframe()).toBe(false);
  });
});
