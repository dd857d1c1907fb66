import { existsSync } from 'node:fs';
import { FramewayError } from '@frameway/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessVideoEncoder, type InProcessVideoEncoderOptions } from './InProcessVideoEncoder.js';
import { inProcessEncoderAvailable, loadNodeAv, type NodeAvModule } from './loadNodeAv.js';
import type { EncodedAccessUnit } from './SessionVideoEncoder.js';

const loaded = await loadNodeAv();
const unavailable = 'unavailable' in loaded ? loaded.unavailable : undefined;
if (unavailable) console.warn(`in-process encoder tests skipped: node-av cannot be loaded here (${unavailable})`);
const av = 'unavailable' in loaded ? undefined : loaded;

const video = { width: 320, height: 180, fps: 30, bitrateKbps: 800, gop: 300 };
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function createEncoder(overrides: Partial<InProcessVideoEncoderOptions> = {}): InProcessVideoEncoder {
  const encoder = new InProcessVideoEncoder({ encoder: 'libx264', video, ...overrides });
  cleanups.push(() => encoder.close());
  return encoder;
}

async function started(overrides: Partial<InProcessVideoEncoderOptions> = {}) {
  const encoder = createEncoder(overrides);
  const units: EncodedAccessUnit[] = [];
  const exits: unknown[][] = [];
  encoder.on('accessUnit', (unit) => units.push(unit));
  encoder.on('exit', (...args) => exits.push(args));
  await encoder.start();
  return { encoder, units, exits };
}

/** Resolves once the encoder is idle (every frame taken is out, a reopen is done), or is gone. */
async function untilReady(encoder: InProcessVideoEncoder, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!encoder.idle && encoder.running) {
    if (performance.now() > deadline) throw new Error('encoder never became ready');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Pushes one frame and waits for the encoder to be done with it; returns what pushFrame returned. */
async function encodeFrame(encoder: InProcessVideoEncoder, frame: Uint8Array): Promise<boolean> {
  const taken = encoder.pushFrame(frame);
  await untilReady(encoder);
  return taken;
}

/**
 * A picture x264 cannot make tiny: a diagonal gradient moving with `n`
 * under pseudo-random grain, so every frame costs real bits.
 */
function movingFrame(width: number, height: number, n: number): Uint8Array {
  const frame = new Uint8Array(width * height * 1.5);
  let seed = n * 7919 + 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fff_ffff;
      frame[y * width + x] = ((x * 2 + y + n * 7) & 0xff) ^ (seed >>> 25);
    }
  }
  const chroma = (width / 2) * (height / 2);
  for (let i = 0; i < chroma; i++) {
    frame[width * height + i] = (i + n * 3) & 0xff;
    frame[width * height + chroma + i] = 128;
  }
  return frame;
}

/** The NAL units of an Annex-B access unit (start codes removed). */
function nalUnits(data: Uint8Array): Uint8Array[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts.map((start, index) => {
    let end = starts[index + 1] === undefined ? data.length : (starts[index + 1] as number) - 3;
    // A four-byte start code leaves a zero before the next three-byte one.
    while (end > start && data[end - 1] === 0) end -= 1;
    return data.subarray(start, end);
  });
}

const nalTypes = (unit: EncodedAccessUnit) => nalUnits(unit.data).map((nal) => (nal[0] ?? 0) & 0x1f);

