import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { MARKER_PALETTE, type Rgb } from '../../../support/markerColor.js';
import { renderMarkerFrame } from './markerFrames.js';

export interface MarkerVideoSourceOptions {
  width: number;
  height: number;
  fps: number;
  markerSize: number;
  bitrateKbps: number;
  gop: number;
  /** Local UDP port ffmpeg sends RTP to. */
  rtpPort: number;
  ffmpegPath: string;
  palette?: readonly Rgb[];
}

export interface MarkerVideoSourceStats {
  framesWritten: number;
  /** Clock ticks skipped because ffmpeg had not consumed the previous frame yet. */
  framesSkipped: number;
  markerChanges: number;
}

/**
 * The baseline's "game": renders a flat frame with the input marker on a
 * fixed-rate clock and pipes it to ffmpeg (libx264 ultrafast/zerolatency, no
 * B-frames), which packetises H.264 to RTP on loopback. A marker change lands
 * in the next tick's frame, as in a game loop.
 */
export class MarkerVideoSource {
  readonly stats: MarkerVideoSourceStats = { framesWritten: 0, framesSkipped: 0, markerChanges: 0 };
  #options: MarkerVideoSourceOptions;
  #frames: Buffer[];
  #markerIndex = 0;
  #ffmpeg: ChildProcessByStdio<Writable, null, Readable> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stderrTail = '';
  #closed = false;

  constructor(options: MarkerVideoSourceOptions) {
    this.#options = options;
    // Pre-rendered: a tick only hands a ready buffer to the pipe.
    this.#frames = (options.palette ?? MARKER_PALETTE).map((rgb) => renderMarkerFrame(options, rgb));
  }

  /**
   * ffmpeg arguments. The encoder options copy the edge agent's libx264
   * settings (edge-agent/src/encoder/buildEncoderArgs.ts) instead of importing
   * them: the baseline stays independent of agent code, and the two legs
   * still differ only in what sits around the encoder.
   */
  ffmpegArgs(): string[] {
    const { width, height, fps, bitrateKbps, gop, rtpPort } = this.#options;
    const bitrate = `${bitrateKbps}k`;
    return [
      ...['-hide_banner', '-loglevel', 'error', '-nostats', '-nostdin'],
      ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0'],
      ...['-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline'],
      '-pix_fmt',
      'yuv420p',
      // VBV of one frame: no frame can take longer than a frame time to send.
      ...['-b:v', bitrate, '-maxrate', bitrate, '-bufsize', `${Math.max(1, Math.ceil(bitrateKbps / fps))}k`],
      ...['-g', String(gop), '-bf', '0', '-keyint_min', String(gop), '-sc_threshold', '0'],
      '-x264-params',
      'repeat-headers=1:sliced-threads=1:rc-lookahead=0:sync-lookahead=0:force-cfr=1',
      // RTCP muxed onto the RTP port, so ffmpeg's sender reports cannot land on
      // whatever else happens to own port + 1; the receiver drops them.
      ...['-f', 'rtp', '-payload_type', '96', `rtp://127.0.0.1:${rtpPort}?pkt_size=1200&rtcpport=${rtpPort}`],
    ];
  }

  /** Spawns ffmpeg and starts the frame clock. */
  start(): void {
    if (this.#ffmpeg || this.#closed) return;
    const ffmpeg = spawn(this.#options.ffmpegPath, this.ffmpegArgs(), { stdio: ['pipe', 'ignore', 'pipe'] });
    this.#ffmpeg = ffmpeg;
    ffmpeg.stderr.setEncoding('utf8');
    ffmpeg.stderr.on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-2000);
    });
    // EPIPE after ffmpeg exits is expected during close; exit is reported below.
    ffmpeg.stdin.on('error', () => {});
    ffmpeg.once('exit', (code, signal) => {
      if (!this.#closed) {
        process.stderr.write(`baseline ffmpeg exited (${code ?? signal}): ${this.#stderrTail}\n`);
        this.#stopClock();
      }
    });
    this.#startClock();
  }

  /** Switches the marker to the next palette colour from the next frame on. */
  advanceMarker(): void {
    this.#markerIndex = (this.#markerIndex + 1) % this.#frames.length;
    this.stats.markerChanges += 1;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopClock();
    const ffmpeg = this.#ffmpeg;
    if (!ffmpeg || ffmpeg.exitCode !== null || ffmpeg.signalCode !== null) return;
    const exited = once(ffmpeg, 'exit');
    ffmpeg.kill('SIGTERM');
    const timer = setTimeout(() => ffmpeg.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  }

  #startClock(): void {
    // Deadlines are absolute (start + n × period) so timer jitter does not
    // accumulate into a drifting frame rate.
    const period = 1000 / this.#options.fps;
    const startedAt = performance.now();
    let tick = 0;
    const onTick = (): void => {
      this.#writeFrame();
      tick += 1;
      let due = startedAt + tick * period;
      const now = performance.now();
      if (now - due > period) {
        // Fell more than a frame behind (GC, busy loop): skip ahead, never burst.
        const behind = Math.floor((now - due) / period);
        tick += behind;
        this.stats.framesSkipped += behind;
        due += behind * period;
      }
      this.#timer = setTimeout(onTick, Math.max(0, due - now));
    };
    this.#timer = setTimeout(onTick, 0);
  }

  #stopClock(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #writeFrame(): void {
    const stdin = this.#ffmpeg?.stdin;
    if (!stdin || stdin.destroyed) return;
    // A frame still queued in Node means ffmpeg is behind; queueing more would
    // add a frame of latency per tick, so drop this one like a capturer would.
    if (stdin.writableLength > 0) {
      this.stats.framesSkipped += 1;
      return;
    }
    stdin.write(this.#frames[this.#markerIndex]!);
    this.stats.framesWritten += 1;
  }
}
