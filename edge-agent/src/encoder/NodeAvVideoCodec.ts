import { FramewayError } from '@frameway/protocol';
import type { Codec, CodecContext, FFEncoderCodec, Frame, Packet, SoftwareScaleContext } from 'node-av';
import type { EncoderName } from './encoderCatalog.js';
import type { NodeAvModule } from './loadNodeAv.js';
import type { NodeAvEncoderSettings, NodeAvRateControl } from './nodeAvEncoderSettings.js';

/** One encoded packet: an Annex-B access unit. */
export interface NodeAvEncodedPacket {
  data: Uint8Array;
  keyframe: boolean;
}

interface Natives {
  readonly ctx: CodecContext;
  /** Holds the copy of the caller's frame, at the input size. */
  readonly input: Frame;
  /** The encoder's picture when the output size differs from the input; absent otherwise. */
  readonly scaled: Frame | undefined;
  readonly scaler: SoftwareScaleContext | undefined;
  readonly packet: Packet;
}

/**
 * One open FFmpeg video encoder (node-av, in-process) at one output size,
 * fed yuv420p frames of a fixed input size that it scales down with swscale
 * when the sizes differ. It owns the native objects and makes sure none is
 * touched while a worker thread uses it: frames are copied in between
 * encodes, rate changes are written into the codec context right before the
 * next frame, and close() waits for the encode in flight before freeing.
 */
export class NodeAvVideoCodec {
  readonly width: number;
  readonly height: number;
  readonly #av: NodeAvModule;
  readonly #natives: Natives;
  #pts = 0n;
  #pendingRate: NodeAvRateControl | undefined;
  #inFlight: Promise<unknown> | undefined;
  #closed = false;

  private constructor(av: NodeAvModule, natives: Natives) {
    this.#av = av;
    this.#natives = natives;
    this.width = natives.ctx.width;
    this.height = natives.ctx.height;
  }

  /**
   * Opens `settings.codecName` at the settings' size for input frames of
   * `input` size; rejects with FW_ERR_ENCODER_UNAVAILABLE when FFmpeg lacks
   * the encoder or cannot open it (NVENC without a GPU).
   */
  static async open(
    av: NodeAvModule,
    settings: NodeAvEncoderSettings,
    rate: NodeAvRateControl,
    input: { width: number; height: number },
  ): Promise<NodeAvVideoCodec> {
    const codec = av.Codec.findEncoderByName(ffEncoder(av, settings.codecName));
    if (!codec) {
      throw new FramewayError('FW_ERR_ENCODER_UNAVAILABLE', `${settings.codecName} is not in node-av's FFmpeg build`);
    }
    const natives = allocNatives(av, codec, settings, rate, input);
    const codecInstance = new NodeAvVideoCodec(av, natives);
    // open2Sync with options crashes node-av 6.1.1: the async open is the only safe one.
    const options = av.Dictionary.fromObject(settings.options);
    try {
      const ret = await natives.ctx.open2(codec, options);
      if (ret < 0) {
        throw new FramewayError(
          'FW_ERR_ENCODER_UNAVAILABLE',
          `cannot open ${settings.codecName} at ${settings.width}x${settings.height}: ${av.FFmpegError.strerror(ret)}`,
        );
      }
    } catch (error) {
      await codecInstance.close();
      throw error instanceof FramewayError
        ? error
        : new FramewayError(
            'FW_ERR_ENCODER_UNAVAILABLE',
            `cannot open ${settings.codecName}: ${String(error)}`,
            undefined,
            {
              cause: error,
            },
          );
    } finally {
      options.free();
    }
    return codecInstance;
  }

  /** True while an encode runs on a worker thread. */
  get busy(): boolean {
    return this.#inFlight !== undefined;
  }