/** Picture size from an H.264 SPS (ITU-T H.264 7.3.2.1.1), with its frame cropping applied. */
function spsPictureSize(nal: Uint8Array): { width: number; height: number } {
  // RBSP: drop emulation-prevention bytes (00 00 03 → 00 00).
  const rbsp: number[] = [];
  for (let i = 1; i < nal.length; i++) {
    if (i >= 3 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    rbsp.push(nal[i] ?? 0);
  }
  let bit = 0;
  const u = (bits: number) => {
    let value = 0;
    for (let i = 0; i < bits; i++, bit++) value = value * 2 + (((rbsp[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1);
    return value;
  };
  const ue = () => {
    let zeros = 0;
    while (u(1) === 0) zeros++;
    return 2 ** zeros - 1 + u(zeros);
  };
  const profile = u(8);
  u(16); // constraint flags, level_idc
  ue(); // seq_parameter_set_id
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profile)) {
    if (ue() === 3) u(1);
    ue();
    ue();
    u(1);
    if (u(1)) throw new Error('SPS scaling matrices are not parsed here');
  }
  ue(); // log2_max_frame_num_minus4
  const pocType = ue();
  if (pocType === 0) ue();
  else if (pocType === 1) {
    u(1);
    ue();
    ue();
    for (let cycle = ue(); cycle > 0; cycle--) ue();
  }
  ue(); // max_num_ref_frames
  u(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = ue() + 1;
  const heightMapUnits = ue() + 1;
  const frameMbsOnly = u(1);
  if (!frameMbsOnly) u(1);
  u(1); // direct_8x8_inference_flag
  const crop = u(1) ? { left: ue(), right: ue(), top: ue(), bottom: ue() } : { left: 0, right: 0, top: 0, bottom: 0 };
  const fieldFactor = 2 - frameMbsOnly;
  return {
    width: widthMbs * 16 - 2 * (crop.left + crop.right),
    height: fieldFactor * heightMapUnits * 16 - 2 * fieldFactor * (crop.top + crop.bottom),
  };
}

function spsOf(unit: EncodedAccessUnit): Uint8Array {
  const sps = nalUnits(unit.data).find((nal) => ((nal[0] ?? 0) & 0x1f) === 7);
  if (!sps) throw new Error('access unit has no SPS');
  return sps;
}

/** Decodes an H.264 stream with node-av and returns each picture as packed yuv420p planes. */
async function decode(nodeAv: NodeAvModule, units: readonly EncodedAccessUnit[]): Promise<Buffer[]> {
  const codec = nodeAv.Codec.findDecoder(nodeAv.AV_CODEC_ID_H264);
  if (!codec) throw new Error('no H.264 decoder');
  const ctx = new nodeAv.CodecContext();
  ctx.allocContext3(codec);
  expect(await ctx.open2(codec, null)).toBeGreaterThanOrEqual(0);
  const packet = new nodeAv.Packet();
  packet.alloc();
  const frame = new nodeAv.Frame();
  frame.alloc();
  const pictures: Buffer[] = [];
  const drain = async () => {
    while ((await ctx.receiveFrame(frame)) >= 0) {
      pictures.push(frame.toBuffer());
      frame.unref();
    }
  };
  for (const unit of units) {
    packet.data = Buffer.from(unit.data);
    await ctx.sendPacket(packet);
    await drain();
  }
  await ctx.sendPacket(null);
  await drain();
  ctx.freeContext();
  packet.free();
  frame.free();
  return pictures;
}

function mean(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum += byte;
  return sum / bytes.length;
}

describe('InProcessVideoEncoder without node-av or raw frames', () => {
  it('start with x11grab capture rejects FW_ERR_ENCODER_UNAVAILABLE: that capture is the CLI encoder’s', async () => {
    const encoder = createEncoder();
    const start = encoder.start({ kind: 'x11grab', display: ':3', width: 320, height: 180, env: {} });
    await expect(start).rejects.toBeInstanceOf(FramewayError);
    await expect(start).rejects.toMatchObject({ code: 'FW_ERR_ENCODER_UNAVAILABLE' });
    expect(encoder.running).toBe(false);
  });

  it('start rejects FW_ERR_ENCODER_UNAVAILABLE with the reason when node-av cannot be loaded', async () => {
    const encoder = createEncoder({
      loadNodeAv: async () => ({ unavailable: 'no prebuilt binary for this platform' }),
    });
    await expect(encoder.start()).rejects.toMatchObject({
      code: 'FW_ERR_ENCODER_UNAVAILABLE',
      message: expect.stringContaining('no prebuilt binary for this platform'),
    });
    expect(encoder.ready).toBe(false);
    await encoder.close();
  });

  it('declares the controls it obeys and no child process', () => {
    const encoder = createEncoder();
    expect(encoder.controls).toEqual({
      keyframeOnDemand: true,
      liveBitrate: true,
      liveResize: true,
      retransmits: false,
    });
    expect(encoder.info).toEqual({ name: 'libx264', codec: 'h264', hardware: false });
    expect(encoder.pid).toBeUndefined();
    expect(encoder.frameBytes).toBe(320 * 180 * 1.5);
  });
});

describe.skipIf(av === undefined)('InProcessVideoEncoder with libx264 (node-av)', () => {
  it('turns every frame pushed while ready into one access unit, the first an IDR with SPS, PPS and IDR slice', async () => {
    let clock = 1_000;
    const { encoder, units } = await started({ now: () => clock });
    for (let n = 0; n < 8; n++) {
      clock = 1_000 + n * 33;
      expect(await encodeFrame(encoder, movingFrame(320, 180, n))).toBe(true);
    }
    expect(units).toHaveLength(8);
    expect(units.map((unit) => unit.captureMs)).toEqual([1_000, 1_033, 1_066, 1_099, 1_132, 1_165, 1_198, 1_231]);
    const [first, ...rest] = units;
    expect(first?.keyframe).toBe(true);
    expect(nalTypes(first as EncodedAccessUnit)).toEqual(expect.arrayContaining([7, 8, 5]));
    expect(spsPictureSize(spsOf(first as EncodedAccessUnit))).toEqual({ width: 320, height: 180 });
    for (const unit of rest) {
      expect(unit.keyframe).toBe(false);
      expect(nalTypes(unit)).toContain(1);
      expect(nalTypes(unit)).not.toContain(5);
    }
    expect(encoder.stats).toMatchObject({ framesIn: 8, framesWritten: 8, framesDropped: 0 });
    expect(encoder.stats.startedAt).toBeTypeOf('number');
  });

  it('requestKeyframe makes the very next access unit an IDR with SPS/PPS, mid-GOP', async () => {
    const { encoder, units } = await started();
    for (let n = 0; n < 5; n++) await encodeFrame(encoder, movingFrame(320, 180, n));
    expect(encoder.requestKeyframe()).toBe(true);
    await encodeFrame(encoder, movingFrame(320, 180, 5));
    await encodeFrame(encoder, movingFrame(320, 180, 6));
    expect(units.map((unit) => unit.keyframe)).toEqual([true, false, false, false, false, true, false]);
    expect(nalTypes(units[5] as EncodedAccessUnit)).toEqual(expect.arrayContaining([7, 8, 5]));
    expect(encoder.stats.keyframesForced).toBe(1);
  });

  it('follows a bitrate lowered live from 4000 to 500 kbps: the bytes per second fall accordingly', async () => {
    const { encoder, units } = await started({ video: { ...video, bitrateKbps: 4_000 } });
    const kbpsOver = async (first: number) => {
      const from = units.length;
      for (let n = first; n < first + 30; n++) await encodeFrame(encoder, movingFrame(320, 180, n));
      // The first frames after a change drain the VBV: measure the settled rate.
      const settled = units.slice(from + 5);
      const bytes = settled.reduce((sum, unit) => sum + unit.data.byteLength, 0);
      return (bytes * 8 * video.fps) / settled.length / 1000;
    };
    const before = await kbpsOver(0);
    expect(encoder.setTarget({ ...encoder.target, bitrateKbps: 500 })).toMatchObject({ bitrateKbps: 500 });
    const after = await kbpsOver(30);
    console.info(
      `in-process libx264 at 320x180: ${before.toFixed(0)} kbps at a 4000 kbps target, ${after.toFixed(0)} kbps at 500`,
    );
    expect(after / before).toBeLessThan(0.3);
    expect(after).toBeGreaterThan(250);
    expect(after).toBeLessThan(650);
    // Live: the stream went on without a new IDR.
    expect(units.filter((unit) => unit.keyframe)).toHaveLength(1);
    expect(encoder.stats.retargets).toBe(1);
  });

  it('reopens at half the size on setTarget: the next access unit is an IDR whose SPS has the new size, and the stream goes on', async () => {
    const { encoder, units, exits } = await started();
    await encodeFrame(encoder, movingFrame(320, 180, 0));
    await encodeFrame(encoder, movingFrame(320, 180, 1));
    expect(encoder.setTarget({ bitrateKbps: 400, width: 160, height: 90, fps: 30 })).toEqual({
      bitrateKbps: 400,
      width: 160,
      height: 90,
      fps: 30,
    });
    await untilReady(encoder);
    // Frames still arrive at the session size; the encoder scales them down.
    for (let n = 2; n < 5; n++) expect(await encodeFrame(encoder, movingFrame(320, 180, n))).toBe(true);
    expect(units.map((unit) => unit.keyframe)).toEqual([true, false, true, false, false]);
    const resized = units[2] as EncodedAccessUnit;
    expect(nalTypes(resized)).toEqual(expect.arrayContaining([7, 8, 5]));
    expect(spsPictureSize(spsOf(resized))).toEqual({ width: 160, height: 90 });
    expect(encoder.running).toBe(true);
    expect(exits).toEqual([]);
    const pictures = await decode(av as NodeAvModule, units.slice(2));
    expect(pictures.map((picture) => picture.byteLength)).toEqual([160 * 90 * 1.5, 160 * 90 * 1.5, 160 * 90 * 1.5]);
  });

  it('reopens after the frame in flight when the size changes mid-encode', async () => {
    const { encoder, units } = await started();
    expect(encoder.pushFrame(movingFrame(320, 180, 0))).toBe(true);
    encoder.setTarget({ ...encoder.target, width: 240, height: 136 });
    await untilReady(encoder);
    await encodeFrame(encoder, movingFrame(320, 180, 1));
    expect(units.map((unit) => spsPictureSize(spsOf(unit)))).toEqual([
      { width: 320, height: 180 },
      { width: 240, height: 136 },
    ]);
  });

  it('never goes above the session size or rate', async () => {
    const { encoder } = await started();
    expect(encoder.setTarget({ bitrateKbps: 900, width: 1920, height: 1080, fps: 60 })).toEqual({
      bitrateKbps: 900,
      width: 320,
      height: 180,
      fps: 30,
    });
  });

  it('meets a lower target frame rate by dropping frames evenly, without reopening', async () => {
    const { encoder, units } = await started();
    encoder.setTarget({ ...encoder.target, fps: 15 });
    const taken: boolean[] = [];
    for (let n = 0; n < 12; n++) taken.push(await encodeFrame(encoder, movingFrame(320, 180, n)));
    expect(taken).toEqual([true, false, true, false, true, false, true, false, true, false, true, false]);
    expect(units).toHaveLength(6);
    expect(units.filter((unit) => unit.keyframe)).toHaveLength(1);
    expect(encoder.stats).toMatchObject({ framesIn: 12, framesWritten: 6, framesDropped: 6 });
  });

  it('keeps one frame waiting while another is encoded, and drops and counts a third', async () => {
    const { encoder, units } = await started();
    expect(encoder.ready).toBe(true);
    expect(encoder.pushFrame(movingFrame(320, 180, 0))).toBe(true);
    // Encoding the first: the second is copied and waits (as the CLI's pipe holds one).
    expect(encoder.ready).toBe(true);
    expect(encoder.pushFrame(movingFrame(320, 180, 1))).toBe(true);
    expect(encoder.ready).toBe(false);
    expect(encoder.pushFrame(movingFrame(320, 180, 2))).toBe(false);
    await untilReady(encoder);
    expect(units).toHaveLength(2);
    expect(encoder.stats).toMatchObject({ framesIn: 3, framesWritten: 2, framesDropped: 1 });
  });

  it('copies the frame before pushFrame returns: the caller may reuse its buffer at once', async () => {
    const { encoder, units } = await started({ video: { ...video, bitrateKbps: 2_000 } });
    const frame = new Uint8Array(encoder.frameBytes);
    const luma = 320 * 180;
    const paint = (y: number, u: number, v: number) => {
      frame.fill(y, 0, luma);
      frame.fill(u, luma, luma * 1.25);
      frame.fill(v, luma * 1.25);
    };
    paint(180, 64, 200);
    expect(encoder.pushFrame(frame)).toBe(true);
    // Reused while the encode is still in flight.
    paint(20, 200, 50);
    await untilReady(encoder);
    const [picture] = await decode(av as NodeAvModule, units);
    if (!picture) throw new Error('nothing decoded');
    // Each plane in its place: the chroma planes are strided in the AVFrame.
    expect(mean(picture.subarray(0, luma))).toBeCloseTo(180, -0.5);
    expect(mean(picture.subarray(luma, luma * 1.25))).toBeCloseTo(64, -0.5);
    expect(mean(picture.subarray(luma * 1.25))).toBeCloseTo(200, -0.5);
  });

  it('refuses a frame of the wrong size with FW_ERR_INTERNAL', async () => {
    const { encoder } = await started();
    expect(() => encoder.pushFrame(new Uint8Array(100))).toThrow(expect.objectContaining({ code: 'FW_ERR_INTERNAL' }));
  });

  it('closes idempotently, once the frame in flight is done, with a single exit(0)', async () => {
    const { encoder, units, exits } = await started();
    expect(encoder.pushFrame(movingFrame(320, 180, 0))).toBe(true);
    const first = encoder.close();
    const second = encoder.close();
    await Promise.all([first, second]);
    await encoder.close();
    expect(exits).toEqual([[0, null, '']]);
    expect(encoder.running).toBe(false);
    expect(encoder.pushFrame(movingFrame(320, 180, 1))).toBe(false);
    expect(encoder.requestKeyframe()).toBe(false);
    // The frame in flight when close() was called is not delivered.
    expect(units).toHaveLength(0);
  });

  it('ends the stream with one exit(null, null, reason) when an encode fails mid-stream', async () => {
    const nodeAv = av as NodeAvModule;
    let sent = 0;
    class FailingCodecContext extends nodeAv.CodecContext {
      override sendFrame(frame: Parameters<typeof nodeAv.CodecContext.prototype.sendFrame>[0]): Promise<number> {
        sent += 1;
        return sent > 2 ? Promise.resolve(nodeAv.AVERROR_EINVAL) : super.sendFrame(frame);
      }
    }
    const { encoder, units, exits } = await started({
      loadNodeAv: async () => ({ ...nodeAv, CodecContext: FailingCodecContext }),
      // The failure is the point here: keep its warning out of the test output.
      logger: pino({ level: 'silent' }),
    });
    for (let n = 0; n < 4; n++) await encodeFrame(encoder, movingFrame(320, 180, n));
    expect(units).toHaveLength(2);
    expect(exits).toHaveLength(1);
    expect(exits[0]?.slice(0, 2)).toEqual([null, null]);
    expect(exits[0]?.[2]).toMatch(/avcodec_send_frame failed/);
    expect(encoder.running).toBe(false);
    expect(encoder.pushFrame(movingFrame(320, 180, 9))).toBe(false);
    await encoder.close();
    expect(exits).toHaveLength(1);
  });

  it('proves libx264 works in-process with a one-frame probe', async () => {
    expect(await inProcessEncoderAvailable('libx264')).toBe(true);
  });

  it.skipIf(existsSync('/dev/nvidia0'))(
    'reports why NVENC is unavailable on a machine without an NVIDIA GPU',
    async () => {
      const reason = await inProcessEncoderAvailable('h264_nvenc');
      console.info(`in-process h264_nvenc here: ${reason}`);
      expect(reason).toBeTypeOf('string');
      expect(reason).not.toBe('');
    },
  );

  it('measures the mean encode time of a 1280x720 frame with libx264 ultrafast', async () => {
    const hd = { width: 1280, height: 720, fps: 30, bitrateKbps: 4_000, gop: 60 };
    const { encoder, units } = await started({ video: hd });
    const frames = [0, 1, 2, 3].map((n) => movingFrame(hd.width, hd.height, n));
    const latencies: number[] = [];
    encoder.on('accessUnit', (unit) => latencies.push(performance.now() - unit.captureMs));
    for (let n = 0; n < 40; n++) await encodeFrame(encoder, frames[n % frames.length] as Uint8Array);
    expect(units).toHaveLength(40);
    const steady = latencies.slice(5);
    const meanMs = steady.reduce((sum, ms) => sum + ms, 0) / steady.length;
    const sorted = [...steady].sort((a, b) => a - b);
    console.info(
      `in-process libx264 ultrafast 1280x720: mean ${meanMs.toFixed(2)} ms/frame from pushFrame to access unit, ` +
        `p95 ${(sorted[Math.floor(sorted.length * 0.95)] ?? 0).toFixed(2)} ms (${steady.length} frames)`,
    );
  });
});
