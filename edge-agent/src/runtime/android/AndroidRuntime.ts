import { type InputEvent, Orientation, RuntimeKind } from '@frameway/protocol';
import type { Adb, AdbCredentialStore } from '@yume-chan/adb';
import { h264ParseConfiguration, ScrcpyControlMessageSerializer } from '@yume-chan/scrcpy';
import { createLogger, type Logger } from '../../logging/logger.js';
import { ManagedRuntime } from '../ManagedRuntime.js';
import type { RuntimeCapture, RuntimeVideo, SessionRuntime, VideoSink } from '../SessionRuntime.js';
import { asRuntimeError } from '../x11/SessionDisplay.js';
import { AndroidControl } from './AndroidControl.js';
import { connectAdb } from './connectAdb.js';
import { type FitLayout, fitFilter, fitLayout, type Rotation, type Size } from './fitLayout.js';
import { type ScrcpyConnection, startScrcpy } from './startScrcpy.js';

export interface AndroidRuntimeOptions {
  sessionId: string;
  /** The session's stream shape; the phone's picture is fitted into it (mode 'fit'). */
  video: RuntimeVideo & { bitrateKbps?: number };
  /** ADB over TCP address of the phone, e.g. `127.0.0.1:5555` for a redroid container. */
  address: string;
  /** The operator-provided scrcpy-server v3.3.3 jar. */
  serverJarPath: string;
  credentialStore: AdbCredentialStore;
  /**
   * 'fit' (default): the phone's H.264 is decoded and letterboxed into the
   * session frame, so the stream keeps the size the player was told even
   * when the phone rotates. 'passthrough': the phone's H.264 goes out as is
   * (no transcode, lowest latency; the stream changes size on rotation).
   */
  mode?: 'fit' | 'passthrough';
  /** Clockwise rotation of the phone picture inside the frame (fit mode). */
  rotation?: Rotation;
  /** Opens the ADB session; tests inject one. */
  connect?: (address: string) => Promise<Adb>;
  /** Called once the runtime has let go of the phone (after close()). */
  onClosed?: () => void;
  logger?: Logger;
}

/** `settings put system user_rotation` values by requested orientation. */
const USER_ROTATION: Readonly<Record<Orientation, number>> = {
  [Orientation.Portrait]: 0,
  [Orientation.Landscape]: 1,
  [Orientation.ReversePortrait]: 2,
  [Orientation.ReverseLandscape]: 3,
};

/**
 * A cloud phone as a session: an Android device reachable by ADB over TCP
 * (a redroid container, an emulator, a device), driven by the scrcpy server.
 * The phone's own encoder makes the H.264 (the agent repacketises it, or fits
 * it into the session frame); input goes back as scrcpy control messages
 * mapped through the letterbox and rotation. Losing the ADB connection or the
 * server ends the session.
 */
export class AndroidRuntime extends ManagedRuntime implements SessionRuntime {
  readonly kind = RuntimeKind.Android;
  readonly #options: AndroidRuntimeOptions;
  #adb: Adb | undefined;
  #scrcpy: ScrcpyConnection | undefined;
  #control: AndroidControl | undefined;
  #serializer: ScrcpyControlMessageSerializer | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #writes: Promise<unknown> = Promise.resolve();
  #layout: FitLayout | undefined;

  constructor(options: AndroidRuntimeOptions) {
    super('android', options.logger ?? createLogger('android', { sessionId: options.sessionId }));
    this.#options = options;
  }

  /** Where the phone picture currently sits in the session frame. */
  get layout(): FitLayout | undefined {
    return this.#layout;
  }

  async prepare(): Promise<RuntimeCapture> {
    this.advance('new', 'preparing');
    const { video } = this.#options;
    try {
      this.#adb = await (
        this.#options.connect ?? ((address) => connectAdb({ address, credentialStore: this.#options.credentialStore }))
      )(this.#options.address);
      void this.#adb.disconnected.then(() => this.fail(`lost the ADB connection to ${this.#options.address}`));
      const scrcpy = await startScrcpy({
        adb: this.#adb,
        serverJarPath: this.#options.serverJarPath,
        video: {
          // The longer side of the session frame: no more pixels than the stream can show.
          maxSize: Math.max(video.width, video.height),
          bitRateKbps: video.bitrateKbps ?? 8_000,
          maxFps: video.fps,
        },
      });
      this.#scrcpy = scrcpy;
      void scrcpy.server.exited.then(() => this.fail('the scrcpy server stopped'));
      const device = { width: scrcpy.metadata.width ?? video.width, height: scrcpy.metadata.height ?? video.height };
      this.#setDeviceSize(device);
      this.#serializer = new ScrcpyControlMessageSerializer(scrcpy.options);
      this.#control = new AndroidControl({
        serializer: this.#serializer,
        layout: () => this.#layout as FitLayout,
        onOrientation: (orientation) => void this.#setOrientation(orientation),
        logger: this.log,
      });
      this.#writer = (scrcpy.control.writable as unknown as WritableStream<Uint8Array>).getWriter();
      this.settle('prepared', 'preparing');
      this.log.info({ address: this.#options.address, device, mode: this.#mode }, 'phone connected');
      return {
        video: {
          kind: 'h264',
          filter: this.#mode === 'fit' ? fitFilter(video, this.#options.rotation ?? 0) : undefined,
        },
      };
    } catch (error) {
      await this.close();
      throw asRuntimeError(error, `cannot drive the phone at ${this.#options.address}`);
    }
  }

