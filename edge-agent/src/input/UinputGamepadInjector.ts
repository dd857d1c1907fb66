import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { encodeInputEvents, FramewayError } from '@frameway/protocol';
import { createLogger, type Logger } from '../logging/logger.js';
import { stopChildProcess } from '../process/stopChildProcess.js';
import { trackChildProcess } from '../process/trackChildProcess.js';
import { findExecutable } from '../runtime/spawnTied.js';
import type { GamepadEvent, GamepadInjector } from './GamepadInjector.js';
import { UINPUT_HELPER_SOURCE } from './uinputHelperSource.js';

export interface UinputGamepadInjectorOptions {
  /** The uinput device node (default /dev/uinput). */
  devicePath?: string;
  /** Python 3 interpreter for the helper (default python3 on PATH). */
  python?: string;
  /** Translate and print instead of creating devices (tests). */
  dryRun?: boolean;
  startTimeoutMs?: number;
  logger?: Logger;
}

type HelperProcess = ChildProcessByStdio<Writable, Readable, Readable>;

/**
 * Virtual Xbox 360 pads for the session's games through Linux uinput, one
 * per player pad (up to 4). The ioctls uinput needs are made by a small
 * Python helper (stdlib only, see uinputHelperSource.ts) that this class
 * feeds the protocol's own gamepad records: one process per session, never
 * one per event. Where the node cannot do it (no /dev/uinput, not writable,
 * no python3) open() fails with FW_ERR_INPUT_UNSUPPORTED and says which.
 */
export class UinputGamepadInjector implements GamepadInjector {
  readonly #child: HelperProcess;
  readonly #log: Logger;
  readonly #lines: string[] = [];
  /** Made at once: a helper that died early has emitted 'close' before close() listens. */
  readonly #exited: Promise<void>;
  #closed = false;

  private constructor(child: HelperProcess, log: Logger) {
    this.#child = child;
    this.#log = log;
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()));
  }

  /** Starts the helper; FW_ERR_INPUT_UNSUPPORTED when this node cannot inject gamepads. */
  static async open(options: UinputGamepadInjectorOptions = {}): Promise<UinputGamepadInjector> {
    const log = options.logger ?? createLogger('uinput');
    const devicePath = options.devicePath ?? '/dev/uinput';
    if (!options.dryRun) {
      try {
        accessSync(devicePath, constants.W_OK);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new FramewayError(
          'FW_ERR_INPUT_UNSUPPORTED',
          code === 'ENOENT'
            ? `${devicePath} does not exist: load the uinput module (modprobe uinput), or pass the device into the agent's container`
            : `${devicePath} is not writable by the agent (${code}): add the agent's user to the group owning it`,
        );
      }
    }
    const python = options.python ?? findExecutable('python3');
    if (!python) {
      throw new FramewayError(
        'FW_ERR_INPUT_UNSUPPORTED',
        'python3 is not installed: the uinput ioctls are made by a Python helper (Node cannot call ioctl)',
      );
    }
    const args = ['-c', UINPUT_HELPER_SOURCE, '--device', devicePath, ...(options.dryRun ? ['--dry-run'] : [])];
    const child = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    trackChildProcess(child);
    const injector = new UinputGamepadInjector(child, log);
    await injector.#waitReady(options.startTimeoutMs ?? 5_000);
    return injector;
  }

  /** What the helper printed (dry-run events as JSON lines, diagnostics). */
  get output(): readonly string[] {
    return this.#lines;
  }

  apply(event: GamepadEvent): void {
    if (this.#closed || !this.#child.stdin.writable) return;
    // The helper reads the protocol's binary layout of this one event.
    this.#child.stdin.write(encodeInputEvents([event]));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // EOF: the helper removes its devices and exits.
    await stopChildProcess(this.#child, { exited: this.#exited, ask: () => this.#child.stdin.end() });
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const child = this.#child;
    child.stdin.on('error', (error) => this.#log.debug({ err: error }, 'uinput helper stdin error'));
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      this.#lines.push(...lines.filter(Boolean));
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-1_000);
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new FramewayError('FW_ERR_INPUT_UNSUPPORTED', `uinput helper: ${why}`));
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(`not ready after ${timeoutMs} ms`);
      }, timeoutMs);
      const poll = setInterval(() => {
        const error = this.#lines.find((line) => line.startsWith('error '));
        if (error) {
          clearInterval(poll);
          fail(error.slice(6));
        } else if (this.#lines.includes('ready')) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 5);
      child.once('close', (code) => {
        clearInterval(poll);
        fail(`exited with ${code}: ${stderr.trim().slice(-300)}`);
      });
      child.once('error', (error) => {
        clearInterval(poll);
        fail(error.message);
      });
    });
  }
}