  /** Copies one input-size yuv420p frame in; `frame` may be reused as soon as this returns. */
  load(frame: Uint8Array): void {
    this.#assertIdle('load');
    const { input } = this.#natives;
    // The encoder may still hold a reference to the last picture's buffer: write into a fresh one then.
    check(this.#av, input.makeWritable(), 'av_frame_make_writable');
    // Not Frame.fromBuffer: that wraps the caller's memory instead of copying
    // it, so the encoder would read a buffer the caller is already refilling.
    copyYuv420p(frame, input);
  }

  /** Rate control for the next frame on; the codec context is only written between frames. */
  setRate(rate: NodeAvRateControl): void {
    this.#pendingRate = rate;
  }

  /** Encodes the frame load() copied; `keyframe` makes it an IDR (with SPS/PPS in band). */
  encode(keyframe: boolean): Promise<NodeAvEncodedPacket[]> {
    this.#assertIdle('encode');
    const run = this.#encode(keyframe);
    this.#inFlight = run;
    return run.finally(() => {
      this.#inFlight = undefined;
    });
  }

  /** Frees the native objects, after the encode in flight if any. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#inFlight?.catch(() => undefined);
    const { ctx, input, scaled, scaler, packet } = this.#natives;
    ctx.freeContext();
    input.free();
    scaled?.free();
    scaler?.freeContext();
    packet.free();
  }

  async #encode(keyframe: boolean): Promise<NodeAvEncodedPacket[]> {
    const av = this.#av;
    const { ctx, input, scaled, scaler, packet } = this.#natives;
    if (this.#pendingRate) {
      // libx264 and NVENC reconfigure live when these differ at the next frame.
      writeRate(ctx, this.#pendingRate);
      this.#pendingRate = undefined;
    }
    let picture = input;
    if (scaled && scaler) {
      check(av, scaled.makeWritable(), 'av_frame_make_writable');
      check(av, await scaler.scaleFrame(scaled, input), 'sws_scale_frame');
      picture = scaled;
    }
    picture.pts = this.#pts;
    this.#pts += 1n;
    // NONE lets the encoder choose (P, or I on the GOP grid); I with forced-idr is an IDR.
    picture.pictType = keyframe ? av.AV_PICTURE_TYPE_I : av.AV_PICTURE_TYPE_NONE;
    check(av, await ctx.sendFrame(picture), 'avcodec_send_frame');
    const packets: NodeAvEncodedPacket[] = [];
    for (;;) {
      const ret = await ctx.receivePacket(packet);
      if (ret === av.AVERROR_EAGAIN || ret === av.AVERROR_EOF) break;
      check(av, ret, 'avcodec_receive_packet');
      // Copied out: the packet's buffer is reused by the next receive.
      packets.push({ data: new Uint8Array(packet.data ?? new Uint8Array(0)), keyframe: packet.isKeyframe });
      packet.unref();
    }
    return packets;
  }

  #assertIdle(what: string): void {
    if (this.#closed) throw new FramewayError('FW_ERR_INVALID_STATE', `${what} on a closed encoder`);
    if (this.#inFlight) throw new FramewayError('FW_ERR_INVALID_STATE', `${what} while a frame is being encoded`);
  }
}

/** Allocates and configures the codec context, frames, packet and scaler; frees what it made if one fails. */
function allocNatives(
  av: NodeAvModule,
  codec: Codec,
  settings: NodeAvEncoderSettings,
  rate: NodeAvRateControl,
  input: { width: number; height: number },
): Natives {
  const made: Array<{ free(): void }> = [];
  try {
    const ctx = new av.CodecContext();
    made.push({ free: () => ctx.freeContext() });
    ctx.allocContext3(codec);
    ctx.width = settings.width;
    ctx.height = settings.height;
    ctx.pixelFormat = av.AV_PIX_FMT_YUV420P;
    // Frames are stamped 0, 1, 2, … at the nominal rate.
    ctx.timeBase = new av.Rational(1, settings.fps);
    ctx.framerate = new av.Rational(settings.fps, 1);
    ctx.gopSize = settings.gop;
    // No B-frames: each would add a frame of reordering delay.
    ctx.maxBFrames = 0;
    writeRate(ctx, rate);
    const packet = new av.Packet();
    made.push(packet);
    packet.alloc();
    const inputFrame = allocFrame(av, input.width, input.height, made);
    if (input.width === settings.width && input.height === settings.height) {
      return { ctx, input: inputFrame, scaled: undefined, scaler: undefined, packet };
    }
    const scaled = allocFrame(av, settings.width, settings.height, made);
    const scaler = createScaler(av, input, settings, made);
    return { ctx, input: inputFrame, scaled, scaler, packet };
  } catch (error) {
    for (const native of made.reverse()) native.free();
    throw new FramewayError(
      'FW_ERR_ENCODER_UNAVAILABLE',
      `cannot set up ${settings.codecName}: ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      { cause: error },
    );
  }
}

/** node-av's branded name of each encoder the agent drives. */
function ffEncoder(av: NodeAvModule, name: EncoderName): FFEncoderCodec {
  switch (name) {
    case 'libx264':
      return av.FF_ENCODER_LIBX264;
    case 'h264_nvenc':
      return av.FF_ENCODER_H264_NVENC;
    case 'hevc_nvenc':
      return av.FF_ENCODER_HEVC_NVENC;
    default:
      return name satisfies never;
  }
}

/** Copies packed yuv420p planes into the frame's own (strided) planes, row by row where the strides have padding. */
function copyYuv420p(source: Uint8Array, frame: Frame): void {
  const planes = frame.data;
  const strides = frame.linesize;
  const chromaWidth = Math.ceil(frame.width / 2);
  const chromaHeight = Math.ceil(frame.height / 2);
  const layout = [
    { width: frame.width, height: frame.height },
    { width: chromaWidth, height: chromaHeight },
    { width: chromaWidth, height: chromaHeight },
  ];
  const expected = layout.reduce((sum, plane) => sum + plane.width * plane.height, 0);
  if (!planes || source.byteLength !== expected) {
    throw new FramewayError('FW_ERR_INTERNAL', `frame of ${source.byteLength} bytes, expected ${expected}`);
  }
  let offset = 0;
  layout.forEach(({ width, height }, index) => {
    const plane = planes[index];
    const stride = strides[index] ?? 0;
    if (!plane || stride < width) throw new FramewayError('FW_ERR_INTERNAL', `frame plane ${index} is not allocated`);
    if (stride === width) {
      plane.set(source.subarray(offset, offset + width * height));
    } else {
      for (let row = 0; row < height; row++) {
        plane.set(source.subarray(offset + row * width, offset + (row + 1) * width), row * stride);
      }
    }
    offset += width * height;
  });
}

function writeRate(ctx: CodecContext, rate: NodeAvRateControl): void {
  ctx.bitRate = rate.bitRate;
  ctx.rcMaxRate = rate.maxRate;
  ctx.rcBufferSize = rate.bufferSize;
}

function allocFrame(av: NodeAvModule, width: number, height: number, made: Array<{ free(): void }>): Frame {
  const frame = new av.Frame();
  made.push(frame);
  frame.alloc();
  frame.width = width;
  frame.height = height;
  frame.format = av.AV_PIX_FMT_YUV420P;
  check(av, frame.allocBuffer(), 'av_frame_get_buffer');
  return frame;
}

function createScaler(
  av: NodeAvModule,
  input: { width: number; height: number },
  output: { width: number; height: number },
  made: Array<{ free(): void }>,
): SoftwareScaleContext {
  const scaler = new av.SoftwareScaleContext();
  made.push({ free: () => scaler.freeContext() });
  // Area averaging: the right filter for downscaling (no aliasing), and about as fast as bilinear.
  scaler.getContext(
    input.width,
    input.height,
    av.AV_PIX_FMT_YUV420P,
    output.width,
    output.height,
    av.AV_PIX_FMT_YUV420P,
    av.SWS_AREA,
  );
  check(av, scaler.initContext(), 'sws_init_context');
  return scaler;
}

function check(av: NodeAvModule, ret: number, what: string): void {
  if (ret < 0) throw new FramewayError('FW_ERR_INTERNAL', `${what} failed: ${av.FFmpegError.strerror(ret)}`);
}