  /** Starts forwarding the phone's H.264 to the encoder; ready at once (the phone is already running). */
  async start(sink: VideoSink): Promise<void> {
    this.advance('prepared', 'ready');
    void this.#pump(sink);
  }

  applyInput(events: readonly InputEvent[]): void {
    if (this.lifecycle !== 'ready' || !this.#control) return;
    for (const message of this.#control.toMessages(events)) this.#send(message);
  }

  /** RESET_VIDEO: the phone restarts its encoder, whose first frame is an IDR with SPS/PPS. */
  requestKeyframe(): boolean {
    if (this.lifecycle !== 'ready' || !this.#serializer) return false;
    this.#send(this.#serializer.resetVideo());
    return true;
  }

  get #mode(): 'fit' | 'passthrough' {
    return this.#options.mode ?? 'fit';
  }

  #setDeviceSize(device: Size): void {
    const frame = this.#mode === 'fit' ? this.#options.video : device;
    this.#layout = fitLayout(frame, device, this.#mode === 'fit' ? (this.#options.rotation ?? 0) : 0);
  }

  /** Copies H.264 packets to the encoder; parameter sets go in front of every keyframe. */
  async #pump(sink: VideoSink): Promise<void> {
    const scrcpy = this.#scrcpy as ScrcpyConnection;
    const reader = scrcpy.packets.getReader();
    let parameterSets: Uint8Array | undefined;
    let waitForKeyframe = false;
    try {
      for (;;) {
        const { done, value: packet } = await reader.read();
        if (done || this.closing) break;
        if (packet.type === 'configuration') {
          parameterSets = packet.data;
          try {
            // A new configuration follows a rotation: the phone's frame changed size.
            const config = h264ParseConfiguration(packet.data);
            this.#setDeviceSize({ width: config.croppedWidth, height: config.croppedHeight });
          } catch (error) {
            this.log.debug({ err: error }, 'unparsable H.264 configuration');
          }
          continue;
        }
        if (waitForKeyframe && !packet.keyframe) continue;
        if (packet.keyframe && parameterSets) sink.writeEncoded(parameterSets);
        if (sink.writeEncoded(packet.data)) {
          waitForKeyframe = false;
        } else if (!waitForKeyframe) {
          // ffmpeg lagged and a frame was dropped: later frames would decode wrong
          // until the next IDR, so skip to it and ask for one now.
          waitForKeyframe = true;
          this.requestKeyframe();
        }
      }
    } catch (error) {
      this.fail(`phone video stopped: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.fail('phone video ended');
  }

  #send(message: Uint8Array): void {
    const writer = this.#writer;
    if (!writer) return;
    // One write at a time, in order; a failure means the server is gone (the exit path reports it).
    this.#writes = this.#writes
      .then(() => writer.write(message))
      .catch((error: unknown) => {
        this.log.debug({ err: error }, 'control message not sent');
      });
  }

  async #setOrientation(orientation: Orientation): Promise<void> {
    const adb = this.#adb;
    if (!adb) return;
    try {
      // Fixed rotation (no sensor), then the requested one; the picture follows with a new size.
      await adb.subprocess.noneProtocol.spawnWaitText(['settings', 'put', 'system', 'accelerometer_rotation', '0']);
      await adb.subprocess.noneProtocol.spawnWaitText([
        'settings',
        'put',
        'system',
        'user_rotation',
        String(USER_ROTATION[orientation]),
      ]);
    } catch (error) {
      this.log.warn({ err: error, orientation }, 'could not rotate the phone');
    }
  }

  protected async release(): Promise<void> {
    await this.#writer?.close().catch(() => undefined);
    await this.#scrcpy?.close();
    await this.#adb?.close().catch(() => undefined);
    this.#options.onClosed?.();
  }
}
