import { createReadStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FramewayError } from '@frameway/protocol';
import type { Adb, AdbNoneProtocolProcess, AdbSocket } from '@yume-chan/adb';
import {
  ScrcpyInstanceId,
  type ScrcpyMediaStreamPacket,
  ScrcpyOptions3_3_1,
  type ScrcpyVideoStreamMetadata,
} from '@yume-chan/scrcpy';
import { type ReadableStream as StreamExtraReadable, WritableStream } from '@yume-chan/stream-extra';
import { toStreamExtraReadable } from './toStreamExtraReadable.js';

/** The scrcpy server version this agent speaks; the server refuses any other client version. */
export const SCRCPY_VERSION = '3.3.3';
/** Where the jar goes on the device: shell-writable, not world-writable. */
const DEVICE_JAR = '/data/local/tmp/frameway-scrcpy-server.jar';

export interface StartScrcpyOptions {
  adb: Adb;
  /** The operator-provided scrcpy-server-v3.3.3 (see edge-agent/README.md). */
  serverJarPath: string;
  video: { maxSize: number; bitRateKbps: number; maxFps: number };
  /** How long to wait for the server to listen. */
  timeoutMs?: number;
}

export interface ScrcpyConnection {
  options: ScrcpyOptions3_3_1<true>;
  metadata: ScrcpyVideoStreamMetadata;
  /** H.264 packets: configuration (SPS/PPS) and frames, Annex B. */
  packets: StreamExtraReadable<ScrcpyMediaStreamPacket>;
  control: AdbSocket;
  server: AdbNoneProtocolProcess;
  /** Closes the sockets and stops the server process. */
  close(): Promise<void>;
}

/**
 * Pushes the scrcpy server to the phone, runs it over ADB and connects its
 * video and control sockets (forward tunnel: the agent connects to the
 * server's abstract socket through the ADB connection itself, no port on the
 * host). Video is H.264 from the phone's encoder, tuned for latency (baseline
 * profile, realtime priority, SPS/PPS before every IDR); no audio socket.
 */
export async function startScrcpy(options: StartScrcpyOptions): Promise<ScrcpyConnection> {
  const { adb } = options;
  const sync = await adb.sync();
  try {
    const file = toStreamExtraReadable(createReadStream(options.serverJarPath));
    await sync.write({ filename: DEVICE_JAR, file });
  } catch (error) {
    throw new FramewayError('FW_ERR_RUNTIME_FAILED', `cannot push the scrcpy server: ${String(error)}`, undefined, {
      cause: error,
    });
  } finally {
    await sync.dispose();
  }
  const scid = ScrcpyInstanceId.random();
  const scrcpy = new ScrcpyOptions3_3_1({
    scid,
    tunnelForward: true,
    // Our own socket open fails while nothing listens, so no dummy byte is needed to detect it.
    sendDummyByte: false,
    sendDeviceMeta: false,
    audio: false,
    control: true,
    video: true,
    videoCodec: 'h264',
    videoBitRate: options.video.bitRateKbps * 1000,
    maxFps: options.video.maxFps,
    maxSize: options.video.maxSize,
    // Baseline profile (what browsers negotiate), realtime priority, no encoder latency
    // target, and parameter sets before every IDR so a joining decoder can start there.
    videoCodecOptions: 'profile=1,priority=0,latency=0,prepend-sps-pps-to-idr-frames=1',
    // The phone's clipboard is not pushed to the agent; the player's goes the other way.
    clipboardAutosync: false,
    cleanup: true,
    powerOn: true,
    logLevel: 'warn',
  });
  const server = await adb.subprocess.noneProtocol.spawn([
    `CLASSPATH=${DEVICE_JAR}`,
    'app_process',
    '/',
    'com.genymobile.scrcpy.Server',
    SCRCPY_VERSION,
    ...scrcpy.serialize(),
  ]);
  let output = '';
  void server.output
    .pipeTo(
      new WritableStream({
        write: (chunk: Uint8Array) => {
          output = (output + Buffer.from(chunk).toString('utf8')).slice(-2_000);
        },
      }),
    )
    .catch(() => undefined);
  const socketName = `localabstract:scrcpy_${scid.toOptionValue()}`;
  const sockets: AdbSocket[] = [];
  try {
    // Sockets are opened in the server's order: video first, then control.
    sockets.push(await openWhenListening(adb, socketName, options.timeoutMs ?? 10_000, () => output));
    sockets.push(await adb.createSocket(socketName));
  } catch (error) {
    await Promise.allSettled([...sockets.map((socket) => socket.close()), server.kill()]);
    throw error;
  }
  const [video, control] = sockets as [AdbSocket, AdbSocket];
  // Device messages (clipboard, UHID output) arrive on the control socket; ADB multiplexes
  // every socket on one connection, so an unread one would stall video too.
  void control.readable.pipeTo(new WritableStream()).catch(() => undefined);
  const { stream, metadata } = await scrcpy.parseVideoStreamMetadata(video.readable);
  return {
    options: scrcpy,
    metadata,
    packets: stream.pipeThrough(scrcpy.createMediaStreamTransformer()),
    control,
    server,
    async close() {
      await Promise.allSettled([video.close(), control.close()]);
      await Promise.allSettled([server.kill()]);
    },
  };
}

async function openWhenListening(
  adb: Adb,
  service: string,
  timeoutMs: number,
  output: () => string,
): Promise<AdbSocket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await adb.createSocket(service);
    } catch (error) {
      if (Date.now() > deadline) {
        throw new FramewayError(
          'FW_ERR_RUNTIME_FAILED',
          `the scrcpy server did not listen within ${timeoutMs} ms: ${output().trim().slice(-300) || String(error)}`,
        );
      }
      await sleep(100);
    }
  }
}
